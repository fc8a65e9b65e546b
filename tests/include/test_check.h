/*
 * test_check.h - CHECK for the host test programs that run without
 * cmocka (tests/unit/test_bootpkg_file.c, tests/crosscheck/
 * test_console_encode.c): a condition that does not hold is printed with
 * its file and line and a printf-style message, counted in `failures`,
 * and the test goes on, so one run shows every mismatch. main() turns
 * `failures` into the exit status. One test program per file including it.
 */
#ifndef TESTS_INCLUDE_TEST_CHECK_H
#define TESTS_INCLUDE_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			failures++;                                           \
		}                                                             \
	} while (0)

#endif
