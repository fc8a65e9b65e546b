/*
 * crypto_service.c - setup (the DRBG's self-test and seed, the epoch) and
 * the one dispatcher behind which KeyVault, KeySource and the key caps
 * (SymmetricKey, PrivateKey, PublicKey) are served (crypto_service.h has
 * the invariants; docs/servers/crypto.md the behaviour). The parts:
 * crypto_keys.c (slots and handles), crypto_vault.c (KeyVault, KeySource),
 * crypto_keyops.c (what a key cap does).
 */
#include <string.h>

#include <capos/transport.h>

#include "crypto_keys.h"

/* SP 800-90A HMAC_DRBG with SHA-256: seed 00 01 .. 2f, two 32-byte
 * Generates. The expected bytes come from an independent implementation
 * of the standard (Python's hmac), so a broken or miscompiled DRBG fails
 * here and the server refuses to make keys. */
static const uint8_t drbg_kat[2][32] = {
	{ 0x0f, 0xfb, 0x80, 0x87, 0x5a, 0x3e, 0x90, 0x22, 0xa4, 0x94, 0x1a, 0x3f, 0xa1, 0xb0, 0xd3, 0x61,
	  0x1d, 0xf1, 0x4e, 0x1c, 0xf6, 0x51, 0xa7, 0x3c, 0xe9, 0x22, 0x9b, 0x9f, 0x3a, 0xd5, 0x68, 0x87 },
	{ 0x08, 0x76, 0x76, 0x56, 0xd3, 0xe9, 0x66, 0x9e, 0xb6, 0x68, 0xd1, 0xe1, 0xf5, 0xb8, 0x0d, 0x27,
	  0xbb, 0x1a, 0xee, 0x12, 0xff, 0x71, 0x9e, 0xeb, 0x83, 0xe3, 0xdc, 0xe0, 0x06, 0x71, 0x8c, 0x16 },
};

int crypto_drbg_selftest(void)
{
	uint8_t seed[48], out[32];
	br_hmac_drbg_context d;
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	br_hmac_drbg_init(&d, &br_sha256_vtable, seed, sizeof(seed));
	int ok = 1;
	for (int i = 0; i < 2; i++) {
		br_hmac_drbg_generate(&d, out, sizeof(out));
		ok &= crypto_equal_ct(out, drbg_kat[i], sizeof(out));
	}
	crypto_wipe(&d, sizeof(d));
	return ok;
}

int crypto_init(struct crypto_state *s, const struct crypto_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (s->cfg.max_keys == 0)
		s->cfg.max_keys = CRYPTO_KEYS_DEFAULT;
	if (s->cfg.max_keys > CRYPTO_KEYS_MAX)
		s->cfg.max_keys = CRYPTO_KEYS_MAX;
	if (s->cfg.npolicy > CRYPTO_POLICY_MAX)
		s->cfg.npolicy = CRYPTO_POLICY_MAX;
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX; i++)
		s->keys[i].gen = 1;

	/* 48 bytes: 256 bits of entropy and a 128-bit nonce (SP 800-90A). */
	uint8_t seed[48];
	if (cfg->entropy && crypto_drbg_selftest() &&
	    cfg->entropy(cfg->entropy_arg, seed, sizeof(seed)) == 0) {
		br_hmac_drbg_init(&s->drbg, &br_sha256_vtable, seed, sizeof(seed));
		s->drbg_ready = 1;
	}
	crypto_wipe(seed, sizeof(seed));

	uint32_t epoch = 0;
	if (s->drbg_ready)
		br_hmac_drbg_generate(&s->drbg, &epoch, sizeof(epoch));
	else
		epoch = cfg->epoch_fallback;
	s->epoch = epoch & 0xffffffu;
	if (s->epoch == 0)
		s->epoch = 1;
	return s->drbg_ready;
}

/* ---- the dispatcher ------------------------------------------------------- */

struct crypto_access {
	int readonly;
};
static const struct crypto_access access_full = { 0 };
static const struct crypto_access access_view = { 1 };

static capos_status_t crypto_dispatch(const void *ops, void *ctx, struct capos_rpc_request *rq)
{
	const struct crypto_access *a = ops;
	struct crypto_state *s = ctx;
	uint32_t iface = CAPOS_RPC_INTERFACE(rq->label);
	s->cur = NULL;

	if (rq->badge & CRYPTO_KEY_BADGE) {
		/* A key cap: only ever minted from the full binding. */
		struct crypto_key *k = a->readonly ? NULL
						   : crypto_key_lookup(s, rq->badge & ~CRYPTO_KEY_BADGE);
		if (!k)
			return CAPOS_INVALID_CAP; /* destroyed, or an earlier instance's */
		s->cur = k;
		capos_status_t st = CAPOS_UNSUPPORTED;
		if (iface == SYMMETRICKEY_INTERFACE_ID && k->kind == capos_KeyKind_KEY_KIND_SYMMETRIC)
			st = symmetrickey_dispatch(&crypto_sym_ops, s, rq);
		else if (iface == PRIVATEKEY_INTERFACE_ID && k->kind == capos_KeyKind_KEY_KIND_PRIVATE)
			st = privatekey_dispatch(&crypto_priv_ops, s, rq);
		else if (iface == PUBLICKEY_INTERFACE_ID && k->kind == capos_KeyKind_KEY_KIND_PUBLIC)
			st = publickey_dispatch(&crypto_pub_ops, s, rq);
		s->cur = NULL;
		return st;
	}
	switch (iface) {
	case KEYVAULT_INTERFACE_ID:
		return keyvault_dispatch(a->readonly ? &crypto_view_ops : &crypto_vault_ops, s, rq);
	case KEYSOURCE_INTERFACE_ID:
		return a->readonly ? CAPOS_DENIED : keysource_dispatch(&crypto_source_ops, s, rq);
	case SYMMETRICKEY_INTERFACE_ID:
	case PRIVATEKEY_INTERFACE_ID:
	case PUBLICKEY_INTERFACE_ID:
		return CAPOS_INVALID_CAP; /* no key behind a client's cap */
	default:
		return CAPOS_UNSUPPORTED;
	}
}

struct capos_rpc_service crypto_service(struct crypto_state *s, int readonly)
{
	/* One binding for every interface: the badge says which (see the
	 * header). The interface id is the vault's, what init's manifest
	 * names; the dispatcher answers the others itself. */
	struct capos_rpc_service svc = {
		.interface_id = KEYVAULT_INTERFACE_ID,
		.dispatch = crypto_dispatch,
		.ops = readonly ? &access_view : &access_full,
		.ctx = s,
	};
	return svc;
}

