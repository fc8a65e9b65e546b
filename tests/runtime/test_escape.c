/*
 * test_escape.c - lib/src/escape.c: control bytes, ESC sequences, a forged
 * line, backslashes, UTF-8 (kept when well formed, escaped when not, C1
 * controls escaped), NULs inside, truncation at whole units, and an
 * exhaustive check that no output of any single byte or byte pair holds a
 * byte a terminal would obey.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <capos/escape.h>

static const char *esc(const char *in, size_t len)
{
	static char out[1024];
	size_t n = capos_escape_text(out, sizeof(out), in, len);
	assert_int_equal(n, strlen(out));
	return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_plain(void **st)
{
	(void)st;
	assert_string_equal(ESC("hello, world 123 ~!@#$%^&*()"), "hello, world 123 ~!@#$%^&*()");
	assert_string_equal(ESC(""), "");
}

static void test_controls(void **st)
{
	(void)st;
	assert_string_equal(ESC("a\nb\rc\td"), "a\\nb\\rc\\td");
	assert_string_equal(ESC("\x1b[2Jclear"), "\\x1b[2Jclear");
	assert_string_equal(ESC("bell\a del\x7f nul"), "bell\\x07 del\\x7f nul");
	assert_string_equal(esc("a\0b", 3), "a\\x00b");
	assert_string_equal(ESC("back\\slash"), "back\\\\slash");
	/* A forged line: it stays on the record's own line. */
	assert_string_equal(ESC("ok\r\ninit: system ready"), "ok\\r\\ninit: system ready");
}

static void test_utf8(void **st)
{
	(void)st;
	assert_string_equal(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x91\xbb"),
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x91\xbb");
	/* C1 CSI (U+009B) as UTF-8 and as a raw byte. */
	assert_string_equal(ESC("\xc2\x9b" "2J"), "\\xc2\\x9b2J");
	assert_string_equal(ESC("\x9b" "2J"), "\\x9b2J");
	/* overlong '/', a surrogate, beyond U+10FFFF, a cut-off sequence */
	assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(ESC("\xe2\x82"), "\\xe2\\x82");
	/* U+00A0, the first code point kept */
	assert_string_equal(ESC("\xc2\xa0"), "\xc2\xa0");
}

static void test_truncation(void **st)
{
	(void)st;
	char out[8];
	memset(out, 'Z', sizeof(out));
	/* "ab" fits, the 4-byte escape of ESC does not (2 + 4 + NUL = 7 fits;
	 * 3 + ... : check the boundary exactly). */
	assert_int_equal(capos_escape_text(out, 7, "ab\x1b" "c", 4), 6);
	assert_string_equal(out, "ab\\x1b");
	assert_int_equal(capos_escape_text(out, 6, "ab\x1b" "c", 4), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(capos_escape_text(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
	assert_int_equal(capos_escape_text(out, 0, "abc", 3), 0);
	assert_int_equal(out[0], '\0'); /* size 0: nothing written */
	/* a UTF-8 sequence is not split */
	assert_int_equal(capos_escape_text(out, 3, "a\xe2\x82\xac", 4), 1);
	assert_string_equal(out, "a");
	assert_int_equal(capos_escape_str(out, sizeof(out), "x\ty"), 4);
	assert_string_equal(out, "x\\ty");
}

/* No output byte below 0x20, no DEL, and no byte >= 0x80 outside a
 * well-formed sequence of U+00A0 or above: every 1- and 2-byte input. */
static void check_safe(const char *out)
{
	const uint8_t *p = (const uint8_t *)out;
	for (size_t i = 0; p[i];) {
		assert_true(p[i] >= 0x20 && p[i] != 0x7f);
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* escape.c kept it: re-check it is UTF-8 of >= U+00A0 */
		size_t k = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
		uint32_t cp = p[i] & (k == 2 ? 0x1fu : k == 3 ? 0x0fu : 0x07u);
		for (size_t j = 1; j < k; j++) {
			assert_int_equal(p[i + j] & 0xc0, 0x80);
			cp = (cp << 6) | (p[i + j] & 0x3fu);
		}
		assert_true(cp >= 0xa0);
		i += k;
	}
}

static void test_exhaustive(void **st)
{
	(void)st;
	char in[2], out[16];
	for (unsigned a = 0; a < 256; a++) {
		in[0] = (char)a;
		capos_escape_text(out, sizeof(out), in, 1);
		check_safe(out);
		for (unsigned b = 0; b < 256; b++) {
			in[1] = (char)b;
			capos_escape_text(out, sizeof(out), in, 2);
			check_safe(out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_exhaustive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
