/*
 * rdrand.h - the CPU's RDRAND as the crypto server's entropy source.
 */
#ifndef SERVERS_CRYPTO_RDRAND_H
#define SERVERS_CRYPTO_RDRAND_H

#include <stddef.h>

/* 1 when CPUID says the CPU has RDRAND. */
int rdrand_present(void);
/* Fills buf (crypto_entropy_fn): 0, or -1 when RDRAND is absent or a word
 * stays unavailable after 10 tries (the buffer is wiped then). */
int rdrand_fill(void *arg, void *buf, size_t len);

#endif
