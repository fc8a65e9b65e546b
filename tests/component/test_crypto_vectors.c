/*
 * Component test: published vectors through the crypto service's own
 * calls (servers/crypto over the loopback), and a cross-check against
 * libsodium:
 *  - NIST CAVP ECDSA SigVer, the [P-256,SHA-256] section of FIPS_186-3/
 *    SigVer.rsp from Debian's python3-cryptography-vectors: each case
 *    through KeyVault.Import (PUBLIC) + PublicKey.Verify;
 *  - draft-irtf-cfrg-xchacha-03: the HChaCha20 vector (section 2.2.1) on
 *    the server's hand-written HChaCha20, and the XChaCha20 vector
 *    (A.3.2) through SymmetricKey.Decrypt with the published nonce;
 *  - RFC 4231 HMAC-SHA256 cases 1-7 on the server's HMAC (the MAC half),
 *    and the seal's tag checked against libsodium's HMAC-SHA256;
 *  - XChaCha20 against libsodium's crypto_stream_xchacha20 for random
 *    keys, nonces and lengths 0..4096 (the server's function), and every
 *    Encrypt of 0..1024 bytes through the service against libsodium.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "crypto_fixture.h"

/* draft-irtf-cfrg-xchacha-03, appendix A.3.2: the ciphertext. */
static const uint8_t xchacha_ct[304] = {
	0x45, 0x59, 0xab, 0xba, 0x4e, 0x48, 0xc1, 0x61, 0x02, 0xe8, 0xbb, 0x2c,
	0x05, 0xe6, 0x94, 0x7f, 0x50, 0xa7, 0x86, 0xde, 0x16, 0x2f, 0x9b, 0x0b,
	0x7e, 0x59, 0x2a, 0x9b, 0x53, 0xd0, 0xd4, 0xe9, 0x8d, 0x8d, 0x64, 0x10,
	0xd5, 0x40, 0xa1, 0xa6, 0x37, 0x5b, 0x26, 0xd8, 0x0d, 0xac, 0xe4, 0xfa,
	0xb5, 0x23, 0x84, 0xc7, 0x31, 0xac, 0xbf, 0x16, 0xa5, 0x92, 0x3c, 0x0c,
	0x48, 0xd3, 0x57, 0x5d, 0x4d, 0x0d, 0x2c, 0x67, 0x3b, 0x66, 0x6f, 0xaa,
	0x73, 0x10, 0x61, 0x27, 0x77, 0x01, 0x09, 0x3a, 0x6b, 0xf7, 0xa1, 0x58,
	0xa8, 0x86, 0x42, 0x92, 0xa4, 0x1c, 0x48, 0xe3, 0xa9, 0xb4, 0xc0, 0xda,
	0xec, 0xe0, 0xf8, 0xd9, 0x8d, 0x0d, 0x7e, 0x05, 0xb3, 0x7a, 0x30, 0x7b,
	0xbb, 0x66, 0x33, 0x31, 0x64, 0xec, 0x9e, 0x1b, 0x24, 0xea, 0x0d, 0x6c,
	0x3f, 0xfd, 0xdc, 0xec, 0x4f, 0x68, 0xe7, 0x44, 0x30, 0x56, 0x19, 0x3a,
	0x03, 0xc8, 0x10, 0xe1, 0x13, 0x44, 0xca, 0x06, 0xd8, 0xed, 0x8a, 0x2b,
	0xfb, 0x1e, 0x8d, 0x48, 0xcf, 0xa6, 0xbc, 0x0e, 0xb4, 0xe2, 0x46, 0x4b,
	0x74, 0x81, 0x42, 0x40, 0x7c, 0x9f, 0x43, 0x1a, 0xee, 0x76, 0x99, 0x60,
	0xe1, 0x5b, 0xa8, 0xb9, 0x68, 0x90, 0x46, 0x6e, 0xf2, 0x45, 0x75, 0x99,
	0x85, 0x23, 0x85, 0xc6, 0x61, 0xf7, 0x52, 0xce, 0x20, 0xf9, 0xda, 0x0c,
	0x09, 0xab, 0x6b, 0x19, 0xdf, 0x74, 0xe7, 0x6a, 0x95, 0x96, 0x74, 0x46,
	0xf8, 0xd0, 0xfd, 0x41, 0x5e, 0x7b, 0xee, 0x2a, 0x12, 0xa1, 0x14, 0xc2,
	0x0e, 0xb5, 0x29, 0x2a, 0xe7, 0xa3, 0x49, 0xae, 0x57, 0x78, 0x20, 0xd5,
	0x52, 0x0a, 0x1f, 0x3f, 0xb6, 0x2a, 0x17, 0xce, 0x6a, 0x7e, 0x68, 0xfa,
	0x7c, 0x79, 0x11, 0x1d, 0x88, 0x60, 0x92, 0x0b, 0xc0, 0x48, 0xef, 0x43,
	0xfe, 0x84, 0x48, 0x6c, 0xcb, 0x87, 0xc2, 0x5f, 0x0a, 0xe0, 0x45, 0xf0,
	0xcc, 0xe1, 0xe7, 0x98, 0x9a, 0x9a, 0xa2, 0x20, 0xa2, 0x8b, 0xdd, 0x48,
	0x27, 0xe7, 0x51, 0xa2, 0x4a, 0x6d, 0x5c, 0x62, 0xd7, 0x90, 0xa6, 0x63,
	0x93, 0xb9, 0x31, 0x11, 0xc1, 0xa5, 0x5d, 0xd7, 0x42, 0x1a, 0x10, 0x18,
	0x49, 0x74, 0xc7, 0xc5,
};

