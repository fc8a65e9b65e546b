/*
 * init_host.h - forced into init's sources for the host fuzzer
 * (fuzz_srv_init.c): what init's freestanding libc has and glibc 2.36
 * does not.
 */
#ifndef TESTS_FUZZ_INIT_HOST_H
#define TESTS_FUZZ_INIT_HOST_H
#include <stddef.h>
size_t strlcpy(char *dst, const char *src, size_t size);
#endif
