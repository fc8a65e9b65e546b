/*
 * crypto_vault.c - KeyVault (full and read-only view) and KeySource: key
 * custody and the development bootstrap policy (crypto_service.h).
 */
#include <string.h>

#include "crypto_keys.h"

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
		crypto_audit(s, rq, "generate", CAPOS_UNSUPPORTED, "no entropy: refused (fail closed)");
		return CAPOS_UNSUPPORTED;
	}
	/* Fresh entropy into the DRBG for every key (prediction resistance);
	 * a source that stops answering stops key generation too. */
	uint8_t fresh[32];
	if (!s->cfg.entropy || s->cfg.entropy(s->cfg.entropy_arg, fresh, sizeof(fresh)) != 0) {
		crypto_wipe(fresh, sizeof(fresh));
		crypto_audit(s, rq, "generate", CAPOS_UNSUPPORTED, "entropy source failed: refused");
		return CAPOS_UNSUPPORTED;
	}
	br_hmac_drbg_update(&s->drbg, fresh, sizeof(fresh));
	crypto_wipe(fresh, sizeof(fresh));

	struct crypto_key *k = crypto_key_alloc(s);
	if (!k) {
		crypto_audit(s, rq, "generate", CAPOS_LIMIT_EXCEEDED, "vault full");
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
			crypto_key_destroy(k);
			return CAPOS_UNSUPPORTED;
		}
	}
	capos_status_t st = crypto_key_commit(s, k, req->label, 0, resp, caps_out);
	crypto_audit(s, rq, "generate", st, req->label);
	return st;
}

static capos_status_t vault_import(void *ctx, struct capos_rpc_request *rq,
				   const capos_ImportKeyRequest *req, capos_KeyInfo *resp,
				   struct capos_cap_list *caps_out)
{
	struct crypto_state *s = ctx;
	struct crypto_key tmp;
	memset(&tmp, 0, sizeof(tmp));
	capos_status_t st = crypto_key_load(&tmp, req->algorithm, req->kind, req->material.bytes,
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
	struct crypto_key *k = crypto_key_alloc(s);
	if (!k) {
		crypto_wipe(&tmp, sizeof(tmp));
		crypto_audit(s, rq, "import", CAPOS_LIMIT_EXCEEDED, "vault full");
		return CAPOS_LIMIT_EXCEEDED;
	}
	k->alg = tmp.alg;
	k->kind = tmp.kind;
	memcpy(&k->m, &tmp.m, sizeof(k->m));
	crypto_wipe(&tmp, sizeof(tmp));
	st = crypto_key_commit(s, k, req->label, 0, resp, caps_out);
	crypto_audit(s, rq, "import", st, req->label);
	return st;
}

static capos_status_t vault_open(void *ctx, struct capos_rpc_request *rq, const capos_KeyRef *req,
				 capos_KeyInfo *resp, struct capos_cap_list *caps_out)
{
	struct crypto_state *s = ctx;
	(void)rq;
	struct crypto_key *k = crypto_key_lookup(s, req->handle);
	if (!k)
		return CAPOS_INVALID_CAP;
	capos_status_t st = crypto_key_cap(s, k, caps_out);
	if (st == CAPOS_OK)
		crypto_key_info(s, k, resp);
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
	uint32_t i = req->first ? CRYPTO_HANDLE_INDEX(req->first) : 0;
	if (req->first && CRYPTO_HANDLE_EPOCH(req->first) != s->epoch)
		return CAPOS_INVALID_CAP;
	for (; i < CRYPTO_KEYS_MAX; i++) {
		if (!s->keys[i].used)
			continue;
		if (resp->keys_count == max) {
			resp->next = crypto_key_handle(s, &s->keys[i]);
			break;
		}
		crypto_key_info(s, &s->keys[i], &resp->keys[resp->keys_count++]);
	}
	return CAPOS_OK;
}

static capos_status_t vault_destroy(void *ctx, struct capos_rpc_request *rq,
				    const capos_KeyRef *req, capos_Empty *resp)
{
	struct crypto_state *s = ctx;
	(void)resp;
	struct crypto_key *k = crypto_key_lookup(s, req->handle);
	if (!k)
		return CAPOS_INVALID_CAP;
	char label[CRYPTO_LABEL_MAX];
	memcpy(label, k->label, sizeof(label));
	crypto_key_destroy(k);
	crypto_audit(s, rq, "destroy", CAPOS_OK, label);
	return CAPOS_OK;
}

const struct keyvault_ops crypto_vault_ops = {
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

const struct keyvault_ops crypto_view_ops = {
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
		crypto_copy_label(resp->labels[resp->labels_count++], crypto_bootstrap_keys[i].label);
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
		crypto_audit(s, rq, "bootstrap rejected: unknown key", CAPOS_NOT_FOUND, req->label);
		return CAPOS_NOT_FOUND;
	}
	if (!s->cfg.development) {
		crypto_audit(s, rq, "bootstrap rejected: not a development system", CAPOS_DENIED,
		      req->label);
		return CAPOS_DENIED;
	}
	if (!policy_names(s, req->label)) {
		crypto_audit(s, rq, "bootstrap rejected: policy", CAPOS_DENIED, req->label);
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
		st = crypto_key_cap(s, k, caps_out);
		if (st == CAPOS_OK)
			crypto_key_info(s, k, &resp->key);
	} else {
		k = crypto_key_alloc(s);
		if (!k) {
			crypto_audit(s, rq, "bootstrap rejected: vault full", CAPOS_LIMIT_EXCEEDED,
			      req->label);
			return CAPOS_LIMIT_EXCEEDED;
		}
		st = crypto_key_load(k, b->alg, b->kind, b->material, b->len);
		if (st == CAPOS_OK)
			st = crypto_key_commit(s, k, b->label, 1, &resp->key, caps_out);
		else
			crypto_key_destroy(k);
	}
	if (st != CAPOS_OK) {
		crypto_audit(s, rq, "bootstrap failed", st, req->label);
		return st;
	}
	resp->has_key = true;
	resp->admission = capos_KeyAdmission_KEY_ADMISSION_ADMITTED;
	strcpy(resp->reason, "development system; the policy names this key");
	crypto_audit(s, rq, "bootstrap admitted", CAPOS_OK, req->label);
	return CAPOS_OK;
}

const struct keysource_ops crypto_source_ops = {
	.describe = source_describe,
	.bootstrap = source_bootstrap,
};

