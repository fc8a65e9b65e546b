/*
 * test_status_names.c - lib/src/status_names.c against enum capos_status
 * as abi.h declares it (status_list.h, generated from the header by
 * gen_status_list.py): every enumerator has its own spelling as its name,
 * no other value has a name, and an unknown value gets "STATUS_<n>".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <capos/status_names.h>

static const struct {
	capos_status_t value;
	const char *name;
} abi_statuses[] = {
#include "status_list.h"
};
#define N_ABI (sizeof(abi_statuses) / sizeof(abi_statuses[0]))

static int in_abi(capos_status_t v)
{
	for (size_t i = 0; i < N_ABI; i++)
		if (abi_statuses[i].value == v)
			return 1;
	return 0;
}

static void test_every_status_named(void **st)
{
	(void)st;
	assert_true(N_ABI >= 14); /* OK .. NOT_FOUND at least */
	for (size_t i = 0; i < N_ABI; i++) {
		capos_status_t v = abi_statuses[i].value;
		if (!capos_status_known(v))
			fail_msg("enum capos_status value %lld (CAPOS_%s) has no name in "
				 "lib/src/status_names.c", (long long)v, abi_statuses[i].name);
		assert_string_equal(capos_status_name(v), abi_statuses[i].name);
		char buf[CAPOS_STATUS_NAME_MAX];
		assert_string_equal(capos_status_name_r(v, buf), abi_statuses[i].name);
	}
}

static void test_no_extra_names(void **st)
{
	(void)st;
	/* The table holds nothing abi.h lacks (a stale or mistyped entry). */
	for (capos_status_t v = -4; v < 256; v++)
		if (capos_status_known(v) && !in_abi(v))
			fail_msg("status %lld has a name ('%s') but no enumerator in abi.h",
				 (long long)v, capos_status_name(v));
}

static void test_fallback(void **st)
{
	(void)st;
	char buf[CAPOS_STATUS_NAME_MAX];
	capos_status_t above = 0;
	for (size_t i = 0; i < N_ABI; i++)
		if (abi_statuses[i].value >= above)
			above = abi_statuses[i].value + 1;
	char want[CAPOS_STATUS_NAME_MAX];
	snprintf(want, sizeof(want), "STATUS_%lld", (long long)above);
	assert_false(capos_status_known(above));
	assert_string_equal(capos_status_name(above), want);
	assert_false(capos_status_known(99));
	assert_string_equal(capos_status_name(99), "STATUS_99");
	assert_string_equal(capos_status_name(77), "STATUS_77");
	assert_string_equal(capos_status_name_r(1000000, buf), "STATUS_1000000");
	assert_ptr_equal(capos_status_name_r(1000000, buf), buf);
	assert_false(capos_status_known(-1));
	assert_string_equal(capos_status_name(-1), "STATUS_-1");
	assert_string_equal(capos_status_name_r(INT64_MIN, buf), "STATUS_-9223372036854775808");
	assert_string_equal(capos_status_name_r(INT64_MAX, buf), "STATUS_9223372036854775807");
	/* A known name is the table's own string, not the buffer. */
	assert_ptr_not_equal(capos_status_name_r(CAPOS_NOT_FOUND, buf), buf);
	assert_string_equal(capos_status_name(CAPOS_NOT_FOUND), "NOT_FOUND");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_status_named),
		cmocka_unit_test(test_no_extra_names),
		cmocka_unit_test(test_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
