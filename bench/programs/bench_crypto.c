/*
 * bench_crypto - what the crypto key service costs, in guest instructions
 * (QEMU -icount shift=0: one TSC tick per guest instruction), measured by
 * a client of the real server (manifests/bench-crypto.textproto: console,
 * logd, crypto, this).
 *
 * Through the generated stubs on its `vault` cap it generates a symmetric
 * and a P-256 key, then times Encrypt and Decrypt of 64 B and 1 KiB, Sign
 * and Verify of a 64-byte message. The same operations then run as direct
 * calls inside this process - the server's own primitives
 * (servers/crypto/crypto_prims.c) over the same BearSSL archive, with a
 * local HMAC-DRBG for the nonce - so the ratio stubs/direct is what the
 * cap boundary costs (two IPCs, encoding, the server's dispatch). Means of
 * ROUNDS after WARMUP; each figure on a "bench-crypto:" line; nothing is
 * judged.
 */
#include <string.h>

#include <bearssl.h>

#include <capos/debug.h>
#include <capos/startup.h>

#include "crypto.capos.h"
#include "crypto_prims.h"

#define WARMUP 5u
#define SYM_ROUNDS 200u
#define EC_ROUNDS 20u

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static capos_cap_t vault, sym, priv, pub;
static capos_EncryptRequest er;
static capos_SealedData sd;
static capos_DecryptRequest dr;
static capos_Plaintext pt;
static capos_SignRequest sr;
static capos_Signature sig;
static capos_VerifyRequest vr;
static capos_PublicKeyData pk;

/* Direct: the same work as the server's Encrypt and Decrypt. */
static uint8_t key[64], nonce[24], tag[32], buf[1024], ad[16];
static uint8_t scalar[32], point[65], dsig[64];
static br_hmac_drbg_context drbg;

static int direct_encrypt(size_t len)
{
	br_hmac_drbg_generate(&drbg, nonce, sizeof(nonce));
	crypto_xchacha20_xor(key, nonce, 0, buf, len);
	crypto_seal_tag(key + 32, ad, sizeof(ad), nonce, buf, len, tag);
	return 1;
}

static int direct_decrypt(size_t len)
{
	uint8_t t[32];
	crypto_seal_tag(key + 32, ad, sizeof(ad), nonce, buf, len, t);
	if (!crypto_equal_ct(t, tag, 32))
		return 0;
	crypto_xchacha20_xor(key, nonce, 0, buf, len);
	return 1;
}

static capos_cap_t generate(capos_KeyAlgorithm alg, capos_KeyKind kind)
{
	capos_GenerateKeyRequest req = capos_GenerateKeyRequest_init_zero;
	req.algorithm = alg;
	req.kind = kind;
	strcpy(req.label, "bench");
	capos_KeyInfo info;
	struct capos_cap_list got = { 0 };
	if (keyvault_generate(vault, &req, &info, &got) != CAPOS_OK)
		return CAPOS_NO_CAP;
	return got.cap[0];
}

enum op { ENCRYPT, DECRYPT, SIGN, VERIFY };

/* Mean guest instructions of one op through the stubs (via = 1) or
 * direct; 0 when a call fails. */
static uint64_t measure(enum op op, size_t len, int via, uint32_t rounds)
{
	uint64_t t0 = 0;
	er.plaintext.size = (pb_size_t)len;
	er.associated_data.size = sizeof(ad);
	if (via && op == DECRYPT) {
		if (symmetrickey_encrypt(sym, &er, &sd) != CAPOS_OK)
			return 0;
		memset(&dr, 0, sizeof(dr));
		dr.has_sealed = true;
		dr.sealed = sd;
		dr.associated_data.size = sizeof(ad);
	}
	if (!via && op == DECRYPT)
		direct_encrypt(len);
	for (uint32_t i = 0; i < WARMUP + rounds; i++) {
		if (i == WARMUP)
			t0 = rdtsc();
		int ok;
		switch (op) {
		case ENCRYPT:
			ok = via ? symmetrickey_encrypt(sym, &er, &sd) == CAPOS_OK : direct_encrypt(len);
			break;
		case DECRYPT:
			if (via) {
				ok = symmetrickey_decrypt(sym, &dr, &pt) == CAPOS_OK &&
				     pt.plaintext.size == len;
			} else {
				/* Open, then seal again with the same nonce so the next
				 * round opens too: subtract the re-seal below. */
				ok = direct_decrypt(len);
				crypto_xchacha20_xor(key, nonce, 0, buf, len);
			}
			break;
		case SIGN:
			ok = via ? privatekey_sign(priv, &sr, &sig) == CAPOS_OK
				 : crypto_p256_sign(scalar, sr.message.bytes, sr.message.size, dsig);
			break;
		default:
			ok = via ? publickey_verify(pub, &vr, &(capos_VerifyResult){ 0 }) == CAPOS_OK
				 : crypto_p256_verify(point, vr.message.bytes, vr.message.size, dsig,
						      64);
			break;
		}
		if (!ok) {
			capos_printf("bench-crypto: (check: op %d len %u via %d failed at %u)\n", (int)op,
				     (unsigned)len, via, (unsigned)i);
			return 0;
		}
	}
	uint64_t per = (rdtsc() - t0) / rounds;
	if (!via && op == DECRYPT) {
		/* The extra XChaCha20 that re-seals for the next round. */
		uint64_t t1 = rdtsc();
		for (uint32_t i = 0; i < rounds; i++)
			crypto_xchacha20_xor(key, nonce, 0, buf, len);
		uint64_t extra = (rdtsc() - t1) / rounds;
		per = per > extra ? per - extra : 0;
	}
	return per;
}

