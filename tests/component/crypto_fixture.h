/*
 * crypto_fixture.h - the crypto server on the loopback for the component
 * tests: a full binding (the vault) and a read-only one (the shell's
 * view), a deterministic entropy source, and the audit records kept.
 */
#ifndef TESTS_COMPONENT_CRYPTO_FIXTURE_H
#define TESTS_COMPONENT_CRYPTO_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <capos/transport.h>

#include "crypto.capos.h"
#include "crypto_service.h"

#define VAULT_CAP 2
#define VIEW_CAP 3
#define CLIENT_BADGE 7u

struct audit_entry {
	uint64_t client;
	char action[64];
	capos_status_t outcome;
	char detail[40];
};

static struct crypto_state cs;
static struct audit_entry audits[64];
static size_t naudits;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static int entropy_fails;

static int fake_entropy(void *arg, void *buf, size_t len)
{
	(void)arg;
	if (entropy_fails)
		return -1;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)(rng_state >> 24);
	}
	return 0;
}

static capos_cap_t fake_mint(void *arg, uint64_t badge)
{
	(void)arg;
	return capos_loopback_mint(VAULT_CAP, badge);
}

static void fake_audit(void *arg, uint64_t client, const char *action, capos_status_t st,
		       const char *detail)
{
	(void)arg;
	if (naudits == sizeof(audits) / sizeof(audits[0]))
		return;
	struct audit_entry *e = &audits[naudits++];
	e->client = client;
	snprintf(e->action, sizeof(e->action), "%s", action);
	e->outcome = st;
	snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
}

static struct crypto_config fixture_config(void)
{
	struct crypto_config c;
	memset(&c, 0, sizeof(c));
	c.max_keys = 8;
	c.entropy = fake_entropy;
	c.entropy_name = "test";
	c.mint = fake_mint;
	c.audit = fake_audit;
	c.epoch_fallback = 0x123;
	return c;
}

/* The server (re)started with cfg; the loopback's table is kept, so caps
 * handed out before a restart survive it (as on the target, where the
 * endpoint outlives the process). */
static int fixture_start(const struct crypto_config *cfg)
{
	int ready = crypto_init(&cs, cfg);
	capos_loopback_register(VAULT_CAP, crypto_service(&cs, 0), CLIENT_BADGE);
	capos_loopback_register(VIEW_CAP, crypto_service(&cs, 1), CLIENT_BADGE + 1);
	naudits = 0;
	return ready;
}

__attribute__((unused)) static void fill(void *buf, size_t len, uint8_t seed)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 31);
}

__attribute__((unused)) static capos_status_t import_key(capos_KeyAlgorithm alg, capos_KeyKind kind, const void *m,
				 size_t len, const char *label, capos_KeyInfo *info,
				 capos_cap_t *cap)
{
	capos_ImportKeyRequest req = capos_ImportKeyRequest_init_zero;
	req.algorithm = alg;
	req.kind = kind;
	if (len > sizeof(req.material.bytes))
		return CAPOS_INVALID_ARGUMENT;
	memcpy(req.material.bytes, m, len);
	req.material.size = (pb_size_t)len;
	snprintf(req.label, sizeof(req.label), "%s", label);
	struct capos_cap_list got = { 0 };
	capos_KeyInfo tmp;
	capos_status_t st = keyvault_import(VAULT_CAP, &req, info ? info : &tmp, &got);
	if (cap)
		*cap = st == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return st;
}

__attribute__((unused)) static capos_status_t import_sym(const uint8_t key[64], capos_cap_t *cap)
{
	return import_key(capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256,
			  capos_KeyKind_KEY_KIND_SYMMETRIC, key, 64, "sym", NULL, cap);
}

__attribute__((unused)) static capos_status_t import_pub(const uint8_t *point, size_t len, capos_cap_t *cap)
{
	return import_key(capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256,
			  capos_KeyKind_KEY_KIND_PUBLIC, point, len, "pub", NULL, cap);
}

__attribute__((unused)) static capos_status_t verify(capos_cap_t cap, const void *msg, size_t len, const void *sig,
			     size_t sig_len, int *valid)
{
	capos_VerifyRequest req = capos_VerifyRequest_init_zero;
	capos_VerifyResult r;
	memcpy(req.message.bytes, msg, len);
	req.message.size = (pb_size_t)len;
	memcpy(req.signature.bytes, sig, sig_len);
	req.signature.size = (pb_size_t)sig_len;
	capos_status_t st = publickey_verify(cap, &req, &r);
	*valid = st == CAPOS_OK ? r.valid : -1;
	return st;
}

#endif
