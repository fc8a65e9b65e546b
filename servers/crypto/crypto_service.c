/*
 * crypto_service.c - KeyVault, KeySource and the key caps (SymmetricKey,
 * PrivateKey, PublicKey) behind one dispatcher (crypto_service.h has the
 * invariants; docs/servers/crypto.md the behaviour).
 */
#include <string.h>

#include <capos/transport.h>

#include "crypto_service.h"

#define HANDLE_INDEX(h) ((uint32_t)((h) & 0xffu))
#define HANDLE_GEN(h)   ((uint32_t)(((h) >> 8) & 0xffffffu))
#define HANDLE_EPOCH(h) ((uint32_t)(((h) >> 32) & 0xffffffu))
#define GEN_MAX 0xffffffu

/* ---- setup ---------------------------------------------------------------- */

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

uint32_t crypto_key_count(const struct crypto_state *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX; i++)
		n += s->keys[i].used;
	return n;
}

static void key_destroy(struct crypto_key *k)
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
			key_destroy(&s->keys[i]);
	crypto_wipe(&s->drbg, sizeof(s->drbg));
	s->drbg_ready = 0;
}

/* ---- keys ----------------------------------------------------------------- */

static uint64_t key_handle(const struct crypto_state *s, const struct crypto_key *k)
{
	uint32_t index = (uint32_t)(k - s->keys);
	return (uint64_t)s->epoch << 32 | (uint64_t)k->gen << 8 | index;
}

/* The live key a handle names, or NULL (stale, foreign epoch, bad index). */
static struct crypto_key *key_lookup(struct crypto_state *s, uint64_t handle)
{
	if (handle >> 56 || HANDLE_EPOCH(handle) != s->epoch)
		return NULL;
	uint32_t i = HANDLE_INDEX(handle);
	if (i >= CRYPTO_KEYS_MAX)
		return NULL;
	struct crypto_key *k = &s->keys[i];
	if (!k->used || k->gen == 0 || k->gen != HANDLE_GEN(handle))
		return NULL;
	return k;
}

/* A free slot within the manifest's limit, or NULL. */
static struct crypto_key *key_alloc(struct crypto_state *s)
{
	if (crypto_key_count(s) >= s->cfg.max_keys)
		return NULL;
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX; i++)
		if (!s->keys[i].used && s->keys[i].gen != 0)
			return &s->keys[i];
	return NULL;
}

static void key_info(const struct crypto_state *s, const struct crypto_key *k,
		     capos_KeyInfo *out)
{
	out->handle = key_handle(s, k);
	out->algorithm = k->alg;
	out->kind = k->kind;
	memcpy(out->label, k->label, sizeof(out->label));
	out->development = k->development != 0;
}

/* The key's cap in caps_out (moved: the server keeps no copy of it). */
static capos_status_t key_cap(struct crypto_state *s, struct crypto_key *k,
			      struct capos_cap_list *caps_out)
{
	if (!s->cfg.mint)
		return CAPOS_UNSUPPORTED;
	capos_cap_t c = s->cfg.mint(s->cfg.mint_arg, CRYPTO_KEY_BADGE | key_handle(s, k));
	if (c == CAPOS_NO_CAP)
		return CAPOS_LIMIT_EXCEEDED; /* the server's own table is full */
	caps_out->count = 1;
	caps_out->cap[0] = c;
	caps_out->move = 1;
	return CAPOS_OK;
}

static void audit(struct crypto_state *s, const struct capos_rpc_request *rq,
		  const char *action, capos_status_t st, const char *detail)
{
	if (s->cfg.audit)
		s->cfg.audit(s->cfg.audit_arg, rq ? rq->badge : 0, action, st, detail);
}

static void copy_label(char *dst, const char *src)
{
	size_t n = strnlen(src, CRYPTO_LABEL_MAX - 1);
	memset(dst, 0, CRYPTO_LABEL_MAX);
	memcpy(dst, src, n);
}

