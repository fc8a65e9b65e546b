/*
 * broker_login.h - what a SIGNATURE login signs (docs/servers/broker.md):
 * shared by the broker, which verifies it, and the clients that sign it
 * (tests/programs/broker_signer.c, bench/programs/bench_broker.c), so the
 * two sides cannot drift apart. No system calls, no other dependency.
 */
#ifndef SERVERS_BROKER_LOGIN_H
#define SERVERS_BROKER_LOGIN_H

#include <stddef.h>
#include <stdint.h>

#define BROKER_NONCE_LEN 32u
#define BROKER_SIGNATURE_LEN 64u

/* "capOS login v1", NUL, the principal, NUL, the 32-byte nonce. Returns
 * the length written (0 if it does not fit in cap). */
size_t broker_login_message(const char *principal, const uint8_t *nonce, uint8_t *out,
			    size_t cap);

#endif
