/*
 * capos/status_names.h - the names of enum capos_status (capos/abi.h),
 * from one table (lib/src/status_names.c) for every program that prints a
 * status by name: the shell, the test programs. A unit test
 * (tests/runtime/test_status_names.c) checks the table against the enum
 * in abi.h itself, so a status added there without its name fails it.
 */
#ifndef CAPOS_STATUS_NAMES_H
#define CAPOS_STATUS_NAMES_H

#include <capos/abi.h>

/* Room for any name below, NUL included ("STATUS_-9223372036854775808"). */
#define CAPOS_STATUS_NAME_MAX 32

/* 1 when st is a value of enum capos_status, else 0. */
int capos_status_known(capos_status_t st);

/* "OK", "NOT_FOUND", ...: the enumerator without CAPOS_; for any other
 * value "STATUS_<n>" (decimal), written into buf. Returns the name. */
const char *capos_status_name_r(capos_status_t st, char buf[CAPOS_STATUS_NAME_MAX]);

/* capos_status_name_r with one buffer of the library's for the fallback:
 * the text of an unknown value lasts until the next such call (a program
 * printing from several threads uses capos_status_name_r). */
const char *capos_status_name(capos_status_t st);

#endif
