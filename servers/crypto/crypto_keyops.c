/*
 * crypto_keyops.c - what a key cap does: SymmetricKey (seal and open),
 * PrivateKey (sign) and PublicKey (verify). The dispatcher has set
 * s->cur to the live key the cap's badge names, of the right kind.
 */
#include <string.h>

#include "crypto_keys.h"

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
	crypto_key_info(s, s->cur, resp);
	return CAPOS_OK;
}

const struct symmetrickey_ops crypto_sym_ops = {
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

const struct privatekey_ops crypto_priv_ops = {
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

const struct publickey_ops crypto_pub_ops = {
	.verify = pub_verify,
	.export = ec_public,
	.info = key_info_op,
};

