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
	page.version = 2;
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
	assert_int_equal(capos_startup_find(&page, sizeof(page), "cap77", NULL), 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lookup),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_add_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
