/*
 * crypto_service.h - the crypto key service's logic (idl/crypto.proto,
 * docs/servers/crypto.md), free of system calls: the same code serves on
 * the target (main.c) and in the host tests over the loopback.
 *
 * One dispatcher (crypto_service) answers every interface of the server
 * on one endpoint, told apart by badge:
 *  - a badge with CRYPTO_KEY_BADGE set is a key cap the vault minted: the
 *    rest of the badge is the key's handle, and the call goes to
 *    SymmetricKey, PrivateKey or PublicKey by the key's kind;
 *  - any other badge is a client init granted: KeyVault and KeySource
 *    (a binding made with readonly set serves KeyVault.List alone: the
 *    shell's view).
 *
 * Invariants:
 *  - a handle is epoch << 32 | generation << 8 | index. The epoch is drawn
 *    at start, so every handle and key cap of an earlier instance of the
 *    server is stale (RAM custody); a slot's generation moves on when its
 *    key is destroyed, so the old handle and caps stay stale forever.
 *  - key material lives only in keys[]; it is wiped on Destroy, from
 *    import requests, and from every temporary buffer that held it.
 *  - with no entropy (no RDRAND, a DRBG that failed its self-test) the
 *    DRBG is not ready and Generate and Encrypt answer UNAVAILABLE: a
 *    weak key or nonce is never made (fail closed).
 */
#ifndef SERVERS_CRYPTO_SERVICE_H
#define SERVERS_CRYPTO_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "crypto.capos.h"
#include "crypto_prims.h"

#define CRYPTO_KEYS_MAX 32u            /* slots compiled in (handle index: 8 bits) */
#define CRYPTO_KEYS_DEFAULT 16u        /* the manifest's max_keys when absent */
#define CRYPTO_KEY_BADGE (1ull << 63)  /* a key cap's badge: this | handle */
#define CRYPTO_LABEL_MAX 32u           /* with the NUL: KeyInfo.label */
#define CRYPTO_POLICY_MAX 8u           /* bootstrap labels the policy may name */

/* Fills buf with len bytes of entropy: 0, or -1 when there is none. */
typedef int (*crypto_entropy_fn)(void *arg, void *buf, size_t len);
/* A cap to the server's own endpoint carrying `badge`, in a free slot of
 * the server's table (on the host: capos_loopback_mint), or CAPOS_NO_CAP. */
typedef capos_cap_t (*crypto_mint_fn)(void *arg, uint64_t badge);
/* One verdict or key event for the audit log and the log. */
typedef void (*crypto_audit_fn)(void *arg, uint64_t client, const char *action,
				capos_status_t outcome, const char *detail);

struct crypto_key {
	uint32_t gen;       /* 1..2^24-1, moves on at Destroy */
	uint8_t used;
	capos_KeyAlgorithm alg;
	capos_KeyKind kind;
	uint8_t development;
	char label[CRYPTO_LABEL_MAX];
	union {
		struct {
			uint8_t enc[CRYPTO_SYM_KEY_LEN];
			uint8_t mac[CRYPTO_SYM_KEY_LEN];
		} sym;
		struct {
			uint8_t scalar[CRYPTO_P256_SCALAR_LEN]; /* PRIVATE only */
			uint8_t point[CRYPTO_P256_POINT_LEN];
		} ec;
	} m;
};

struct crypto_config {
	uint32_t max_keys;              /* 1..CRYPTO_KEYS_MAX; 0: the default */
	int development;                /* the manifest marks the system so */
	const char *policy[CRYPTO_POLICY_MAX]; /* bootstrap labels it admits */
	uint32_t npolicy;
	crypto_entropy_fn entropy;      /* NULL: none (fail closed) */
	void *entropy_arg;
	const char *entropy_name;       /* for the log: "rdrand", "none", ... */
	crypto_mint_fn mint;
	void *mint_arg;
	crypto_audit_fn audit;          /* NULL: nothing recorded */
	void *audit_arg;
	uint32_t epoch_fallback;        /* an epoch when there is no entropy */
};

struct crypto_state {
	struct crypto_config cfg;
	struct crypto_key keys[CRYPTO_KEYS_MAX];
	uint32_t epoch;                 /* 1..2^24-1 */
	int drbg_ready;                 /* seeded and self-tested */
	br_hmac_drbg_context drbg;
	struct crypto_key *cur;         /* the key of the call being served */
};

/* Sets up an empty vault: seeds the DRBG from cfg->entropy after its
 * self-test, draws the epoch. Returns 1 when the DRBG is ready, 0 when the
 * server runs without randomness (Generate and Encrypt refuse). */
int crypto_init(struct crypto_state *s, const struct crypto_config *cfg);

/* The HMAC-DRBG known-answer test: 1 when BearSSL's HMAC-DRBG gives the
 * SP 800-90A output for a fixed seed. */
int crypto_drbg_selftest(void);

/* The binding to serve: readonly = 0 for the full interface (vault, key
 * source and key caps), 1 for a KeyVault that answers List alone. */
struct capos_rpc_service crypto_service(struct crypto_state *s, int readonly);

/* Keys held now. */
uint32_t crypto_key_count(const struct crypto_state *s);

/* Wipes every key (a clean stop; RAM custody ends either way). */
void crypto_wipe_all(struct crypto_state *s);

/* The bootstrap keys compiled into the server (crypto_bootstrap.c): fixed,
 * publicly known, development only. */
struct crypto_bootstrap_key {
	const char *label;
	capos_KeyAlgorithm alg;
	capos_KeyKind kind;
	const uint8_t *material;
	size_t len;
};
extern const struct crypto_bootstrap_key crypto_bootstrap_keys[];
extern const size_t crypto_bootstrap_count;

#endif