static const char dhole[] =
	"The dhole (pronounced \"dole\") is also known as the Asiatic wild dog, red dog, and "
	"whistling dog. It is about the size of a German shepherd but looks more like a "
	"long-legged fox. This highly elusive and skilled jumper is classified with wolves, "
	"coyotes, jackals, and foxes in the taxonomic family Canidae.";

static int setup(void **st)
{
	(void)st;
	capos_loopback_reset();
	struct crypto_config c = fixture_config();
	c.max_keys = CRYPTO_KEYS_MAX;
	assert_int_equal(fixture_start(&c), 1);
	return 0;
}

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (s[0] && s[1] && n < max) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* The seal's tag as docs/servers/crypto.md defines it, by libsodium. */
static void sodium_tag(const uint8_t mac_key[32], const uint8_t *ad, size_t ad_len,
		       const uint8_t nonce[24], const uint8_t *ct, size_t ct_len, uint8_t out[32])
{
	crypto_auth_hmacsha256_state h;
	uint8_t n[8];
	crypto_auth_hmacsha256_init(&h, mac_key, 32);
	for (int i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)ad_len >> (8 * i));
	crypto_auth_hmacsha256_update(&h, n, 8);
	crypto_auth_hmacsha256_update(&h, ad, ad_len);
	crypto_auth_hmacsha256_update(&h, nonce, 24);
	for (int i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)ct_len >> (8 * i));
	crypto_auth_hmacsha256_update(&h, n, 8);
	crypto_auth_hmacsha256_update(&h, ct, ct_len);
	crypto_auth_hmacsha256_final(&h, out);
}

