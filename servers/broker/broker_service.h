/*
 * broker_service.h - the authority broker's logic (idl/broker.proto), free
 * of system calls, so the same code serves on the target and in the host
 * component tests (docs/servers/broker.md).
 *
 * One endpoint carries three services, told apart by the badge of the cap
 * that called:
 *   - a manifest client's badge (small, or 0): AuthorityBroker;
 *   - a session badge (minted by the broker at open): Session;
 *   - a grant badge (minted at RequestGrant): the granted interface,
 *     checked here and forwarded to the cap that really serves it.
 * Badges carry the broker instance's epoch, the table index and a
 * generation, so a closed session, its grants, and every cap a previous
 * broker instance minted answer INVALID_CAP.
 *
 * Invariants:
 *   - a session or grant answers only while its entry is live and the
 *     badge's epoch and generation match it;
 *   - a grant is live only while its session is;
 *   - an anonymous session never holds "shutdown", "maintenance" or
 *     "process-control", whatever the policy says;
 *   - a wrong credential and an unknown principal take the same path: the
 *     same status (DENIED), the same Argon2id work or the same number of
 *     PublicKey.Verify calls;
 *   - every principal the policy names has its own back-off entry, which
 *     no failure of another name can evict; an unknown name is slowed by
 *     its own entry or, when the unknown-name table is full of waiting
 *     entries, by the one overflow entry they share;
 *   - every open, failure, grant, refusal and close is appended to the
 *     audit log and written to the log;
 *   - once ShutdownControl accepted a Shutdown, no call is forwarded there
 *     again (going_down): the broker never waits on a server that waits
 *     on init's stop.
 */
#ifndef SERVERS_BROKER_SERVICE_H
#define SERVERS_BROKER_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.capos.h"
#include "broker_login.h"
#include "broker.capos.h"
#include "manifest.pb.h"

#define BROKER_MAX_SESSIONS 16u
#define BROKER_MAX_GRANTS 32u
#define BROKER_MAX_NONCES 8u
/* Unknown names with a back-off entry of their own; beyond them, every
 * unknown name shares one overflow entry (docs/servers/broker.md). */
#define BROKER_MAX_UNKNOWN_FAILS 8u
/* The policy's principals at most (idl/manifest.options). */
#define BROKER_MAX_PRINCIPALS \
	(sizeof(((capos_BrokerPolicy *)0)->principals) / sizeof(capos_Principal))
#define BROKER_NONCE_TTL_MS 30000u
#define BROKER_BACKOFF_DEFAULT_MS 500u
#define BROKER_BACKOFF_MAX_DEFAULT_MS 30000u

/* Badges: epoch (24 bits) | type (8) | index (16) | generation (16). */
#define BROKER_BADGE_SESSION 0x53u /* 'S' */
#define BROKER_BADGE_GRANT 0x47u   /* 'G' */
#define BROKER_BADGE(epoch, type, index, gen)                                         \
	(((uint64_t)((epoch) & 0xffffffu) << 40) | ((uint64_t)(type) << 32) |          \
	 ((uint64_t)((index) & 0xffffu) << 16) | (uint64_t)((gen) & 0xffffu))
#define BROKER_BADGE_TYPE(b) ((uint32_t)(((b) >> 32) & 0xffu))

/* The closed set of grant names (the validator knows the same list). */
enum broker_grant_kind {
	BROKER_GRANT_SHUTDOWN = 0,
	BROKER_GRANT_MAINTENANCE,
	BROKER_GRANT_LOG_READER,
	BROKER_GRANT_PROCESS_CONTROL,
	BROKER_GRANT_KINDS
};
extern const char *const broker_grant_names[BROKER_GRANT_KINDS];
/* The interface each grant's cap speaks (GrantResult.interface_id). */
extern const uint32_t broker_grant_interfaces[BROKER_GRANT_KINDS];
/* A grant name's kind, or -1. */
int broker_grant_kind(const char *name);