static void report(const char *what, enum op op, size_t len, uint32_t rounds)
{
	uint64_t via = measure(op, len, 1, rounds);
	uint64_t direct = measure(op, len, 0, rounds);
	if (!via || !direct)
		return;
	capos_printf("bench-crypto: %s through the stubs: %lu guest instructions per call (mean of %u)\n",
		     what, (unsigned long)via, (unsigned)rounds);
	capos_printf("bench-crypto: %s as direct calls in the client: %lu guest instructions (mean of %u)\n",
		     what, (unsigned long)direct, (unsigned)rounds);
	uint64_t r100 = via * 100 / direct;
	capos_printf("bench-crypto: %s stubs/direct ratio: %lu.%02lu x\n", what,
		     (unsigned long)(r100 / 100), (unsigned long)(r100 % 100));
}

int main(uint64_t arg)
{
	(void)arg;
	vault = capos_cap_lookup("vault");
	if (vault == CAPOS_NO_CAP) {
		capos_printf("bench-crypto: (check: no vault cap)\n");
		return 1;
	}
	sym = generate(capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256,
		       capos_KeyKind_KEY_KIND_SYMMETRIC);
	priv = generate(capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256,
			capos_KeyKind_KEY_KIND_PRIVATE);
	if (sym == CAPOS_NO_CAP || priv == CAPOS_NO_CAP) {
		capos_printf("bench-crypto: (check: key generation failed)\n");
		return 2;
	}
	capos_Empty e = capos_Empty_init_zero;
	if (privatekey_public_key(priv, &e, &pk) != CAPOS_OK)
		return 3;
	capos_ImportKeyRequest ir = capos_ImportKeyRequest_init_zero;
	ir.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
	ir.kind = capos_KeyKind_KEY_KIND_PUBLIC;
	ir.material.size = pk.key.size;
	memcpy(ir.material.bytes, pk.key.bytes, pk.key.size);
	capos_KeyInfo info;
	struct capos_cap_list got = { 0 };
	if (keyvault_import(vault, &ir, &info, &got) != CAPOS_OK)
		return 4;
	pub = got.cap[0];

	/* The direct side's keys and DRBG (fixed: only the cost matters). */
	for (int i = 0; i < 64; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < 32; i++)
		scalar[i] = (uint8_t)(i + 1);
	if (!crypto_p256_public(scalar, point))
		return 5;
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, key, sizeof(key));

	sr.message.size = 64;
	memset(sr.message.bytes, 'm', 64);
	if (privatekey_sign(priv, &sr, &sig) != CAPOS_OK)
		return 6;
	vr.message.size = sr.message.size;
	memcpy(vr.message.bytes, sr.message.bytes, sr.message.size);
	if (!crypto_p256_sign(scalar, vr.message.bytes, vr.message.size, dsig))
		return 7;
	vr.signature.size = 64;
	memcpy(vr.signature.bytes, sig.signature.bytes, 64);
	memset(er.plaintext.bytes, 'p', sizeof(er.plaintext.bytes));
	memcpy(buf, er.plaintext.bytes, sizeof(buf));

	report("Encrypt 64 B", ENCRYPT, 64, SYM_ROUNDS);
	report("Encrypt 1 KiB", ENCRYPT, 1024, SYM_ROUNDS);
	report("Decrypt 64 B", DECRYPT, 64, SYM_ROUNDS);
	report("Decrypt 1 KiB", DECRYPT, 1024, SYM_ROUNDS);
	report("Sign (P-256, 64-byte message)", SIGN, 64, EC_ROUNDS);
	report("Verify (P-256, 64-byte message)", VERIFY, 64, EC_ROUNDS);
	capos_printf("bench-crypto: done\n");
	return 0;
}
