/*
 * Component test: the shell's avatar catalog and the principal -> avatar
 * choice (servers/shell/avatar.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "avatar.h"

static void test_catalog_well_formed(void **st)
{
	(void)st;
	size_t n = avatar_count();
	assert_true(n >= 8);
	assert_null(avatar_at(n));
	for (size_t i = 0; i < n; i++) {
		const struct avatar *a = avatar_at(i);
		assert_non_null(a);
		assert_non_null(a->name);
		assert_true(a->name[0] != '\0');
		for (size_t j = 0; j < i; j++) /* names are distinct */
			assert_string_not_equal(a->name, avatar_at(j)->name);
		assert_in_range(a->nlines, AVATAR_MIN_LINES, AVATAR_MAX_LINES);
		for (unsigned l = 0; l < a->nlines; l++) {
			const char *line = a->lines[l];
			assert_non_null(line);
			size_t len = strlen(line);
			assert_true(len > 0);
			assert_true(len <= AVATAR_MAX_WIDTH);
			for (size_t c = 0; c < len; c++)
				assert_in_range((unsigned char)line[c], 0x20, 0x7e);
			assert_true(line[len - 1] != ' '); /* no trailing space */
			/* not a line of blanks either */
			size_t sp = strspn(line, " ");
			assert_true(sp < len);
		}
		for (unsigned l = a->nlines; l < AVATAR_MAX_LINES; l++)
			assert_null(a->lines[l]);
	}
}

static void test_fnv1a_reference(void **st)
{
	(void)st;
	/* FNV-1a 64 reference values */
	assert_true(avatar_hash("") == 0xcbf29ce484222325ull);
	assert_true(avatar_hash(NULL) == 0xcbf29ce484222325ull);
	assert_true(avatar_hash("a") == 0xaf63dc4c8601ec8cull);
	assert_true(avatar_hash("foobar") == 0x85944171f73967e8ull);
}

static void test_deterministic(void **st)
{
	(void)st;
	const char *names[] = { "alice", "bob", "operator", "root", "", "x" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct avatar *a = avatar_for(names[i]);
		assert_non_null(a);
		char copy[32];
		snprintf(copy, sizeof(copy), "%s", names[i]);
		for (int k = 0; k < 5; k++) {
			assert_ptr_equal(avatar_for(names[i]), a);
			assert_ptr_equal(avatar_for(copy), a); /* by content, not pointer */
		}
	}
	/* the anonymous principal, empty or NULL, has one (the same) */
	assert_non_null(avatar_for(""));
	assert_ptr_equal(avatar_for(NULL), avatar_for(""));
}

static void test_spread(void **st)
{
	(void)st;
	size_t n = avatar_count();
	size_t hits[64] = { 0 };
	assert_true(n <= 64);
	const int total = 1000;
	for (int i = 0; i < total; i++) {
		char p[32];
		snprintf(p, sizeof(p), "user%d", i);
		const struct avatar *a = avatar_for(p);
		size_t idx = (size_t)(a - avatar_at(0));
		assert_true(idx < n);
		assert_ptr_equal(avatar_at(idx), a);
		hits[idx]++;
	}
	size_t fair = (size_t)total / n;
	for (size_t i = 0; i < n; i++) {
		assert_true(hits[i] > 0);
		assert_true(hits[i] <= 3 * fair);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_well_formed),
		cmocka_unit_test(test_fnv1a_reference),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_spread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