/* What the target (or a test) provides. */
struct broker_env {
	void *ctx;
	uint64_t (*now_ms)(void *ctx);                    /* monotonic */
	void (*random)(void *ctx, uint8_t *out, size_t n); /* nonces */
	/* A SEND cap to the broker's own endpoint with `badge`, in a slot the
	 * reply may move out; CAPOS_NO_CAP if it cannot. */
	capos_cap_t (*mint)(void *ctx, uint64_t badge);
	/* One line to the system log (level: enum capos_LogLevel). */
	void (*log)(void *ctx, int level, const char *line);
	capos_cap_t audit;                        /* AuditLog, or CAPOS_NO_CAP */
	capos_cap_t grant_cap[BROKER_GRANT_KINDS]; /* what each grant forwards to */
};

struct broker_session {
	int live;
	uint16_t gen;
	uint64_t id;
	capos_SessionKind kind;
	int principal; /* index in the policy, -1: anonymous */
	uint64_t opened_ms;
};

struct broker_grant {
	int live;
	uint16_t gen;
	uint32_t session;
	uint16_t session_gen;
	enum broker_grant_kind kind;
	uint64_t id;
};

struct broker_nonce {
	int live;
	char principal[32];
	uint8_t nonce[BROKER_NONCE_LEN];
	uint64_t expires_ms;
};

struct broker_fail {
	char principal[32];
	uint32_t failures;
	uint64_t until_ms; /* no attempt before this */
	uint64_t last_ms;
};

struct broker_state {
	const capos_BrokerPolicy *policy;
	struct broker_env env;
	uint32_t epoch; /* 24 bits, never 0 */
	uint64_t next_session_id;
	uint64_t next_grant_id;
	struct broker_session sessions[BROKER_MAX_SESSIONS];
	struct broker_grant grants[BROKER_MAX_GRANTS];
	struct broker_nonce nonces[BROKER_MAX_NONCES];
	/* Back-off: one entry per principal the policy names (by its index:
	 * never evicted), a least-recently-failed table of unknown names, and
	 * one entry shared by the unknown names the table has no room for. */
	struct broker_fail known_fails[BROKER_MAX_PRINCIPALS];
	struct broker_fail unknown_fails[BROKER_MAX_UNKNOWN_FAILS];
	struct broker_fail overflow_fails;
	/* PublicKey caps per principal (SIGNATURE principals), CAPOS_NO_CAP
	 * where none; set by the caller after broker_init. */
	capos_cap_t key[BROKER_MAX_PRINCIPALS];
	/* The mode of the Shutdown ShutdownControl accepted, or 0. From then
	 * on the broker answers every Shutdown itself (OK for the same mode,
	 * WOULD_BLOCK for another), audited as ever: the shutdown server is
	 * inside init's stop, and a call forwarded there would keep the broker
	 * from its own stop notice until init killed it. */
	capos_ShutdownMode going_down;
	/* Counters for tests and the bench. */
	uint64_t verify_calls; /* PublicKey.Verify calls made */
	uint64_t argon2_runs;  /* Argon2id verifications run */
};

/* Sets up an empty broker under `policy` (kept by pointer). epoch: any
 * value, reduced to 24 non-zero bits. */
void broker_init(struct broker_state *s, const capos_BrokerPolicy *policy,
		 const struct broker_env *env, uint32_t epoch);

/* Imports each SIGNATURE principal's public key into the crypto server
 * through its KeyVault `vault` (CAPOS_NO_CAP: none), keeping the PublicKey
 * caps in s->key; a key that cannot be imported is logged, and that
 * principal's logins fail. Returns the number of keys imported. */
uint32_t broker_import_keys(struct broker_state *s, capos_cap_t vault);

/* The endpoint's binding: routes each call by its badge (see above). */
struct capos_rpc_service broker_endpoint_service(struct broker_state *s);

/* The `policy` parameter init writes: base64 of the encoded BrokerPolicy.
 * 1 and *out filled, or 0 (bad base64, or not a BrokerPolicy). */
int broker_policy_decode(const char *text, capos_BrokerPolicy *out);

/* Is `grant` allowed to a session of this kind and principal (-1:
 * anonymous)? CAPOS_OK, or DENIED with *why a short reason. */
capos_status_t broker_policy_allows(const capos_BrokerPolicy *p, capos_SessionKind kind,
				    int principal, enum broker_grant_kind grant, const char **why);

#endif
