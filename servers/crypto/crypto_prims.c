/*
 * crypto_prims.c - the crypto server's primitives (crypto_prims.h).
 *
 * Everything but HChaCha20 is a thin call into BearSSL; the checks that
 * BearSSL leaves to its caller (a private scalar's range, a signature's
 * exact length and its r and s in [1, n-1]) are made here explicitly, so
 * hostile input never reaches a primitive that assumes it well formed.
 */
#include <string.h>

#include <bearssl.h>

#include "crypto_prims.h"

void crypto_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
	/* The stores above are volatile; the barrier also keeps the compiler
	 * from moving later reads of the memory before them. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

int crypto_equal_ct(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	uint32_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint32_t)(x[i] ^ y[i]);
	/* d in 0..255: (d - 1) >> 31 is 1 only for d == 0, without a branch. */
	return (int)(((d - 1u) >> 31) & 1u);
}

static inline uint32_t rotl(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#define QR(a, b, c, d)                                                                     \
	do {                                                                               \
		a += b; d ^= a; d = rotl(d, 16);                                           \
		c += d; b ^= c; b = rotl(b, 12);                                           \
		a += b; d ^= a; d = rotl(d, 8);                                            \
		c += d; b ^= c; b = rotl(b, 7);                                            \
	} while (0)

/* The ChaCha20 state with the counter and nonce words replaced by the
 * 16-byte nonce, 20 rounds, no feed-forward; words 0-3 and 12-15 out. */
void crypto_hchacha20(const uint8_t key[32], const uint8_t nonce16[16], uint8_t out[32])
{
	uint32_t x[16] = { 0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u };
	for (int i = 0; i < 8; i++)
		x[4 + i] = le32(key + 4 * i);
	for (int i = 0; i < 4; i++)
		x[12 + i] = le32(nonce16 + 4 * i);
	for (int r = 0; r < 10; r++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 4; i++) {
		put_le32(out + 4 * i, x[i]);
		put_le32(out + 16 + 4 * i, x[12 + i]);
	}
	crypto_wipe(x, sizeof(x));
}

void crypto_xchacha20_xor(const uint8_t key[32], const uint8_t nonce[24], uint32_t counter,
			  void *data, size_t len)
{
	uint8_t subkey[32];
	uint8_t iv[12] = { 0 };
	crypto_hchacha20(key, nonce, subkey);
	memcpy(iv + 4, nonce + 16, 8); /* 4 zero bytes || the last 8 */
	if (len)
		br_chacha20_ct_run(subkey, iv, counter, data, len);
	crypto_wipe(subkey, sizeof(subkey));
}

void crypto_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
			uint8_t out[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, data, len);
	br_hmac_out(&hc, out);
	crypto_wipe(&kc, sizeof(kc));
	crypto_wipe(&hc, sizeof(hc));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void crypto_seal_tag(const uint8_t mac_key[32], const void *ad, size_t ad_len,
		     const uint8_t nonce[24], const void *ct, size_t ct_len, uint8_t tag[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t n[8];
	br_hmac_key_init(&kc, &br_sha256_vtable, mac_key, 32);
	br_hmac_init(&hc, &kc, 0);
	/* Each variable-length part is preceded by its length, so no two
	 * (ad, ct) pairs share an input. */
	put_le64(n, ad_len);
	br_hmac_update(&hc, n, 8);
	br_hmac_update(&hc, ad, ad_len);
	br_hmac_update(&hc, nonce, CRYPTO_NONCE_LEN);
	put_le64(n, ct_len);
	br_hmac_update(&hc, n, 8);
	br_hmac_update(&hc, ct, ct_len);
	br_hmac_out(&hc, tag);
	crypto_wipe(&kc, sizeof(kc));
	crypto_wipe(&hc, sizeof(hc));
}

/* The order of the P-256 group, big-endian (SEC 2). */
static const uint8_t p256_order[32] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
};

/* 1 when the 32-byte big-endian v is in [1, n-1]; constant time. */
int crypto_p256_scalar_valid(const uint8_t v[32])
{
	uint32_t nonzero = 0, borrow = 0;
	/* v - n: a borrow out of the top byte means v < n. */
	for (int i = 31; i >= 0; i--) {
		uint32_t d = (uint32_t)v[i] - (uint32_t)p256_order[i] - borrow;
		borrow = (d >> 31) & 1u;
		nonzero |= v[i];
	}
	return (int)(borrow & (((0u - nonzero) >> 31) & 1u));
}

int crypto_p256_point_valid(const uint8_t *point, size_t len)
{
	if (len != CRYPTO_P256_POINT_LEN || point[0] != 0x04)
		return 0;
	uint8_t copy[CRYPTO_P256_POINT_LEN];
	static const uint8_t one = 1;
	memcpy(copy, point, sizeof(copy));
	/* mul decodes the point first and answers 0 for one not on the
	 * curve; multiplying by 1 leaves a valid point as it was. */
	uint32_t ok = br_ec_p256_m31.mul(copy, sizeof(copy), &one, 1, BR_EC_secp256r1);
	return ok == 1;
}

int crypto_p256_public(const uint8_t scalar[32], uint8_t point[65])
{
	if (!crypto_p256_scalar_valid(scalar))
		return 0;
	br_ec_private_key sk = { BR_EC_secp256r1, (unsigned char *)scalar, 32 };
	br_ec_public_key pk;
	return br_ec_compute_pub(&br_ec_p256_m31, &pk, point, &sk) == CRYPTO_P256_POINT_LEN;
}

int crypto_p256_sign(const uint8_t scalar[32], const void *msg, size_t len, uint8_t sig[64])
{
	uint8_t h[32];
	br_sha256_context sc;
	br_sha256_init(&sc);
	br_sha256_update(&sc, msg, len);
	br_sha256_out(&sc, h);
	br_ec_private_key sk = { BR_EC_secp256r1, (unsigned char *)scalar, 32 };
	size_t n = br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, h, &sk, sig);
	return n == CRYPTO_P256_SIG_LEN;
}

int crypto_p256_verify(const uint8_t point[65], const void *msg, size_t len,
		       const uint8_t *sig, size_t sig_len)
{
	if (sig_len != CRYPTO_P256_SIG_LEN)
		return 0;
	/* r and s in [1, n-1] (BearSSL checks too; this makes it explicit). */
	if (!crypto_p256_scalar_valid(sig) || !crypto_p256_scalar_valid(sig + 32))
		return 0;
	uint8_t h[32];
	br_sha256_context sc;
	br_sha256_init(&sc);
	br_sha256_update(&sc, msg, len);
	br_sha256_out(&sc, h);
	br_ec_public_key pk = { BR_EC_secp256r1, (unsigned char *)point, CRYPTO_P256_POINT_LEN };
	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, h, sizeof(h), &pk, sig, sig_len) == 1;
}
