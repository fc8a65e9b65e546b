/*
 * crypto_keys.c - the vault's slots: handles (epoch, generation, index),
 * lookups that refuse stale handles, the key limit, loading and checking
 * material, minting a key's cap, wiping (crypto_keys.h).
 */
#include <string.h>

#include "crypto_keys.h"

#define HANDLE_GEN(h) ((uint32_t)(((h) >> 8) & 0xffffffu))
#define GEN_MAX 0xffffffu

uint32_t crypto_key_count(const struct crypto_state *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX; i++)
		n += s->keys[i].used;
	return n;
}

void crypto_key_destroy(struct crypto_key *k)
{
	uint32_t gen = k->gen;
	crypto_wipe(k, sizeof(*k));
	/* A new generation: the old handle and every cap to it stay stale.
	 * At the last generation the slot is retired (gen 0 is never valid)
	 * rather than reuse a generation. */
	k->gen = gen < GEN_MAX ? gen + 1 : 0;
}

void crypto_wipe_all(struct crypto_state *s)
{
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX; i++)
		if (s->keys[i].used)
			crypto_key_destroy(&s->keys[i]);
	crypto_wipe(&s->drbg, sizeof(s->drbg));
	s->drbg_ready = 0;
}

uint64_t crypto_key_handle(const struct crypto_state *s, const struct crypto_key *k)
{
	uint32_t index = (uint32_t)(k - s->keys);
	return (uint64_t)s->epoch << 32 | (uint64_t)k->gen << 8 | index;
}

/* The live key a handle names, or NULL (stale, foreign epoch, bad index). */
struct crypto_key *crypto_key_lookup(struct crypto_state *s, uint64_t handle)
{
	if (handle >> 56 || CRYPTO_HANDLE_EPOCH(handle) != s->epoch)
		return NULL;
	uint32_t i = CRYPTO_HANDLE_INDEX(handle);
	if (i >= CRYPTO_KEYS_MAX)
		return NULL;
	struct crypto_key *k = &s->keys[i];
	if (!k->used || k->gen == 0 || k->gen != HANDLE_GEN(handle))
		return NULL;
	return k;
}

/* A free slot within the manifest's limit, or NULL. */
struct crypto_key *crypto_key_alloc(struct crypto_state *s)
{
	if (crypto_key_count(s) >= s->cfg.max_keys)
		return NULL;
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX; i++)
		if (!s->keys[i].used && s->keys[i].gen != 0)
			return &s->keys[i];
	return NULL;
}

void crypto_key_info(const struct crypto_state *s, const struct crypto_key *k,
		     capos_KeyInfo *out)
{
	out->handle = crypto_key_handle(s, k);
	out->algorithm = k->alg;
	out->kind = k->kind;
	memcpy(out->label, k->label, sizeof(out->label));
	out->development = k->development != 0;
}

/* The key's cap in caps_out (moved: the server keeps no copy of it). */
capos_status_t crypto_key_cap(struct crypto_state *s, struct crypto_key *k,
			      struct capos_cap_list *caps_out)
{
	if (!s->cfg.mint)
		return CAPOS_UNSUPPORTED;
	capos_cap_t c = s->cfg.mint(s->cfg.mint_arg, CRYPTO_KEY_BADGE | crypto_key_handle(s, k));
	if (c == CAPOS_NO_CAP)
		return CAPOS_LIMIT_EXCEEDED; /* the server's own table is full */
	caps_out->count = 1;
	caps_out->cap[0] = c;
	caps_out->move = 1;
	return CAPOS_OK;
}

void crypto_audit(struct crypto_state *s, const struct capos_rpc_request *rq,
		  const char *action, capos_status_t st, const char *detail)
{
	if (s->cfg.audit)
		s->cfg.audit(s->cfg.audit_arg, rq ? rq->badge : 0, action, st, detail);
}

void crypto_copy_label(char *dst, const char *src)
{
	size_t n = strnlen(src, CRYPTO_LABEL_MAX - 1);
	memset(dst, 0, CRYPTO_LABEL_MAX);
	memcpy(dst, src, n);
}

/* Takes in material as a key of alg/kind: INVALID_ARGUMENT for a pair the
 * interface does not define, a wrong length, a scalar out of range or a
 * point off the curve. k is left untouched on error. */
capos_status_t crypto_key_load(struct crypto_key *k, capos_KeyAlgorithm alg, capos_KeyKind kind,
			       const uint8_t *m, size_t len)
{
	if (alg == capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256 &&
	    kind == capos_KeyKind_KEY_KIND_SYMMETRIC) {
		if (len != 2 * CRYPTO_SYM_KEY_LEN)
			return CAPOS_INVALID_ARGUMENT;
		memcpy(k->m.sym.enc, m, CRYPTO_SYM_KEY_LEN);
		memcpy(k->m.sym.mac, m + CRYPTO_SYM_KEY_LEN, CRYPTO_SYM_KEY_LEN);
	} else if (alg == capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256 &&
		   kind == capos_KeyKind_KEY_KIND_PRIVATE) {
		if (len != CRYPTO_P256_SCALAR_LEN || !crypto_p256_scalar_valid(m))
			return CAPOS_INVALID_ARGUMENT;
		if (!crypto_p256_public(m, k->m.ec.point))
			return CAPOS_INVALID_ARGUMENT;
		memcpy(k->m.ec.scalar, m, CRYPTO_P256_SCALAR_LEN);
	} else if (alg == capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256 &&
		   kind == capos_KeyKind_KEY_KIND_PUBLIC) {
		if (!crypto_p256_point_valid(m, len))
			return CAPOS_INVALID_ARGUMENT;
		memcpy(k->m.ec.point, m, CRYPTO_P256_POINT_LEN);
	} else {
		return CAPOS_INVALID_ARGUMENT;
	}
	k->alg = alg;
	k->kind = kind;
	return CAPOS_OK;
}

/* A slot filled and marked used, with its cap; on failure the slot is
 * wiped and left free. */
capos_status_t crypto_key_commit(struct crypto_state *s, struct crypto_key *k, const char *label,
				 int development, capos_KeyInfo *resp,
				 struct capos_cap_list *caps_out)
{
	crypto_copy_label(k->label, label);
	k->development = (uint8_t)(development != 0);
	k->used = 1;
	capos_status_t st = crypto_key_cap(s, k, caps_out);
	if (st != CAPOS_OK) {
		crypto_key_destroy(k);
		return st;
	}
	crypto_key_info(s, k, resp);
	return CAPOS_OK;
}

