/*
 * Component test: the crypto key service (servers/crypto) through its real
 * dispatcher and the generated stubs over the loopback - seal and open,
 * sign and verify, custody and staleness, limits, fail-closed entropy,
 * KeySource verdicts and their audit records, the read-only view, and
 * hostile input (docs/servers/crypto.md).
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pb_encode.h>

#include "crypto_fixture.h"

static int setup(void **st)
{
	(void)st;
	capos_loopback_reset();
	entropy_fails = 0;
	struct crypto_config c = fixture_config();
	assert_int_equal(fixture_start(&c), 1);
	return 0;
}

static capos_status_t generate(capos_KeyAlgorithm alg, capos_KeyKind kind, const char *label,
			       capos_KeyInfo *info, capos_cap_t *cap)
{
	capos_GenerateKeyRequest req = capos_GenerateKeyRequest_init_zero;
	req.algorithm = alg;
	req.kind = kind;
	snprintf(req.label, sizeof(req.label), "%s", label);
	struct capos_cap_list got = { 0 };
	capos_status_t st = keyvault_generate(VAULT_CAP, &req, info, &got);
	*cap = st == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return st;
}

static capos_status_t gen_sym(capos_KeyInfo *info, capos_cap_t *cap)
{
	return generate(capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256,
			capos_KeyKind_KEY_KIND_SYMMETRIC, "seal", info, cap);
}

static capos_status_t gen_ec(capos_KeyInfo *info, capos_cap_t *cap)
{
	return generate(capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256,
			capos_KeyKind_KEY_KIND_PRIVATE, "sign", info, cap);
}

static capos_status_t seal(capos_cap_t key, const char *pt, const char *ad, capos_SealedData *out)
{
	capos_EncryptRequest req = capos_EncryptRequest_init_zero;
	req.plaintext.size = (pb_size_t)strlen(pt);
	memcpy(req.plaintext.bytes, pt, req.plaintext.size);
	req.associated_data.size = (pb_size_t)strlen(ad);
	memcpy(req.associated_data.bytes, ad, req.associated_data.size);
	return symmetrickey_encrypt(key, &req, out);
}

static capos_status_t open_sealed(capos_cap_t key, const capos_SealedData *sd, const char *ad,
				  capos_Plaintext *out)
{
	capos_DecryptRequest req = capos_DecryptRequest_init_zero;
	req.has_sealed = true;
	req.sealed = *sd;
	req.associated_data.size = (pb_size_t)strlen(ad);
	memcpy(req.associated_data.bytes, ad, req.associated_data.size);
	memset(out, 0, sizeof(*out));
	return symmetrickey_decrypt(key, &req, out);
}

static void test_seal_open(void **st)
{
	(void)st;
	capos_KeyInfo info;
	capos_cap_t key;
	assert_int_equal(gen_sym(&info, &key), CAPOS_OK);
	assert_int_equal(info.algorithm, capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256);
	assert_int_equal(info.kind, capos_KeyKind_KEY_KIND_SYMMETRIC);
	assert_string_equal(info.label, "seal");
	assert_false(info.development);
	assert_int_not_equal(info.handle, 0);

	capos_SealedData a, b;
	capos_Plaintext p;
	assert_int_equal(seal(key, "attack at dawn", "hdr", &a), CAPOS_OK);
	assert_int_equal(a.nonce.size, 24);
	assert_int_equal(a.tag.size, 32);
	assert_int_equal(a.ciphertext.size, 14);
	assert_memory_not_equal(a.ciphertext.bytes, "attack at dawn", 14);
	assert_int_equal(open_sealed(key, &a, "hdr", &p), CAPOS_OK);
	assert_int_equal(p.plaintext.size, 14);
	assert_memory_equal(p.plaintext.bytes, "attack at dawn", 14);
	/* A fresh nonce every time. */
	assert_int_equal(seal(key, "attack at dawn", "hdr", &b), CAPOS_OK);
	assert_memory_not_equal(a.nonce.bytes, b.nonce.bytes, 24);

	/* One flipped bit anywhere: DENIED, and no plaintext in the reply. */
	capos_SealedData x = a;
	x.ciphertext.bytes[3] ^= 0x10;
	assert_int_equal(open_sealed(key, &x, "hdr", &p), CAPOS_DENIED);
	assert_int_equal(p.plaintext.size, 0);
	/* On the wire: the server's reply body is empty, and nothing it wrote
	 * holds the plaintext (a direct dispatch, to see its out buffer). */
	{
		capos_DecryptRequest dq = capos_DecryptRequest_init_zero;
		dq.has_sealed = true;
		dq.sealed = x;
		dq.associated_data.size = 3;
		memcpy(dq.associated_data.bytes, "hdr", 3);
		static uint8_t body[2048], out[2048];
		pb_ostream_t os = pb_ostream_from_buffer(body, sizeof(body));
		assert_true(pb_encode(&os, capos_DecryptRequest_fields, &dq));
		struct capos_rpc_request rq;
		memset(&rq, 0, sizeof(rq));
		memset(out, 0, sizeof(out));
		rq.label = CAPOS_RPC_LABEL(SYMMETRICKEY_INTERFACE_ID, SYMMETRICKEY_DECRYPT_METHOD_ID);
		capos_KeyInfo ki;
		capos_Empty e = capos_Empty_init_zero;
		assert_int_equal(symmetrickey_info(key, &e, &ki), CAPOS_OK);
		rq.badge = CRYPTO_KEY_BADGE | ki.handle;
		rq.body = body;
		rq.len = (uint32_t)os.bytes_written;
		rq.out = out;
		rq.out_cap = sizeof(out);
		struct capos_rpc_service svc = crypto_service(&cs, 0);
		assert_int_equal(capos_rpc_service_dispatch(&svc, &rq), CAPOS_DENIED);
		assert_int_equal(rq.out_len, 0);
		assert_null(memmem(out, sizeof(out), "attack", 6));
	}
	x = a;
	x.tag.bytes[31] ^= 0x01;
	assert_int_equal(open_sealed(key, &x, "hdr", &p), CAPOS_DENIED);
	x = a;
	x.nonce.bytes[0] ^= 0x80;
	assert_int_equal(open_sealed(key, &x, "hdr", &p), CAPOS_DENIED);
	assert_int_equal(open_sealed(key, &a, "hds", &p), CAPOS_DENIED);
	assert_int_equal(open_sealed(key, &a, "", &p), CAPOS_DENIED);
	x = a;
	x.ciphertext.size--;
	assert_int_equal(open_sealed(key, &x, "hdr", &p), CAPOS_DENIED);
	/* Malformed: wrong nonce or tag length, no sealed data at all. */
	x = a;
	x.nonce.size = 23;
	assert_int_equal(open_sealed(key, &x, "hdr", &p), CAPOS_INVALID_ARGUMENT);
	x = a;
	x.tag.size = 16;
	assert_int_equal(open_sealed(key, &x, "hdr", &p), CAPOS_INVALID_ARGUMENT);
	capos_DecryptRequest none = capos_DecryptRequest_init_zero;
	assert_int_equal(symmetrickey_decrypt(key, &none, &p), CAPOS_INVALID_ARGUMENT);
	/* Still serving, and the original still opens. */
	assert_int_equal(open_sealed(key, &a, "hdr", &p), CAPOS_OK);

	/* Empty and largest plaintexts. */
	assert_int_equal(seal(key, "", "", &a), CAPOS_OK);
	assert_int_equal(a.ciphertext.size, 0);
	assert_int_equal(open_sealed(key, &a, "", &p), CAPOS_OK);
	assert_int_equal(p.plaintext.size, 0);
	capos_EncryptRequest big = capos_EncryptRequest_init_zero;
	big.plaintext.size = sizeof(big.plaintext.bytes);
	fill(big.plaintext.bytes, big.plaintext.size, 9);
	big.associated_data.size = sizeof(big.associated_data.bytes);
	fill(big.associated_data.bytes, big.associated_data.size, 3);
	assert_int_equal(symmetrickey_encrypt(key, &big, &a), CAPOS_OK);
	capos_DecryptRequest dr = capos_DecryptRequest_init_zero;
	dr.has_sealed = true;
	dr.sealed = a;
	dr.associated_data.size = big.associated_data.size;
	memcpy(dr.associated_data.bytes, big.associated_data.bytes, big.associated_data.size);
	assert_int_equal(symmetrickey_decrypt(key, &dr, &p), CAPOS_OK);
	assert_int_equal(p.plaintext.size, 1024);
	assert_memory_equal(p.plaintext.bytes, big.plaintext.bytes, 1024);

	/* A second key does not open the first one's data. */
	capos_cap_t other;
	assert_int_equal(gen_sym(&info, &other), CAPOS_OK);
	assert_int_equal(open_sealed(other, &a, "", &p), CAPOS_DENIED);
}

