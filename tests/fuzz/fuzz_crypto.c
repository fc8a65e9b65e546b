/*
 * fuzz_crypto - libFuzzer over the crypto key service's dispatcher
 * (servers/crypto/crypto_service.c) with the real service behind it: the
 * input is a sequence of calls, each a method of any of its five
 * interfaces (or a made-up label) with a fuzzed body, through the full or
 * the read-only binding, carrying a client's badge, the badge of a key cap
 * the vault minted earlier, or a made-up one; now and then the server
 * restarts. After every call the dispatcher's contract is checked: a reply
 * body only with OK and within the buffer, a cap exactly when an OK reply
 * promises one, the vault within its limit.
 *
 * One call: [op][len lo][len hi][len bytes of body]; op bits 0-3 pick the
 * method, 4-5 the badge, 6 the binding, 7 a restart before the call.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.capos.h"
#include "crypto_service.h"

#define CLIENT_BADGE 7u
#define MINT_SLOT 40u
#define KEPT 8u

static struct crypto_state state;
static uint64_t minted[KEPT];
static unsigned nminted;
static uint64_t rng = 1;

static int entropy(void *arg, void *buf, size_t len)
{
	(void)arg;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		p[i] = (uint8_t)(rng >> 56);
	}
	return 0;
}

static capos_cap_t mint(void *arg, uint64_t badge)
{
	(void)arg;
	minted[nminted++ % KEPT] = badge;
	return MINT_SLOT;
}

static void start(void)
{
	struct crypto_config c;
	memset(&c, 0, sizeof(c));
	c.max_keys = 6;
	c.development = 1;
	c.policy[0] = "dev-seal";
	c.npolicy = 1;
	c.entropy = entropy;
	c.mint = mint;
	c.epoch_fallback = 3;
	if (!crypto_init(&state, &c))
		abort(); /* the DRBG's self-test failed */
}

static const struct {
	uint32_t iface, method;
	uint8_t reply_caps;
} methods[16] = {
	{ SYMMETRICKEY_INTERFACE_ID, 1, 0 }, { SYMMETRICKEY_INTERFACE_ID, 2, 0 },
	{ SYMMETRICKEY_INTERFACE_ID, 3, 0 }, { PRIVATEKEY_INTERFACE_ID, 1, 0 },
	{ PRIVATEKEY_INTERFACE_ID, 2, 0 },   { PRIVATEKEY_INTERFACE_ID, 3, 0 },
	{ PUBLICKEY_INTERFACE_ID, 1, 0 },    { PUBLICKEY_INTERFACE_ID, 2, 0 },
	{ KEYVAULT_INTERFACE_ID, 1, 1 },     { KEYVAULT_INTERFACE_ID, 2, 1 },
	{ KEYVAULT_INTERFACE_ID, 3, 1 },     { KEYVAULT_INTERFACE_ID, 4, 0 },
	{ KEYVAULT_INTERFACE_ID, 5, 0 },     { KEYSOURCE_INTERFACE_ID, 1, 0 },
	{ KEYSOURCE_INTERFACE_ID, 2, 1 },    { 0x0605, 1, 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t body[CAPOS_MSG_BODY_MAX], out[CAPOS_MSG_BODY_MAX];
	start();
	nminted = 0;
	size_t at = 0;
	while (at + 3 <= size) {
		uint8_t op = data[at];
		size_t len = (size_t)data[at + 1] | (size_t)data[at + 2] << 8;
		at += 3;
		if (len > size - at)
			len = size - at;
		if (len > sizeof(body))
			len = sizeof(body);
		memcpy(body, data + at, len);
		at += len;
		if (op & 0x80)
			start(); /* every earlier cap and handle is stale now */

		struct capos_rpc_request rq;
		memset(&rq, 0, sizeof(rq));
		rq.label = CAPOS_RPC_LABEL(methods[op & 15].iface, methods[op & 15].method);
		switch ((op >> 4) & 3) {
		case 0:
			rq.badge = CLIENT_BADGE;
			break;
		case 1:
		case 2:
			rq.badge = nminted ? minted[(len + op) % (nminted < KEPT ? nminted : KEPT)]
					   : CLIENT_BADGE;
			break;
		default:
			/* A made-up badge, from the body's first bytes. */
			memcpy(&rq.badge, body, len < 8 ? len : 8);
			break;
		}
		rq.body = body;
		rq.len = (uint32_t)len;
		rq.out = out;
		rq.out_cap = sizeof(out);
		rq.defer_slot = CAPOS_NO_CAP;
		struct capos_rpc_service svc = crypto_service(&state, (op >> 6) & 1);
		capos_status_t st = capos_rpc_service_dispatch(&svc, &rq);

		if (st != CAPOS_OK && (rq.out_len != 0 || rq.caps_out.count != 0))
			abort(); /* an error carries nothing */
		if (rq.out_len > rq.out_cap)
			abort();
		if (st == CAPOS_OK && rq.caps_out.count != methods[op & 15].reply_caps)
			abort();
		if (crypto_key_count(&state) > state.cfg.max_keys)
			abort();
		if (st == CAPOS_RPC_DEFERRED || st == CAPOS_RPC_NO_REPLY)
			abort(); /* the crypto server answers every call at once */
	}
	crypto_wipe_all(&state);
	return 0;
}
