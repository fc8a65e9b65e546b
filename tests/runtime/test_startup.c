/*
 * test_startup.c - the startup page (lib/src/startup.c): building one,
 * lookup by name, and refusing pages that are corrupt in every field the
 * runtime trusts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <capos/startup.h>

static struct capos_startup page;

static void build(void)
{
	capos_startup_init(&page, "prog", CAPOS_STARTUP_ROOT_TASK, CAPOS_TLS_VA);
	assert_true(capos_startup_add(&page, "self", 1, CAPOS_CAP_PROCESS));
	assert_true(capos_startup_add(&page, "console", 7, CAPOS_CAP_ENDPOINT));
	assert_true(capos_startup_add(&page, "a23456789012345678901_3", 9, 0)); /* 23 chars */
}

static void test_valid_lookup(void **state)
{
	(void)state;
	build();
	assert_true(capos_startup_valid(&page, sizeof(page)));
	uint32_t type = 99;
	assert_int_equal(capos_startup_find(&page, sizeof(page), "self", &type), 1);
	assert_int_equal(type, CAPOS_CAP_PROCESS);
	assert_int_equal(capos_startup_find(&page, sizeof(page), "console", &type), 7);
	assert_int_equal(type, CAPOS_CAP_ENDPOINT);
	assert_int_equal(capos_startup_find(&page, sizeof(page), "a23456789012345678901_3", NULL), 9);
	assert_string_equal(page.program, "prog");
	assert_int_equal(page.tls_base, CAPOS_TLS_VA);
	assert_true(sizeof(page) <= CAPOS_PAGE_SIZE);
}

static void test_missing(void **state)
{
	(void)state;
	build();
	uint32_t type = 99;
	assert_int_equal(capos_startup_find(&page, sizeof(page), "nosuch", &type), CAPOS_NO_CAP);
	assert_int_equal(type, 0);
	assert_int_equal(capos_startup_find(&page, sizeof(page), "sel", NULL), CAPOS_NO_CAP);
	assert_int_equal(capos_startup_find(&page, sizeof(page), "selfish", NULL), CAPOS_NO_CAP);
	assert_int_equal(capos_startup_find(&page, sizeof(page), "", NULL), CAPOS_NO_CAP);
	assert_int_equal(capos_startup_find(&page, sizeof(page), NULL, NULL), CAPOS_NO_CAP);
	assert_int_equal(capos_startup_find(NULL, 0, "self", NULL), CAPOS_NO_CAP);
	/* The first of two entries with one name wins. */
	assert_true(capos_startup_add(&page, "self", 50, 0));
	assert_int_equal(capos_startup_find(&page, sizeof(page), "self", NULL), 1);
}

static void expect_invalid(void)
{
	assert_false(capos_startup_valid(&page, sizeof(page)));
	assert_int_equal(capos_startup_find(&page, sizeof(page), "self", NULL), CAPOS_NO_CAP);
}

static void test_corrupt(void **state)
{
	(void)state;
	build();
	page.magic ^= 1;
	expect_invalid();

	build();
	page.version = CAPOS_STARTUP_VERSION + 1;
	expect_invalid();

	build();
	page.ncaps = CAPOS_STARTUP_MAX_CAPS + 1;
	expect_invalid();

	build();
	page.ncaps = 0xffffffffu;
	expect_invalid();

	build();
	memset(page.caps[1].name, 'x', CAPOS_STARTUP_NAME_MAX); /* unterminated */
	expect_invalid();

	build();
	page.caps[2].name[0] = '\0'; /* empty */
	expect_invalid();

	build();
	memset(page.program, 'p', sizeof(page.program));
	expect_invalid();

	/* A page shorter than its count says. */
	build();
	assert_false(capos_startup_valid(&page, offsetof(struct capos_startup, caps) + 2 *
						       sizeof(struct capos_startup_cap)));
	assert_true(capos_startup_valid(&page, offsetof(struct capos_startup, caps) + 3 *
						      sizeof(struct capos_startup_cap)));
	assert_false(capos_startup_valid(&page, 8));

	/* An all-zero page (creator wrote nothing). */
	memset(&page, 0, sizeof(page));
	expect_invalid();
}

static void test_add_limits(void **state)
{
	(void)state;
	capos_startup_init(&page, "a-program-name-longer-than-31-bytes", 0, 0);
	assert_int_equal(strlen(page.program), 31);
	assert_false(capos_startup_add(&page, "", 1, 0));
	assert_false(capos_startup_add(&page, NULL, 1, 0));
	assert_false(capos_startup_add(&page, "a234567890123456789012_4", 1, 0)); /* 24 chars */
	for (uint32_t i = 0; i < CAPOS_STARTUP_MAX_CAPS; i++) {
		char n[16];
		snprintf(n, sizeof(n), "cap%u", i);
		assert_true(capos_startup_add(&page, n, i, 0));
	}
	assert_false(capos_startup_add(&page, "onemore", 1, 0));
	assert_true(capos_startup_valid(&page, sizeof(page)));
	assert_int_equal(capos_startup_find(&page, sizeof(page), "cap63", NULL), 63);
}