/* Takes in material as a key of alg/kind: INVALID_ARGUMENT for a pair the
 * interface does not define, a wrong length, a scalar out of range or a
 * point off the curve. k is left untouched on error. */
static capos_status_t key_load(struct crypto_key *k, capos_KeyAlgorithm alg, capos_KeyKind kind,
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
static capos_status_t key_commit(struct crypto_state *s, struct crypto_key *k, const char *label,
				 int development, capos_KeyInfo *resp,
				 struct capos_cap_list *caps_out)
{
	copy_label(k->label, label);
	k->development = (uint8_t)(development != 0);
	k->used = 1;
	capos_status_t st = key_cap(s, k, caps_out);
	if (st != CAPOS_OK) {
		key_destroy(k);
		return st;
	}
	key_info(s, k, resp);
	return CAPOS_OK;
}

/* ---- KeyVault ------------------------------------------------------------- */

static capos_status_t vault_generate(void *ctx, struct capos_rpc_request *rq,
				     const capos_GenerateKeyRequest *req, capos_KeyInfo *resp,
				     struct capos_cap_list *caps_out)
{
	struct crypto_state *s = ctx;
	int sym = req->algorithm == capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256 &&
		  req->kind == capos_KeyKind_KEY_KIND_SYMMETRIC;
	int ec = req->algorithm == capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256 &&
		 req->kind == capos_KeyKind_KEY_KIND_PRIVATE;
	if (!sym && !ec)
		return CAPOS_INVALID_ARGUMENT;
	if (!s->drbg_ready) {
		audit(s, rq, "generate", CAPOS_UNSUPPORTED, "no entropy: refused (fail closed)");
		return CAPOS_UNSUPPORTED;
	}
	/* Fresh entropy into the DRBG for every key (prediction resistance);
	 * a source that stops answering stops key generation too. */
	uint8_t fresh[32];
	if (!s->cfg.entropy || s->cfg.entropy(s->cfg.entropy_arg, fresh, sizeof(fresh)) != 0) {
		crypto_wipe(fresh, sizeof(fresh));
		audit(s, rq, "generate", CAPOS_UNSUPPORTED, "entropy source failed: refused");
		return CAPOS_UNSUPPORTED;
	}
	br_hmac_drbg_update(&s->drbg, fresh, sizeof(fresh));
	crypto_wipe(fresh, sizeof(fresh));

	struct crypto_key *k = key_alloc(s);
	if (!k) {
		audit(s, rq, "generate", CAPOS_LIMIT_EXCEEDED, "vault full");
		return CAPOS_LIMIT_EXCEEDED;
	}
	k->alg = req->algorithm;
	k->kind = req->kind;
	if (sym) {
		br_hmac_drbg_generate(&s->drbg, k->m.sym.enc, CRYPTO_SYM_KEY_LEN);
		br_hmac_drbg_generate(&s->drbg, k->m.sym.mac, CRYPTO_SYM_KEY_LEN);
	} else {
		/* Rejection sampling: a uniform scalar in [1, n-1]. */
		int tries = 0;
		do {
			br_hmac_drbg_generate(&s->drbg, k->m.ec.scalar, CRYPTO_P256_SCALAR_LEN);
		} while (!crypto_p256_scalar_valid(k->m.ec.scalar) && ++tries < 64);
		if (!crypto_p256_public(k->m.ec.scalar, k->m.ec.point)) {
			key_destroy(k);
			return CAPOS_UNSUPPORTED;
		}
	}
	capos_status_t st = key_commit(s, k, req->label, 0, resp, caps_out);
	audit(s, rq, "generate", st, req->label);
	return st;
}

static capos_status_t vault_import(void *ctx, struct capos_rpc_request *rq,
				   const capos_ImportKeyRequest *req, capos_KeyInfo *resp,
				   struct capos_cap_list *caps_out)
{
	struct crypto_state *s = ctx;
	struct crypto_key tmp;
	memset(&tmp, 0, sizeof(tmp));
	capos_status_t st = key_load(&tmp, req->algorithm, req->kind, req->material.bytes,
				     req->material.size);
	/* The material is wiped from the decoded request and from the body it
	 * was decoded from (the server's copy of the message), whatever the
	 * outcome: the slot is the only place it lives on. Both are the
	 * dispatcher's buffers, writable; const is the generated signature's. */
	crypto_wipe((void *)req->material.bytes, sizeof(req->material.bytes));
	if (rq->body && rq->len)
		crypto_wipe((void *)rq->body, rq->len);
	if (st != CAPOS_OK) {
		crypto_wipe(&tmp, sizeof(tmp));
		return st;
	}
	struct crypto_key *k = key_alloc(s);
	if (!k) {
		crypto_wipe(&tmp, sizeof(tmp));
		audit(s, rq, "import", CAPOS_LIMIT_EXCEEDED, "vault full");
		return CAPOS_LIMIT_EXCEEDED;
	}
	k->alg = tmp.alg;
	k->kind = tmp.kind;
	memcpy(&k->m, &tmp.m, sizeof(k->m));
	crypto_wipe(&tmp, sizeof(tmp));
	st = key_commit(s, k, req->label, 0, resp, caps_out);
	audit(s, rq, "import", st, req->label);
	return st;
}

static capos_status_t vault_open(void *ctx, struct capos_rpc_request *rq, const capos_KeyRef *req,
				 capos_KeyInfo *resp, struct capos_cap_list *caps_out)
{
	struct crypto_state *s = ctx;
	(void)rq;
	struct crypto_key *k = key_lookup(s, req->handle);
	if (!k)
		return CAPOS_INVALID_CAP;
	capos_status_t st = key_cap(s, k, caps_out);
	if (st == CAPOS_OK)
		key_info(s, k, resp);
	return st;
}

static capos_status_t vault_list(void *ctx, struct capos_rpc_request *rq,
				 const capos_KeyListRequest *req, capos_KeyList *resp)
{
	struct crypto_state *s = ctx;
	(void)rq;
	uint32_t max = req->max;
	uint32_t room = sizeof(resp->keys) / sizeof(resp->keys[0]);
	if (max == 0 || max > room)
		max = room;
	/* `first` is a handle from an earlier answer's `next`; its index is
	 * where to go on (a key destroyed meanwhile is simply skipped). */
	uint32_t i = req->first ? HANDLE_INDEX(req->first) : 0;
	if (req->first && HANDLE_EPOCH(req->first) != s->epoch)
		return CAPOS_INVALID_CAP;
	for (; i < CRYPTO_KEYS_MAX; i++) {
		if (!s->keys[i].used)
			continue;
		if (resp->keys_count == max) {
			resp->next = key_handle(s, &s->keys[i]);
			break;
		}
		key_info(s, &s->keys[i], &resp->keys[resp->keys_count++]);
	}
	return CAPOS_OK;
}

static capos_status_t vault_destroy(void *ctx, struct capos_rpc_request *rq,
				    const capos_KeyRef *req, capos_Empty *resp)
{
	struct crypto_state *s = ctx;
	(void)resp;
	struct crypto_key *k = key_lookup(s, req->handle);
	if (!k)
		return CAPOS_INVALID_CAP;
	char label[CRYPTO_LABEL_MAX];
	memcpy(label, k->label, sizeof(label));
	key_destroy(k);
	audit(s, rq, "destroy", CAPOS_OK, label);
	return CAPOS_OK;
}

static const struct keyvault_ops vault_ops = {
	.generate = vault_generate,
	.import = vault_import,
	.open = vault_open,
	.list = vault_list,
	.destroy = vault_destroy,
};

/* The read-only view: List, and DENIED for everything else. */
static capos_status_t view_generate(void *ctx, struct capos_rpc_request *rq,
				    const capos_GenerateKeyRequest *req, capos_KeyInfo *resp,
				    struct capos_cap_list *caps_out)
{
	(void)ctx, (void)rq, (void)req, (void)resp, (void)caps_out;
	return CAPOS_DENIED;
}

static capos_status_t view_import(void *ctx, struct capos_rpc_request *rq,
				  const capos_ImportKeyRequest *req, capos_KeyInfo *resp,
				  struct capos_cap_list *caps_out)
{
	(void)ctx, (void)resp, (void)caps_out;
	crypto_wipe((void *)req->material.bytes, sizeof(req->material.bytes));
	if (rq->body && rq->len)
		crypto_wipe((void *)rq->body, rq->len);
	return CAPOS_DENIED;
}

static capos_status_t view_open(void *ctx, struct capos_rpc_request *rq, const capos_KeyRef *req,
				capos_KeyInfo *resp, struct capos_cap_list *caps_out)
{
	(void)ctx, (void)rq, (void)req, (void)resp, (void)caps_out;
	return CAPOS_DENIED;
}

static capos_status_t view_destroy(void *ctx, struct capos_rpc_request *rq,
				   const capos_KeyRef *req, capos_Empty *resp)
{
	(void)ctx, (void)rq, (void)req, (void)resp;
	return CAPOS_DENIED;
}

static const struct keyvault_ops view_ops = {
	.generate = view_generate,
	.import = view_import,
	.open = view_open,
	.list = vault_list,
	.destroy = view_destroy,
};

/* ---- KeySource ------------------------------------------------------------ */

static capos_status_t source_describe(void *ctx, struct capos_rpc_request *rq,
				      const capos_Empty *req, capos_KeySourceInfo *resp)
{
	struct crypto_state *s = ctx;
	(void)rq, (void)req;
	resp->development = true;
	resp->system_is_development = s->cfg.development != 0;
	size_t room = sizeof(resp->labels) / sizeof(resp->labels[0]);
	for (size_t i = 0; i < crypto_bootstrap_count && resp->labels_count < room; i++)
		copy_label(resp->labels[resp->labels_count++], crypto_bootstrap_keys[i].label);
	return CAPOS_OK;
}

static int policy_names(const struct crypto_state *s, const char *label)
{
	for (uint32_t i = 0; i < s->cfg.npolicy; i++)
		if (s->cfg.policy[i] && strcmp(s->cfg.policy[i], label) == 0)
			return 1;
	return 0;
}

static capos_status_t source_bootstrap(void *ctx, struct capos_rpc_request *rq,
				       const capos_BootstrapKeyRequest *req,
				       capos_BootstrapKeyResult *resp,
				       struct capos_cap_list *caps_out)
{
	struct crypto_state *s = ctx;
	const struct crypto_bootstrap_key *b = NULL;
	for (size_t i = 0; i < crypto_bootstrap_count; i++)
		if (strcmp(crypto_bootstrap_keys[i].label, req->label) == 0)
			b = &crypto_bootstrap_keys[i];
	/* The checks in order; each rejection is audited with its reason. */
	if (!b) {
		audit(s, rq, "bootstrap rejected: unknown key", CAPOS_NOT_FOUND, req->label);
		return CAPOS_NOT_FOUND;
	}
	if (!s->cfg.development) {
		audit(s, rq, "bootstrap rejected: not a development system", CAPOS_DENIED,
		      req->label);
		return CAPOS_DENIED;
	}
	if (!policy_names(s, req->label)) {
		audit(s, rq, "bootstrap rejected: policy", CAPOS_DENIED, req->label);
		return CAPOS_DENIED;
	}
	/* Admitted before: the same key again (one copy in the vault). */
	struct crypto_key *k = NULL;
	for (uint32_t i = 0; i < CRYPTO_KEYS_MAX && !k; i++)
		if (s->keys[i].used && s->keys[i].development &&
		    strcmp(s->keys[i].label, req->label) == 0)
			k = &s->keys[i];
	capos_status_t st;
	if (k) {
		st = key_cap(s, k, caps_out);
		if (st == CAPOS_OK)
			key_info(s, k, &resp->key);
	} else {
		k = key_alloc(s);
		if (!k) {
			audit(s, rq, "bootstrap rejected: vault full", CAPOS_LIMIT_EXCEEDED,
			      req->label);
			return CAPOS_LIMIT_EXCEEDED;
		}
		st = key_load(k, b->alg, b->kind, b->material, b->len);
		if (st == CAPOS_OK)
			st = key_commit(s, k, b->label, 1, &resp->key, caps_out);
		else
			key_destroy(k);
	}
	if (st != CAPOS_OK) {
		audit(s, rq, "bootstrap failed", st, req->label);
		return st;
	}
	resp->has_key = true;
	resp->admission = capos_KeyAdmission_KEY_ADMISSION_ADMITTED;
	strcpy(resp->reason, "development system; the policy names this key");
	audit(s, rq, "bootstrap admitted", CAPOS_OK, req->label);
	return CAPOS_OK;
}

static const struct keysource_ops source_ops = {
	.describe = source_describe,
	.bootstrap = source_bootstrap,
};

/* ---- SymmetricKey --------------------------------------------------------- */

static capos_status_t sym_encrypt(void *ctx, struct capos_rpc_request *rq,
				  const capos_EncryptRequest *req, capos_SealedData *resp)
{
	struct crypto_state *s = ctx;
	struct crypto_key *k = s->cur;
	(void)rq;
	if (!s->drbg_ready)
		return CAPOS_UNSUPPORTED; /* no random nonce: fail closed */
	br_hmac_drbg_generate(&s->drbg, resp->nonce.bytes, CRYPTO_NONCE_LEN);
	resp->nonce.size = CRYPTO_NONCE_LEN;
	memcpy(resp->ciphertext.bytes, req->plaintext.bytes, req->plaintext.size);
	resp->ciphertext.size = req->plaintext.size;
	crypto_xchacha20_xor(k->m.sym.enc, resp->nonce.bytes, 0, resp->ciphertext.bytes,
			     resp->ciphertext.size);
	crypto_seal_tag(k->m.sym.mac, req->associated_data.bytes, req->associated_data.size,
			resp->nonce.bytes, resp->ciphertext.bytes, resp->ciphertext.size,
			resp->tag.bytes);
	resp->tag.size = CRYPTO_TAG_LEN;
	return CAPOS_OK;
}

static capos_status_t sym_decrypt(void *ctx, struct capos_rpc_request *rq,
				  const capos_DecryptRequest *req, capos_Plaintext *resp)
{
	struct crypto_state *s = ctx;
	struct crypto_key *k = s->cur;
	(void)rq;
	const capos_SealedData *sd = &req->sealed;
	if (!req->has_sealed || sd->nonce.size != CRYPTO_NONCE_LEN ||
	    sd->tag.size != CRYPTO_TAG_LEN)
		return CAPOS_INVALID_ARGUMENT;
	uint8_t tag[CRYPTO_TAG_LEN];
	crypto_seal_tag(k->m.sym.mac, req->associated_data.bytes, req->associated_data.size,
			sd->nonce.bytes, sd->ciphertext.bytes, sd->ciphertext.size, tag);
	/* The tag first, in constant time; nothing is decrypted before. */
	int ok = crypto_equal_ct(tag, sd->tag.bytes, CRYPTO_TAG_LEN);
	crypto_wipe(tag, sizeof(tag));
	if (!ok)
		return CAPOS_DENIED;
	memcpy(resp->plaintext.bytes, sd->ciphertext.bytes, sd->ciphertext.size);
	resp->plaintext.size = sd->ciphertext.size;
	crypto_xchacha20_xor(k->m.sym.enc, sd->nonce.bytes, 0, resp->plaintext.bytes,
			     resp->plaintext.size);
	return CAPOS_OK;
}

static capos_status_t key_info_op(void *ctx, struct capos_rpc_request *rq, const capos_Empty *req,
				  capos_KeyInfo *resp)
{
	struct crypto_state *s = ctx;
	(void)rq, (void)req;
	key_info(s, s->cur, resp);
	return CAPOS_OK;
}

static const struct symmetrickey_ops sym_ops = {
	.encrypt = sym_encrypt,
	.decrypt = sym_decrypt,
	.info = key_info_op,
};

/* ---- PrivateKey / PublicKey ----------------------------------------------- */

static capos_status_t priv_sign(void *ctx, struct capos_rpc_request *rq,
				const capos_SignRequest *req, capos_Signature *resp)
{
	struct crypto_state *s = ctx;
	(void)rq;
	if (!crypto_p256_sign(s->cur->m.ec.scalar, req->message.bytes, req->message.size,
			      resp->signature.bytes))
		return CAPOS_INVALID_ARGUMENT;
	resp->signature.size = CRYPTO_P256_SIG_LEN;
	return CAPOS_OK;
}

static capos_status_t ec_public(void *ctx, struct capos_rpc_request *rq, const capos_Empty *req,
				capos_PublicKeyData *resp)
{
	struct crypto_state *s = ctx;
	(void)rq, (void)req;
	resp->algorithm = s->cur->alg;
	memcpy(resp->key.bytes, s->cur->m.ec.point, CRYPTO_P256_POINT_LEN);
	resp->key.size = CRYPTO_P256_POINT_LEN;
	return CAPOS_OK;
}

static const struct privatekey_ops priv_ops = {
	.sign = priv_sign,
	.public_key = ec_public,
	.info = key_info_op,
};

static capos_status_t pub_verify(void *ctx, struct capos_rpc_request *rq,
				 const capos_VerifyRequest *req, capos_VerifyResult *resp)
{
	struct crypto_state *s = ctx;
	(void)rq;
	/* A signature of the wrong length is malformed input, not an answer;
	 * one of the right length that does not verify (r or s zero or not
	 * below the order included) is valid = false. */
	if (req->signature.size != CRYPTO_P256_SIG_LEN)
		return CAPOS_INVALID_ARGUMENT;
	resp->valid = crypto_p256_verify(s->cur->m.ec.point, req->message.bytes,
					 req->message.size, req->signature.bytes,
					 req->signature.size) != 0;
	return CAPOS_OK;
}

static const struct publickey_ops pub_ops = {
	.verify = pub_verify,
	.export = ec_public,
	.info = key_info_op,
};

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
						   : key_lookup(s, rq->badge & ~CRYPTO_KEY_BADGE);
		if (!k)
			return CAPOS_INVALID_CAP; /* destroyed, or an earlier instance's */
		s->cur = k;
		capos_status_t st = CAPOS_UNSUPPORTED;
		if (iface == SYMMETRICKEY_INTERFACE_ID && k->kind == capos_KeyKind_KEY_KIND_SYMMETRIC)
			st = symmetrickey_dispatch(&sym_ops, s, rq);
		else if (iface == PRIVATEKEY_INTERFACE_ID && k->kind == capos_KeyKind_KEY_KIND_PRIVATE)
			st = privatekey_dispatch(&priv_ops, s, rq);
		else if (iface == PUBLICKEY_INTERFACE_ID && k->kind == capos_KeyKind_KEY_KIND_PUBLIC)
			st = publickey_dispatch(&pub_ops, s, rq);
		s->cur = NULL;
		return st;
	}
	switch (iface) {
	case KEYVAULT_INTERFACE_ID:
		return keyvault_dispatch(a->readonly ? &view_ops : &vault_ops, s, rq);
	case KEYSOURCE_INTERFACE_ID:
		return a->readonly ? CAPOS_DENIED : keysource_dispatch(&source_ops, s, rq);
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
