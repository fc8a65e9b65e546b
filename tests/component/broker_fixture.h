/*
 * broker_fixture.h - the authority broker (servers/broker) over the host
 * loopback with the real servers behind it, shared by component_broker,
 * component_shell_session and fuzz_broker:
 *   - the real audit server (AuditLog) the broker records to;
 *   - the real log server: the broker's log lines go to its sink as the
 *     source "broker", and the "log-reader" and "process-control" grants
 *     forward to its LogReader (process-control needs init; any server of
 *     another interface shows the forwarding refuses the mismatch);
 *   - the real crypto server: the broker imports each SIGNATURE
 *     principal's public key into its KeyVault at start, as on the target,
 *     and checks signatures with PublicKey.Verify there; KeySource admits
 *     the development key "dev-sign" (a development system), whose public
 *     half is bfx_dev_sign_public, so tests sign as the QEMU client does;
 *   - the real ShutdownControl logic (servers/shutdown) with its platform
 *     hooks recording instead of writing ports and stopping components;
 *     it answers its caller first, and the stop and the port write run
 *     when the test calls shutdown_finish(&bfx.shutdown), as the target's
 *     service loop does once the reply is out. Calls reaching it are
 *     counted, and those made while the stop runs (during_stop: the
 *     test's calls from inside init's stop) counted apart.
 * Everything is static and reset by bfx_setup(); one fixture per program.
 */
#ifndef TESTS_COMPONENT_BROKER_FIXTURE_H
#define TESTS_COMPONENT_BROKER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <capos/transport.h>

#include "audit_service.h"
#include "broker_service.h"
#include "crypto_service.h"
#include "log_service.h"
#include "shutdown_service.h"

/* Loopback slots. */
#define BFX_BROKER_CAP 1   /* the broker's endpoint, a manifest client's badge */
#define BFX_AUDIT_CAP 2    /* AuditLog, the broker's badge */
#define BFX_SHUTDOWN_CAP 3 /* ShutdownControl */
#define BFX_LOGS_CAP 4     /* LogReader */
#define BFX_SINK_CAP 5     /* LogSink, the broker's badge */
#define BFX_VAULT_CAP 6    /* the crypto server (KeyVault, KeySource, key caps) */

#define BFX_BROKER_BADGE 9u /* the broker's badge at the audit and log servers */

struct broker_fixture {
	capos_BrokerPolicy policy; /* filled by the test before bfx_start_broker */
	struct broker_state broker;
	struct audit_state audit;
	capos_AuditRecord records[256];
	struct log_state log;
	struct crypto_state crypto;
	struct shutdown_state shutdown;
	uint64_t now_ms;   /* the broker's clock */
	uint32_t log_lines; /* lines the broker wrote to its log */
	/* What ShutdownControl did: stops asked (and the last reason), port
	 * writes (and the last one). */
	uint32_t stops;
	char stop_reason[64];
	uint32_t port_writes;
	uint16_t port;
	uint32_t port_value;
	capos_status_t stop_status; /* what init's Stop answers (OK by default) */
	void (*during_stop)(void);  /* the test's calls while the stop runs */
	int in_stop;
	uint32_t shutdown_calls;     /* calls that reached ShutdownControl */
	uint32_t shutdown_calls_in_stop; /* of which while the stop ran */
};
extern struct broker_fixture bfx;

/* dev-sign's public point (uncompressed SEC1), as the manifests name it. */
extern const uint8_t bfx_dev_sign_public[65];

/* Resets the loopback and starts the audit, log, crypto and shutdown
 * servers; the policy is emptied and the clock set to 1000 ms. */
void bfx_setup(void);

/* (Re)starts the broker under bfx.policy with `epoch` (a restart: a new
 * epoch) and imports its principals' public keys. Returns the number of
 * keys imported. */
uint32_t bfx_start_broker(uint32_t epoch);

/* A principal in bfx.policy: verifier and public_key may be NULL; grants a
 * NULL-terminated list. Returns its index. */
int bfx_add_principal(const char *name, const char *verifier, const uint8_t *public_key,
		      const char *const *grants);

/* The dev-sign private key as a cap of the crypto server (KeySource). */
capos_cap_t bfx_dev_sign_key(void);

/* A fresh P-256 private key in the crypto server (a stranger's key). */
capos_cap_t bfx_other_key(void);

/* `key` signs the login message of `principal` and `nonce` through
 * PrivateKey.Sign; sig gets the 64-byte r||s. */
capos_status_t bfx_sign(capos_cap_t key, const char *principal, const uint8_t *nonce,
			uint8_t *sig);

/* An OpenSession(SIGNATURE) body: principal, nonce, signature. */
capos_OpenSessionRequest bfx_signature_request(const char *principal, const uint8_t *nonce,
					       const uint8_t *sig);

#endif