static void test_params(void **state)
{
	(void)state;
	build();
	assert_null(capos_startup_param(&page, sizeof(page), "hostname"));
	assert_true(capos_startup_add_param(&page, "hostname", "box-7"));
	assert_true(capos_startup_add_param(&page, "badge.3", "clock"));
	assert_true(capos_startup_add_param(&page, "empty", ""));
	assert_string_equal(capos_startup_param(&page, sizeof(page), "hostname"), "box-7");
	assert_string_equal(capos_startup_param(&page, sizeof(page), "badge.3"), "clock");
	assert_string_equal(capos_startup_param(&page, sizeof(page), "empty"), "");
	/* a prefix or an extension of a key is another key */
	assert_null(capos_startup_param(&page, sizeof(page), "host"));
	assert_null(capos_startup_param(&page, sizeof(page), "hostnamex"));
	assert_null(capos_startup_param(&page, sizeof(page), "badge.30"));
	/* one value per key; keys are [a-z0-9_.], 1-31 chars */
	assert_false(capos_startup_add_param(&page, "hostname", "again"));
	assert_false(capos_startup_add_param(&page, "Host", "x"));
	assert_false(capos_startup_add_param(&page, "a=b", "x"));
	assert_false(capos_startup_add_param(&page, "", "x"));
	assert_false(capos_startup_add_param(&page, "k", NULL));
	assert_false(capos_startup_add_param(&page, "k23456789012345678901234567890_2", "x"));
	assert_true(capos_startup_add_param(&page, "k23456789012345678901234567890_", "x"));
	assert_true(capos_startup_valid(&page, sizeof(page)));
	/* the caps are still found */
	assert_int_equal(capos_startup_find(&page, sizeof(page), "console", NULL), 7);

	/* room: fill to the byte */
	capos_startup_init(&page, "p", 0, 0);
	char big[CAPOS_STARTUP_PARAMS_MAX];
	memset(big, 'v', sizeof(big));
	big[CAPOS_STARTUP_PARAMS_MAX - 2] = '\0'; /* "k=" + value + NUL: 1 byte over */
	assert_false(capos_startup_add_param(&page, "k", big));
	big[CAPOS_STARTUP_PARAMS_MAX - 3] = '\0'; /* exactly full */
	assert_true(capos_startup_add_param(&page, "k", big));
	assert_int_equal(page.params_len, CAPOS_STARTUP_PARAMS_MAX);
	assert_false(capos_startup_add_param(&page, "z", ""));
	assert_true(capos_startup_valid(&page, sizeof(page)));

	/* corrupt parameter areas make the whole page invalid */
	build();
	assert_true(capos_startup_add_param(&page, "a", "1"));
	page.params_len = CAPOS_STARTUP_PARAMS_MAX + 1;
	expect_invalid();
	build();
	assert_true(capos_startup_add_param(&page, "a", "1"));
	page.params_len--; /* last entry unterminated */
	expect_invalid();
	build();
	assert_true(capos_startup_add_param(&page, "a", "1"));
	page.params[0] = 'A'; /* bad key */
	expect_invalid();
	build();
	assert_true(capos_startup_add_param(&page, "a", "1"));
	page.params[1] = 'x'; /* no '=' */
	expect_invalid();
	build();
	assert_true(capos_startup_add_param(&page, "a", "1"));
	assert_false(capos_startup_valid(&page, offsetof(struct capos_startup, params) + 3));
	assert_true(capos_startup_valid(&page, offsetof(struct capos_startup, params) + 4));
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v = 5;
	assert_true(capos_parse_u64("0", &v));
	assert_int_equal(v, 0);
	assert_true(capos_parse_u64("1764028800", &v));
	assert_int_equal(v, 1764028800ull);
	assert_true(capos_parse_u64("0x3F8", &v));
	assert_int_equal(v, 0x3f8);
	assert_true(capos_parse_u64("18446744073709551615", &v));
	assert_int_equal(v, UINT64_MAX);
	v = 9;
	assert_false(capos_parse_u64("18446744073709551616", &v));
	assert_false(capos_parse_u64("", &v));
	assert_false(capos_parse_u64(NULL, &v));
	assert_false(capos_parse_u64("12a", &v));
	assert_false(capos_parse_u64("-1", &v));
	assert_false(capos_parse_u64("0x", &v));
	assert_false(capos_parse_u64(" 1", &v));
	assert_int_equal(v, 9); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lookup),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_add_limits),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_parse_u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
