/*
 * crypto_prims.h - the primitives the crypto server uses, over BearSSL
 * (docs/servers/crypto.md). No system calls, no state of their own: the
 * same code runs in the server on the target and in the host tests.
 *
 * Only HChaCha20 is written here by hand (BearSSL lacks it); ChaCha20,
 * HMAC-SHA256, SHA-256, ECDSA P-256 and the HMAC-DRBG are BearSSL's.
 */
#ifndef SERVERS_CRYPTO_PRIMS_H
#define SERVERS_CRYPTO_PRIMS_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SYM_KEY_LEN 32u    /* each half of a symmetric key */
#define CRYPTO_NONCE_LEN 24u      /* XChaCha20 */
#define CRYPTO_TAG_LEN 32u        /* HMAC-SHA256 */
#define CRYPTO_P256_SCALAR_LEN 32u
#define CRYPTO_P256_POINT_LEN 65u /* uncompressed SEC1: 0x04 || X || Y */
#define CRYPTO_P256_SIG_LEN 64u   /* raw r || s */

/* Zeroes n bytes through a volatile pointer and a compiler barrier, so a
 * store to memory about to die is not optimised away (explicit_bzero). */
void crypto_wipe(void *p, size_t n);

/* 1 when a and b hold the same n bytes; the time depends on n only. */
int crypto_equal_ct(const void *a, const void *b, size_t n);

/* HChaCha20 (draft-irtf-cfrg-xchacha section 2.2): the 32-byte subkey for
 * key and the first 16 bytes of an XChaCha20 nonce. */
void crypto_hchacha20(const uint8_t key[32], const uint8_t nonce16[16], uint8_t out[32]);

/* XChaCha20 from block `counter`: data ^= keystream, in place. */
void crypto_xchacha20_xor(const uint8_t key[32], const uint8_t nonce[24], uint32_t counter,
			  void *data, size_t len);

/* HMAC-SHA256 over one buffer (any key length). */
void crypto_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
			uint8_t out[32]);

/* The seal's tag (docs/servers/crypto.md): HMAC-SHA256 under mac_key of
 * le64(ad_len) || ad || nonce || le64(ct_len) || ct. */
void crypto_seal_tag(const uint8_t mac_key[32], const void *ad, size_t ad_len,
		     const uint8_t nonce[24], const void *ct, size_t ct_len, uint8_t tag[32]);

/* P-256: 1 when the scalar is in [1, n-1]. */
int crypto_p256_scalar_valid(const uint8_t scalar[32]);
/* P-256: 1 when point is an uncompressed point on the curve (the point at
 * infinity has no such encoding, so it is refused too). */
int crypto_p256_point_valid(const uint8_t *point, size_t len);
/* The public point of a valid scalar; 0 on failure. */
int crypto_p256_public(const uint8_t scalar[32], uint8_t point[65]);
/* ECDSA over SHA-256(msg), RFC 6979 nonces: 1 on success. */
int crypto_p256_sign(const uint8_t scalar[32], const void *msg, size_t len, uint8_t sig[64]);
/* 1 when sig (raw r || s, exactly 64 bytes with r and s in [1, n-1])
 * verifies for SHA-256(msg) under point. */
int crypto_p256_verify(const uint8_t point[65], const void *msg, size_t len,
		       const uint8_t *sig, size_t sig_len);

#endif
