/*
 * crypto_keys.h - inside the crypto server: the slot and handle helpers
 * (crypto_keys.c) and the ops tables the dispatcher (crypto_service.c)
 * binds. Not for other programs: they use crypto_service.h.
 */
#ifndef SERVERS_CRYPTO_KEYS_H
#define SERVERS_CRYPTO_KEYS_H

#include "crypto_service.h"

#define CRYPTO_HANDLE_INDEX(h) ((uint32_t)((h) & 0xffu))
#define CRYPTO_HANDLE_EPOCH(h) ((uint32_t)(((h) >> 32) & 0xffffffu))

/* Wipes a slot and moves its generation on (retires it at the last). */
void crypto_key_destroy(struct crypto_key *k);
/* epoch << 32 | generation << 8 | index. */
uint64_t crypto_key_handle(const struct crypto_state *s, const struct crypto_key *k);
/* The live key a handle names, or NULL (stale, foreign epoch, bad index). */
struct crypto_key *crypto_key_lookup(struct crypto_state *s, uint64_t handle);
/* A free slot within the manifest's limit, or NULL. */
struct crypto_key *crypto_key_alloc(struct crypto_state *s);
void crypto_key_info(const struct crypto_state *s, const struct crypto_key *k,
		     capos_KeyInfo *out);
/* The key's cap in caps_out, moved (the server keeps no copy). */
capos_status_t crypto_key_cap(struct crypto_state *s, struct crypto_key *k,
			      struct capos_cap_list *caps_out);
/* One event to the audit hook (the caller's badge from rq, if any). */
void crypto_audit(struct crypto_state *s, const struct capos_rpc_request *rq,
		  const char *action, capos_status_t st, const char *detail);
/* src into a CRYPTO_LABEL_MAX buffer, cut and zero-padded. */
void crypto_copy_label(char *dst, const char *src);
/* Material into k as alg/kind: INVALID_ARGUMENT for a pair the interface
 * does not define, a wrong length, a scalar out of range or a point off
 * the curve; k untouched then. */
capos_status_t crypto_key_load(struct crypto_key *k, capos_KeyAlgorithm alg, capos_KeyKind kind,
			       const uint8_t *m, size_t len);
/* A loaded slot labelled, marked used and given its cap; wiped and freed
 * on failure. */
capos_status_t crypto_key_commit(struct crypto_state *s, struct crypto_key *k, const char *label,
				 int development, capos_KeyInfo *resp,
				 struct capos_cap_list *caps_out);

extern const struct keyvault_ops crypto_vault_ops;
extern const struct keyvault_ops crypto_view_ops; /* List only */
extern const struct keysource_ops crypto_source_ops;
extern const struct symmetrickey_ops crypto_sym_ops;
extern const struct privatekey_ops crypto_priv_ops;
extern const struct publickey_ops crypto_pub_ops;

#endif