static void test_sign_verify(void **st)
{
	(void)st;
	capos_KeyInfo info;
	capos_cap_t priv;
	assert_int_equal(gen_ec(&info, &priv), CAPOS_OK);
	assert_int_equal(info.kind, capos_KeyKind_KEY_KIND_PRIVATE);

	capos_Empty e = capos_Empty_init_zero;
	capos_PublicKeyData pk;
	assert_int_equal(privatekey_public_key(priv, &e, &pk), CAPOS_OK);
	assert_int_equal(pk.algorithm, capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256);
	assert_int_equal(pk.key.size, 65);
	assert_int_equal(pk.key.bytes[0], 0x04);

	capos_SignRequest sr = capos_SignRequest_init_zero;
	memcpy(sr.message.bytes, "pay 10 to bob", 13);
	sr.message.size = 13;
	capos_Signature sig, sig2;
	assert_int_equal(privatekey_sign(priv, &sr, &sig), CAPOS_OK);
	assert_int_equal(sig.signature.size, 64);
	/* RFC 6979: the same message, the same signature. */
	assert_int_equal(privatekey_sign(priv, &sr, &sig2), CAPOS_OK);
	assert_memory_equal(sig.signature.bytes, sig2.signature.bytes, 64);

	capos_cap_t pub;
	assert_int_equal(import_pub(pk.key.bytes, 65, &pub), CAPOS_OK);
	capos_PublicKeyData exp;
	assert_int_equal(publickey_export(pub, &e, &exp), CAPOS_OK);
	assert_memory_equal(exp.key.bytes, pk.key.bytes, 65);

	int valid;
	assert_int_equal(verify(pub, "pay 10 to bob", 13, sig.signature.bytes, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 1);
	assert_int_equal(verify(pub, "pay 99 to bob", 13, sig.signature.bytes, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 0);
	uint8_t bad[64];
	memcpy(bad, sig.signature.bytes, 64);
	bad[40] ^= 1;
	assert_int_equal(verify(pub, "pay 10 to bob", 13, bad, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 0);
	/* r or s zero, or not below the order n: valid = false. */
	static const uint8_t n[32] = {
		0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
	};
	memcpy(bad, sig.signature.bytes, 64);
	memset(bad, 0, 32);
	assert_int_equal(verify(pub, "pay 10 to bob", 13, bad, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 0);
	memcpy(bad, sig.signature.bytes, 64);
	memset(bad + 32, 0, 32);
	assert_int_equal(verify(pub, "pay 10 to bob", 13, bad, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 0);
	memcpy(bad, sig.signature.bytes, 64);
	memcpy(bad + 32, n, 32);
	assert_int_equal(verify(pub, "pay 10 to bob", 13, bad, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 0);
	memcpy(bad, n, 32);
	assert_int_equal(verify(pub, "pay 10 to bob", 13, bad, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 0);
	/* Wrong lengths: malformed input. */
	assert_int_equal(verify(pub, "pay 10 to bob", 13, sig.signature.bytes, 63, &valid),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(verify(pub, "pay 10 to bob", 13, sig.signature.bytes, 0, &valid),
			 CAPOS_INVALID_ARGUMENT);
	/* Still serving. */
	assert_int_equal(verify(pub, "pay 10 to bob", 13, sig.signature.bytes, 64, &valid), CAPOS_OK);
	assert_int_equal(valid, 1);

	/* Each cap speaks its own interface only. */
	assert_int_equal(privatekey_sign(pub, &sr, &sig2), CAPOS_UNSUPPORTED);
	capos_EncryptRequest er = capos_EncryptRequest_init_zero;
	capos_SealedData sd;
	assert_int_equal(symmetrickey_encrypt(priv, &er, &sd), CAPOS_UNSUPPORTED);
	assert_int_equal(symmetrickey_encrypt(VAULT_CAP, &er, &sd), CAPOS_INVALID_CAP);
	capos_KeyListRequest lr = capos_KeyListRequest_init_zero;
	capos_KeyList kl;
	assert_int_equal(keyvault_list(priv, &lr, &kl), CAPOS_UNSUPPORTED);
}

/* RFC 6979 A.2.5: P-256, SHA-256, message "sample". */
static void test_rfc6979(void **st)
{
	(void)st;
	static const uint8_t x[32] = {
		0xC9, 0xAF, 0xA9, 0xD8, 0x45, 0xBA, 0x75, 0x16, 0x6B, 0x5C, 0x21, 0x57, 0x67, 0xB1, 0xD6, 0x93,
		0x4E, 0x50, 0xC3, 0xDB, 0x36, 0xE8, 0x9B, 0x12, 0x7B, 0x8A, 0x62, 0x2B, 0x12, 0x0F, 0x67, 0x21,
	};
	static const uint8_t rs[64] = {
		0xEF, 0xD4, 0x8B, 0x2A, 0xAC, 0xB6, 0xA8, 0xFD, 0x11, 0x40, 0xDD, 0x9C, 0xD4, 0x5E, 0x81, 0xD6,
		0x9D, 0x2C, 0x87, 0x7B, 0x56, 0xAA, 0xF9, 0x91, 0xC3, 0x4D, 0x0E, 0xA8, 0x4E, 0xAF, 0x37, 0x16,
		0xF7, 0xCB, 0x1C, 0x94, 0x2D, 0x65, 0x7C, 0x41, 0xD4, 0x36, 0xC7, 0xA1, 0xB6, 0xE2, 0x9F, 0x65,
		0xF3, 0xE9, 0x00, 0xDB, 0xB9, 0xAF, 0xF4, 0x06, 0x4D, 0xC4, 0xAB, 0x2F, 0x84, 0x3A, 0xCD, 0xA8,
	};
	capos_cap_t priv;
	assert_int_equal(import_key(capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256,
				    capos_KeyKind_KEY_KIND_PRIVATE, x, 32, "rfc6979", NULL, &priv),
			 CAPOS_OK);
	capos_SignRequest sr = capos_SignRequest_init_zero;
	memcpy(sr.message.bytes, "sample", 6);
	sr.message.size = 6;
	capos_Signature sig;
	assert_int_equal(privatekey_sign(priv, &sr, &sig), CAPOS_OK);
	assert_memory_equal(sig.signature.bytes, rs, 64);
}

static void test_hostile_imports(void **st)
{
	(void)st;
	const capos_KeyAlgorithm X = capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256;
	const capos_KeyAlgorithm E = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
	const capos_KeyKind S = capos_KeyKind_KEY_KIND_SYMMETRIC, P = capos_KeyKind_KEY_KIND_PRIVATE,
			    U = capos_KeyKind_KEY_KIND_PUBLIC;
	uint8_t m[65];
	fill(m, sizeof(m), 1);
	capos_cap_t c;
	/* Wrong lengths. */
	assert_int_equal(import_key(X, S, m, 63, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(X, S, m, 65, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(X, S, m, 0, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(E, P, m, 31, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(E, U, m, 64, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	/* Unknown or unset algorithm, kind that does not fit it. */
	assert_int_equal(import_key(0, S, m, 64, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key((capos_KeyAlgorithm)7, S, m, 64, "a", NULL, &c),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(X, 0, m, 64, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(X, P, m, 64, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(E, S, m, 32, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	/* Private scalars 0, n and all-ones. */
	uint8_t sc[32] = { 0 };
	assert_int_equal(import_key(E, P, sc, 32, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	static const uint8_t n[32] = {
		0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
	};
	assert_int_equal(import_key(E, P, n, 32, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	memset(sc, 0xff, 32);
	assert_int_equal(import_key(E, P, sc, 32, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	memcpy(sc, n, 32);
	sc[31]--; /* n - 1: the largest valid scalar */
	assert_int_equal(import_key(E, P, sc, 32, "a", NULL, &c), CAPOS_OK);
	/* Public points: not on the curve, the point at infinity (all zero,
	 * or the one-byte SEC1 encoding), compressed form. */
	capos_PublicKeyData pk;
	capos_Empty e = capos_Empty_init_zero;
	assert_int_equal(privatekey_public_key(c, &e, &pk), CAPOS_OK);
	uint8_t pt[65];
	memcpy(pt, pk.key.bytes, 65);
	assert_int_equal(import_key(E, U, pt, 65, "ok", NULL, &c), CAPOS_OK);
	pt[64] ^= 1;
	assert_int_equal(import_key(E, U, pt, 65, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	memset(pt, 0, 65);
	assert_int_equal(import_key(E, U, pt, 65, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	pt[0] = 0x04;
	assert_int_equal(import_key(E, U, pt, 65, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(import_key(E, U, "\x00", 1, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	memcpy(pt, pk.key.bytes, 65);
	pt[0] = 0x02 | (pt[64] & 1);
	assert_int_equal(import_key(E, U, pt, 33, "a", NULL, &c), CAPOS_INVALID_ARGUMENT);
	/* Two keys admitted, nothing else. */
	assert_int_equal(crypto_key_count(&cs), 2);
}

/* The import's material is wiped from the body the server decoded it
 * from (a hand-built request, so the test sees that buffer). */
static void test_import_wipes_request(void **st)
{
	(void)st;
	capos_ImportKeyRequest req = capos_ImportKeyRequest_init_zero;
	req.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256;
	req.kind = capos_KeyKind_KEY_KIND_SYMMETRIC;
	req.material.size = 64;
	memset(req.material.bytes, 0xA5, 64);
	uint8_t body[256], out[256];
	pb_ostream_t os = pb_ostream_from_buffer(body, sizeof(body));
	assert_true(pb_encode(&os, capos_ImportKeyRequest_fields, &req));
	struct capos_rpc_request rq;
	memset(&rq, 0, sizeof(rq));
	rq.label = CAPOS_RPC_LABEL(KEYVAULT_INTERFACE_ID, KEYVAULT_IMPORT_METHOD_ID);
	rq.badge = CLIENT_BADGE;
	rq.body = body;
	rq.len = (uint32_t)os.bytes_written;
	rq.out = out;
	rq.out_cap = sizeof(out);
	struct capos_rpc_service svc = crypto_service(&cs, 0);
	assert_int_equal(capos_rpc_service_dispatch(&svc, &rq), CAPOS_OK);
	assert_int_equal(rq.caps_out.count, 1);
	for (size_t i = 0; i < os.bytes_written; i++)
		assert_int_equal(body[i], 0);
	/* A refused import wipes too (a 63-byte key). */
	req.material.size = 63;
	os = pb_ostream_from_buffer(body, sizeof(body));
	assert_true(pb_encode(&os, capos_ImportKeyRequest_fields, &req));
	rq.len = (uint32_t)os.bytes_written;
	memset(&rq.caps_out, 0, sizeof(rq.caps_out));
	assert_int_equal(capos_rpc_service_dispatch(&svc, &rq), CAPOS_INVALID_ARGUMENT);
	for (size_t i = 0; i < os.bytes_written; i++)
		assert_int_equal(body[i], 0);
}

static void test_destroy_and_staleness(void **st)
{
	(void)st;
	capos_KeyInfo a, b, c;
	capos_cap_t ka, kb, kc;
	assert_int_equal(gen_sym(&a, &ka), CAPOS_OK);
	assert_int_equal(gen_ec(&b, &kb), CAPOS_OK);
	capos_Empty e = capos_Empty_init_zero;
	capos_KeyInfo i;
	assert_int_equal(symmetrickey_info(ka, &e, &i), CAPOS_OK);
	assert_true(i.handle == a.handle);

	/* Open: a second cap to the same key. */
	capos_KeyRef ref = { .handle = a.handle };
	struct capos_cap_list got = { 0 };
	assert_int_equal(keyvault_open(VAULT_CAP, &ref, &i, &got), CAPOS_OK);
	capos_cap_t ka2 = got.cap[0];
	assert_true(i.handle == a.handle);

	capos_Empty out;
	assert_int_equal(keyvault_destroy(VAULT_CAP, &ref, &out), CAPOS_OK);
	/* Every cap to it, its handle: INVALID_CAP, forever. */
	capos_SealedData sd;
	assert_int_equal(seal(ka, "x", "", &sd), CAPOS_INVALID_CAP);
	assert_int_equal(seal(ka2, "x", "", &sd), CAPOS_INVALID_CAP);
	assert_int_equal(symmetrickey_info(ka, &e, &i), CAPOS_INVALID_CAP);
	assert_int_equal(keyvault_open(VAULT_CAP, &ref, &i, &got), CAPOS_INVALID_CAP);
	assert_int_equal(keyvault_destroy(VAULT_CAP, &ref, &out), CAPOS_INVALID_CAP);
	/* A new key in the freed slot has a new generation: still stale. */
	assert_int_equal(gen_sym(&c, &kc), CAPOS_OK);
	assert_true((c.handle & 0xff) == (a.handle & 0xff));
	assert_true(c.handle != a.handle);
	assert_int_equal(seal(ka, "x", "", &sd), CAPOS_INVALID_CAP);
	assert_int_equal(seal(kc, "x", "", &sd), CAPOS_OK);
	/* The other key is untouched. */
	assert_int_equal(privatekey_info(kb, &e, &i), CAPOS_OK);
	assert_true(i.handle == b.handle);
	/* Forged badges: a made-up handle, another epoch. */
	capos_cap_t forged = capos_loopback_mint(VAULT_CAP, CRYPTO_KEY_BADGE | (b.handle + 256));
	assert_int_equal(privatekey_info(forged, &e, &i), CAPOS_INVALID_CAP);
	forged = capos_loopback_mint(VAULT_CAP, CRYPTO_KEY_BADGE | (b.handle ^ (1ull << 40)));
	assert_int_equal(privatekey_info(forged, &e, &i), CAPOS_INVALID_CAP);
	ref.handle = 0;
	assert_int_equal(keyvault_open(VAULT_CAP, &ref, &i, &got), CAPOS_INVALID_CAP);

	/* A restarted server: every old cap and handle is stale. */
	struct crypto_config cfg = fixture_config();
	assert_int_equal(fixture_start(&cfg), 1);
	assert_int_equal(seal(kc, "x", "", &sd), CAPOS_INVALID_CAP);
	assert_int_equal(privatekey_info(kb, &e, &i), CAPOS_INVALID_CAP);
	ref.handle = b.handle;
	assert_int_equal(keyvault_open(VAULT_CAP, &ref, &i, &got), CAPOS_INVALID_CAP);
	assert_int_equal(crypto_key_count(&cs), 0);
}

static void test_limit(void **st)
{
	(void)st;
	struct crypto_config cfg = fixture_config();
	cfg.max_keys = 3;
	assert_int_equal(fixture_start(&cfg), 1);
	capos_KeyInfo info[4];
	capos_cap_t k[4];
	for (int i = 0; i < 3; i++)
		assert_int_equal(gen_sym(&info[i], &k[i]), CAPOS_OK);
	assert_int_equal(gen_sym(&info[3], &k[3]), CAPOS_LIMIT_EXCEEDED);
	uint8_t m[64];
	fill(m, 64, 4);
	assert_int_equal(import_sym(m, &k[3]), CAPOS_LIMIT_EXCEEDED);
	assert_string_equal(audits[naudits - 1].action, "import");
	assert_int_equal(audits[naudits - 1].outcome, CAPOS_LIMIT_EXCEEDED);
	capos_KeyRef ref = { .handle = info[1].handle };
	capos_Empty out;
	assert_int_equal(keyvault_destroy(VAULT_CAP, &ref, &out), CAPOS_OK);
	assert_int_equal(import_sym(m, &k[3]), CAPOS_OK);
	assert_int_equal(crypto_key_count(&cs), 3);
}

static void test_fail_closed(void **st)
{
	(void)st;
	assert_int_equal(crypto_drbg_selftest(), 1);
	/* No entropy source at all. */
	struct crypto_config cfg = fixture_config();
	cfg.entropy = NULL;
	assert_int_equal(fixture_start(&cfg), 0);
	capos_KeyInfo info;
	capos_cap_t k;
	assert_int_equal(gen_sym(&info, &k), CAPOS_UNSUPPORTED);
	assert_int_equal(gen_ec(&info, &k), CAPOS_UNSUPPORTED);
	assert_int_equal(crypto_key_count(&cs), 0);
	/* An imported key still opens and verifies, but cannot seal (no
	 * random nonce). */
	uint8_t m[64];
	fill(m, 64, 5);
	assert_int_equal(import_sym(m, &k), CAPOS_OK);
	capos_SealedData sd;
	assert_int_equal(seal(k, "x", "", &sd), CAPOS_UNSUPPORTED);

	/* A source that fails from the start. */
	entropy_fails = 1;
	cfg = fixture_config();
	assert_int_equal(fixture_start(&cfg), 0);
	assert_int_equal(gen_sym(&info, &k), CAPOS_UNSUPPORTED);
	/* One that fails later: the next Generate refuses. */
	entropy_fails = 0;
	assert_int_equal(fixture_start(&cfg), 1);
	assert_int_equal(gen_sym(&info, &k), CAPOS_OK);
	entropy_fails = 1;
	assert_int_equal(gen_sym(&info, &k), CAPOS_UNSUPPORTED);
	assert_int_equal(audits[naudits - 1].outcome, CAPOS_UNSUPPORTED);
	entropy_fails = 0;
}

static capos_status_t bootstrap(capos_cap_t src, const char *label, capos_BootstrapKeyResult *r,
				capos_cap_t *cap)
{
	capos_BootstrapKeyRequest req = capos_BootstrapKeyRequest_init_zero;
	snprintf(req.label, sizeof(req.label), "%s", label);
	struct capos_cap_list got = { 0 };
	capos_status_t st = keysource_bootstrap(src, &req, r, &got);
	*cap = st == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return st;
}

static void test_key_source(void **st)
{
	(void)st;
	capos_BootstrapKeyResult r;
	capos_cap_t k;
	capos_Empty e = capos_Empty_init_zero;
	capos_KeySourceInfo d;
	/* Production (the default): every request rejected and audited. */
	assert_int_equal(keysource_describe(VAULT_CAP, &e, &d), CAPOS_OK);
	assert_true(d.development);
	assert_false(d.system_is_development);
	assert_int_equal(d.labels_count, 2);
	assert_string_equal(d.labels[0], "dev-seal");
	assert_string_equal(d.labels[1], "dev-sign");
	assert_int_equal(bootstrap(VAULT_CAP, "dev-seal", &r, &k), CAPOS_DENIED);
	assert_int_equal(naudits, 1);
	assert_string_equal(audits[0].action, "bootstrap rejected: not a development system");
	assert_int_equal(audits[0].outcome, CAPOS_DENIED);
	assert_string_equal(audits[0].detail, "dev-seal");
	assert_int_equal(audits[0].client, CLIENT_BADGE);
	assert_int_equal(bootstrap(VAULT_CAP, "nope", &r, &k), CAPOS_NOT_FOUND);
	assert_string_equal(audits[1].action, "bootstrap rejected: unknown key");
	assert_int_equal(crypto_key_count(&cs), 0);

	/* Development, the policy naming dev-seal only. */
	struct crypto_config cfg = fixture_config();
	cfg.development = 1;
	cfg.policy[0] = "dev-seal";
	cfg.npolicy = 1;
	assert_int_equal(fixture_start(&cfg), 1);
	assert_int_equal(keysource_describe(VAULT_CAP, &e, &d), CAPOS_OK);
	assert_true(d.system_is_development);
	assert_int_equal(bootstrap(VAULT_CAP, "dev-sign", &r, &k), CAPOS_DENIED);
	assert_string_equal(audits[0].action, "bootstrap rejected: policy");
	assert_int_equal(bootstrap(VAULT_CAP, "dev-seal", &r, &k), CAPOS_OK);
	assert_int_equal(r.admission, capos_KeyAdmission_KEY_ADMISSION_ADMITTED);
	assert_true(r.has_key);
	assert_true(r.key.development);
	assert_string_equal(r.key.label, "dev-seal");
	assert_string_equal(audits[1].action, "bootstrap admitted");
	assert_int_equal(audits[1].outcome, CAPOS_OK);
	/* The cap works, and the key shows as development in Info and List. */
	capos_SealedData sd;
	capos_Plaintext p;
	assert_int_equal(seal(k, "boot", "", &sd), CAPOS_OK);
	assert_int_equal(open_sealed(k, &sd, "", &p), CAPOS_OK);
	capos_KeyInfo i;
	assert_int_equal(symmetrickey_info(k, &e, &i), CAPOS_OK);
	assert_true(i.development);
	/* Asked again: the same key, not a second copy. */
	capos_cap_t k2;
	assert_int_equal(bootstrap(VAULT_CAP, "dev-seal", &r, &k2), CAPOS_OK);
	assert_true(r.key.handle == i.handle);
	assert_int_equal(crypto_key_count(&cs), 1);
	assert_int_equal(open_sealed(k2, &sd, "", &p), CAPOS_OK);
}

static void test_list_and_view(void **st)
{
	(void)st;
	capos_KeyInfo info[5];
	capos_cap_t k[5];
	for (int i = 0; i < 5; i++)
		assert_int_equal(i % 2 ? gen_ec(&info[i], &k[i]) : gen_sym(&info[i], &k[i]),
				 CAPOS_OK);
	capos_KeyRef ref = { .handle = info[2].handle };
	capos_Empty out;
	assert_int_equal(keyvault_destroy(VAULT_CAP, &ref, &out), CAPOS_OK);

	/* Through the read-only view, two at a time. */
	capos_KeyListRequest lr = capos_KeyListRequest_init_zero;
	capos_KeyList kl;
	uint64_t seen[8];
	size_t nseen = 0;
	lr.max = 2;
	do {
		assert_int_equal(keyvault_list(VIEW_CAP, &lr, &kl), CAPOS_OK);
		assert_true(kl.keys_count <= 2);
		for (pb_size_t j = 0; j < kl.keys_count; j++)
			seen[nseen++] = kl.keys[j].handle;
		lr.first = kl.next;
	} while (kl.next);
	assert_int_equal(nseen, 4);
	assert_true(seen[0] == info[0].handle);
	assert_true(seen[1] == info[1].handle);
	assert_true(seen[2] == info[3].handle);
	assert_true(seen[3] == info[4].handle);
	/* All at once through the full vault: kinds and labels. */
	lr.first = 0;
	lr.max = 0;
	assert_int_equal(keyvault_list(VAULT_CAP, &lr, &kl), CAPOS_OK);
	assert_int_equal(kl.keys_count, 4);
	assert_true(kl.next == 0);
	assert_int_equal(kl.keys[1].kind, capos_KeyKind_KEY_KIND_PRIVATE);
	assert_string_equal(kl.keys[1].label, "sign");

	/* The view refuses everything else, and gives no key caps. */
	capos_GenerateKeyRequest gr = capos_GenerateKeyRequest_init_zero;
	gr.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256;
	gr.kind = capos_KeyKind_KEY_KIND_SYMMETRIC;
	struct capos_cap_list got = { 0 };
	capos_KeyInfo i;
	assert_int_equal(keyvault_generate(VIEW_CAP, &gr, &i, &got), CAPOS_DENIED);
	ref.handle = info[0].handle;
	assert_int_equal(keyvault_open(VIEW_CAP, &ref, &i, &got), CAPOS_DENIED);
	assert_int_equal(keyvault_destroy(VIEW_CAP, &ref, &out), CAPOS_DENIED);
	capos_ImportKeyRequest ir = capos_ImportKeyRequest_init_zero;
	assert_int_equal(keyvault_import(VIEW_CAP, &ir, &i, &got), CAPOS_DENIED);
	capos_BootstrapKeyRequest br = capos_BootstrapKeyRequest_init_zero;
	capos_BootstrapKeyResult bres;
	assert_int_equal(keysource_bootstrap(VIEW_CAP, &br, &bres, &got), CAPOS_DENIED);
	assert_int_equal(crypto_key_count(&cs), 4);
	capos_Empty e = capos_Empty_init_zero;
	assert_int_equal(symmetrickey_info(k[0], &e, &i), CAPOS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_seal_open, setup),
		cmocka_unit_test_setup(test_sign_verify, setup),
		cmocka_unit_test_setup(test_rfc6979, setup),
		cmocka_unit_test_setup(test_hostile_imports, setup),
		cmocka_unit_test_setup(test_import_wipes_request, setup),
		cmocka_unit_test_setup(test_destroy_and_staleness, setup),
		cmocka_unit_test_setup(test_limit, setup),
		cmocka_unit_test_setup(test_fail_closed, setup),
		cmocka_unit_test_setup(test_key_source, setup),
		cmocka_unit_test_setup(test_list_and_view, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
