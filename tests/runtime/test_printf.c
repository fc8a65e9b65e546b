/*
 * test_printf.c - capos_vsnprintf (lib/src/printf.c) against a table of
 * formats, each also checked against the host C library's snprintf, plus
 * truncation and the return value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

int capos_snprintf(char *buf, size_t n, const char *fmt, ...);

/* Formats both ways and compares with the expected text. */
#define CHECK(expected, ...)                                                      \
	do {                                                                      \
		char a[256], b[256];                                              \
		int ra = capos_snprintf(a, sizeof(a), __VA_ARGS__);               \
		int rb = snprintf(b, sizeof(b), __VA_ARGS__);                     \
		assert_string_equal(a, expected);                                 \
		assert_string_equal(b, expected);                                 \
		assert_int_equal(ra, rb);                                         \
		assert_int_equal(ra, (int)strlen(expected));                      \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("0", "%d", 0);
	CHECK("-1", "%d", -1);
	CHECK("2147483647 -2147483648", "%d %i", 2147483647, (int)-2147483647 - 1);
	CHECK("4294967295", "%u", 4294967295u);
	CHECK("beef BEEF", "%x %X", 0xbeefu, 0xbeefu);
	CHECK("ffffffffffffffff", "%lx", 0xfffffffffffffffful);
	CHECK("18446744073709551615", "%lu", 18446744073709551615ul);
	CHECK("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK("123456789012", "%lld", 123456789012ll);
	CHECK("77", "%zu", (size_t)77);
	CHECK("-5", "%zd", (ptrdiff_t)-5);
	CHECK("17", "%o", 15u);
	CHECK("-1 255", "%hhd %hhu", 255, 255);
	CHECK("-1 65535", "%hd %hu", 65535, 65535);
	CHECK("+5 -5  5", "%+d %+d % d", 5, -5, 5);
	CHECK("0xff 0XFF 017 0", "%#x %#X %#o %#x", 255u, 255u, 15u, 0u);
}

static void test_width_flags(void **state)
{
	(void)state;
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("-42  ", "%-05d", -42);
	CHECK("  -42", "%5d", -42);
	CHECK("000000beef", "%010x", 0xbeefu);
	CHECK("0x00ff", "%#06x", 255u);
	CHECK("   007", "%6.3d", 7);
	CHECK("007   |", "%-6.3d|", 7);
	CHECK("   007", "%06.3d", 7);
	CHECK("|  |", "|%.0d%2s|", 0, "");
	CHECK("   ab", "%*s", 5, "ab");
	CHECK("ab   |", "%*s|", -5, "ab");
	CHECK("  0012", "%*.*d", 6, 4, 12);
	CHECK("12345", "%3d", 12345);
}

static void test_strings_chars(void **state)
{
	(void)state;
	CHECK("hello", "%s", "hello");
	CHECK("hel", "%.3s", "hello");
	CHECK("  hel", "%5.3s", "hello");
	CHECK("hel  |", "%-5.3s|", "hello");
	CHECK("he", "%.*s", 2, "hello");
	CHECK("hello", "%.10s", "hello");
	CHECK("x", "%c", 'x');
	CHECK("  x|x  ", "%3c|%-3c", 'x', 'x');
	CHECK("100%", "%d%%", 100);
	CHECK("0x1000", "%p", (void *)0x1000);
	CHECK("0x7fffffffa000", "%p", (void *)0x7fffffffa000);
	CHECK("    0x1000", "%10p", (void *)0x1000);
	CHECK("0x1000    |", "%-10p|", (void *)0x1000);
}

static void test_own_choices(void **state)
{
	(void)state;
	char b[64];
	/* Where C leaves it open or glibc differs, the runtime's choice. */
	assert_int_equal(capos_snprintf(b, sizeof(b), "%p", (void *)0), 3);
	assert_string_equal(b, "0x0");
	capos_snprintf(b, sizeof(b), "%s", (char *)NULL);
	assert_string_equal(b, "(null)");
	capos_snprintf(b, sizeof(b), "a%qb%");
	assert_string_equal(b, "a%qb%");
	capos_snprintf(b, sizeof(b), "%5k|");
	assert_string_equal(b, "%5k|");
}

static void test_truncation(void **state)
{
	(void)state;
	char b[8];
	memset(b, 'X', sizeof(b));
	assert_int_equal(capos_snprintf(b, 5, "%s", "abcdefgh"), 8);
	assert_string_equal(b, "abcd");
	assert_int_equal(b[5], 'X'); /* nothing written past n */
	assert_int_equal(capos_snprintf(b, 1, "%d", 12345), 5);
	assert_int_equal(b[0], '\0');
	b[0] = 'Q';
	assert_int_equal(capos_snprintf(b, 0, "%d", 12345), 5);
	assert_int_equal(b[0], 'Q'); /* n = 0 writes nothing */
	assert_int_equal(capos_snprintf(NULL, 0, "%08x", 1u), 8);
	char big[300];
	assert_int_equal(capos_snprintf(big, sizeof(big), "%200d|", 1), 201);
	assert_int_equal(strlen(big), 201);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_flags),
		cmocka_unit_test(test_strings_chars),
		cmocka_unit_test(test_own_choices),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