static void test_hchacha20(void **st)
{
	(void)st;
	uint8_t key[32], nonce[16], out[32], want[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	unhex("000000090000004a0000000031415927", nonce, 16);
	unhex("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc", want, 32);
	crypto_hchacha20(key, nonce, out);
	assert_memory_equal(out, want, 32);
	/* libsodium agrees on random inputs. */
	for (int t = 0; t < 64; t++) {
		uint8_t s[32];
		randombytes_buf(key, 32);
		randombytes_buf(nonce, 16);
		crypto_hchacha20(key, nonce, out);
		crypto_core_hchacha20(s, nonce, key, NULL);
		assert_memory_equal(out, s, 32);
	}
}

/* A.3.2 through Decrypt: the published nonce and ciphertext, with the tag
 * libsodium computes, open to the published plaintext. */
static void test_xchacha20_draft(void **st)
{
	(void)st;
	uint8_t key[64];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	fill(key + 32, 32, 0x33);
	capos_cap_t k;
	assert_int_equal(import_sym(key, &k), CAPOS_OK);
	assert_int_equal(sizeof(xchacha_ct), strlen(dhole));

	capos_DecryptRequest req = capos_DecryptRequest_init_zero;
	req.has_sealed = true;
	unhex("404142434445464748494a4b4c4d4e4f5051525354555658", req.sealed.nonce.bytes, 24);
	req.sealed.nonce.size = 24;
	memcpy(req.sealed.ciphertext.bytes, xchacha_ct, sizeof(xchacha_ct));
	req.sealed.ciphertext.size = sizeof(xchacha_ct);
	sodium_tag(key + 32, NULL, 0, req.sealed.nonce.bytes, xchacha_ct, sizeof(xchacha_ct),
		   req.sealed.tag.bytes);
	req.sealed.tag.size = 32;
	capos_Plaintext p;
	assert_int_equal(symmetrickey_decrypt(k, &req, &p), CAPOS_OK);
	assert_int_equal(p.plaintext.size, sizeof(xchacha_ct));
	assert_memory_equal(p.plaintext.bytes, dhole, sizeof(xchacha_ct));
	/* And the server's own function gives the published ciphertext. */
	uint8_t buf[sizeof(xchacha_ct)];
	memcpy(buf, dhole, sizeof(buf));
	crypto_xchacha20_xor(key, req.sealed.nonce.bytes, 0, buf, sizeof(buf));
	assert_memory_equal(buf, xchacha_ct, sizeof(buf));
}

static void test_xchacha20_sodium(void **st)
{
	(void)st;
	static uint8_t a[4096], b[4096];
	uint8_t key[32], nonce[24];
	for (size_t len = 0; len <= 4096; len += (len < 300 ? 1 : 61)) {
		randombytes_buf(key, 32);
		randombytes_buf(nonce, 24);
		randombytes_buf(a, len);
		memcpy(b, a, len);
		crypto_xchacha20_xor(key, nonce, 0, a, len);
		crypto_stream_xchacha20_xor(b, b, len, nonce, key);
		assert_memory_equal(a, b, len);
	}
	/* The last length too. */
	randombytes_buf(key, 32);
	randombytes_buf(nonce, 24);
	randombytes_buf(a, 4096);
	memcpy(b, a, 4096);
	crypto_xchacha20_xor(key, nonce, 0, a, 4096);
	crypto_stream_xchacha20_xor(b, b, 4096, nonce, key);
	assert_memory_equal(a, b, 4096);
}

/* Every Encrypt through the service is libsodium's XChaCha20 and the
 * documented HMAC tag. */
static void test_seal_sodium(void **st)
{
	(void)st;
	uint8_t key[64];
	randombytes_buf(key, 64);
	capos_cap_t k;
	assert_int_equal(import_sym(key, &k), CAPOS_OK);
	static capos_EncryptRequest req;
	for (size_t len = 0; len <= 1024; len += (len < 100 ? 1 : 37)) {
		memset(&req, 0, sizeof(req));
		req.plaintext.size = (pb_size_t)len;
		randombytes_buf(req.plaintext.bytes, len);
		req.associated_data.size = (pb_size_t)(len % 257);
		randombytes_buf(req.associated_data.bytes, req.associated_data.size);
		capos_SealedData sd;
		assert_int_equal(symmetrickey_encrypt(k, &req, &sd), CAPOS_OK);
		uint8_t want[1024], tag[32];
		crypto_stream_xchacha20_xor(want, req.plaintext.bytes, len, sd.nonce.bytes, key);
		assert_int_equal(sd.ciphertext.size, len);
		assert_memory_equal(sd.ciphertext.bytes, want, len);
		sodium_tag(key + 32, req.associated_data.bytes, req.associated_data.size,
			   sd.nonce.bytes, want, len, tag);
		assert_memory_equal(sd.tag.bytes, tag, 32);
	}
}

static void test_rfc4231(void **st)
{
	(void)st;
	static const struct {
		const char *key, *data, *mac;
	} cases[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		/* Case 5: the first 128 bits. */
		{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "546573742057697468205472756e636174696f6e",
		  "a3b6167473100ee06e0c796c2955552b" },
		{ NULL, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ NULL, "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t key[131], data[256], want[32], out[32];
		size_t kl;
		if (cases[i].key) {
			kl = unhex(cases[i].key, key, sizeof(key));
		} else {
			memset(key, 0xaa, 131); /* cases 6 and 7: 131 bytes of 0xaa */
			kl = 131;
		}
		size_t dl = unhex(cases[i].data, data, sizeof(data));
		size_t ml = unhex(cases[i].mac, want, sizeof(want));
		crypto_hmac_sha256(key, kl, data, dl, out);
		assert_memory_equal(out, want, ml);
	}
}

/* NIST CAVP SigVer, [P-256,SHA-256]: Import + Verify for each case. */
static void test_cavp_sigver(void **st)
{
	(void)st;
	FILE *f = fopen(CAVP_SIGVER, "r");
	assert_non_null(f); /* python3-cryptography-vectors (ci/setup) */
	static char line[4096];
	int in = 0, cases = 0, pass = 0, fail = 0;
	static uint8_t msg[1024];
	uint8_t q[65] = { 0x04 }, sig[64];
	size_t msg_len = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '[') {
			in = strcmp(line, "[P-256,SHA-256]") == 0;
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, "Msg = ", 6)) {
			msg_len = unhex(line + 6, msg, sizeof(msg));
		} else if (!strncmp(line, "Qx = ", 5)) {
			assert_int_equal(unhex(line + 5, q + 1, 32), 32);
		} else if (!strncmp(line, "Qy = ", 5)) {
			assert_int_equal(unhex(line + 5, q + 33, 32), 32);
		} else if (!strncmp(line, "R = ", 4)) {
			assert_int_equal(unhex(line + 4, sig, 32), 32);
		} else if (!strncmp(line, "S = ", 4)) {
			assert_int_equal(unhex(line + 4, sig + 32, 32), 32);
		} else if (!strncmp(line, "Result = ", 9)) {
			int expect = line[9] == 'P';
			capos_cap_t pub;
			capos_status_t st2 = import_pub(q, 65, &pub);
			int valid = 0;
			if (st2 == CAPOS_OK) {
				assert_int_equal(verify(pub, msg, msg_len, sig, 64, &valid), CAPOS_OK);
				capos_KeyRef ref;
				capos_Empty e = capos_Empty_init_zero, o;
				capos_KeyInfo i;
				assert_int_equal(publickey_info(pub, &e, &i), CAPOS_OK);
				ref.handle = i.handle;
				assert_int_equal(keyvault_destroy(VAULT_CAP, &ref, &o), CAPOS_OK);
			} else {
				/* Only a point off the curve may be refused. */
				assert_int_equal(st2, CAPOS_INVALID_ARGUMENT);
				assert_false(expect);
			}
			if (valid == expect)
				pass++;
			else
				fail++;
			cases++;
			if (expect)
				assert_int_equal(valid, 1);
		}
	}
	fclose(f);
	printf("CAVP SigVer P-256,SHA-256: %d cases, %d passed, %d failed\n", cases, pass, fail);
	assert_int_equal(cases, 15);
	assert_int_equal(fail, 0);
}

int main(void)
{
	assert_true(sodium_init() >= 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hchacha20, setup),
		cmocka_unit_test_setup(test_xchacha20_draft, setup),
		cmocka_unit_test_setup(test_xchacha20_sodium, setup),
		cmocka_unit_test_setup(test_seal_sodium, setup),
		cmocka_unit_test_setup(test_rfc4231, setup),
		cmocka_unit_test_setup(test_cavp_sigver, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
