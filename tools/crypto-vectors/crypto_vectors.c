/*
 * capos-crypto-vectors FILE... - runs Wycheproof test files (the upstream
 * C2SP/wycheproof JSON format) for ECDSA P-256 / SHA-256 with IEEE P1363
 * signatures through the crypto key service (servers/crypto) over the
 * host loopback: each group's public key through KeyVault.Import (PUBLIC),
 * each test through PublicKey.Verify. Prints a line per failure and
 * "N passed, N failed"; exit status 0 only when nothing failed
 * (docs/servers/crypto.md).
 *
 * Verdicts: "valid" must verify (OK, valid = true); "invalid" must not
 * (an Import refused for the key, any status but OK, or valid = false);
 * "acceptable" may go either way. The Verify request is encoded by hand,
 * so a message or signature beyond the interface's bounds still reaches
 * the server (which refuses it), as a hostile client's would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>

#include <capos/status_names.h>
#include <capos/transport.h>

#include "crypto.capos.h"
#include "crypto_service.h"
#include "json.h"

#define VAULT_CAP 1

static struct crypto_state state;

static capos_cap_t mint(void *arg, uint64_t badge)
{
	(void)arg;
	return capos_loopback_mint(VAULT_CAP, badge);
}

/* Hex to bytes (malloc'd; *n its length); NULL on bad hex. */
static uint8_t *unhex(const char *s, size_t *n)
{
	size_t len = strlen(s);
	if (len % 2)
		return NULL;
	uint8_t *out = malloc(len / 2 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1) {
			free(out);
			return NULL;
		}
		out[i] = (uint8_t)v;
	}
	*n = len / 2;
	return out;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	do {
		p[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* PublicKey.Verify with a hand-encoded VerifyRequest: the status, and
 * *valid on OK. */
static capos_status_t verify_raw(capos_cap_t key, const uint8_t *msg, size_t msg_len,
				 const uint8_t *sig, size_t sig_len, int *valid)
{
	uint8_t *b = capos_transport_buffer();
	size_t n = 0;
	if (msg_len + sig_len + 24 > CAPOS_TRANSPORT_BUFFER_SIZE)
		return CAPOS_INVALID_ARGUMENT; /* not even carried */
	b[n++] = 0x0a; /* field 1, length-delimited: message */
	n += put_varint(b + n, msg_len);
	memcpy(b + n, msg, msg_len);
	n += msg_len;
	b[n++] = 0x12; /* field 2: signature */
	n += put_varint(b + n, sig_len);
	memcpy(b + n, sig, sig_len);
	n += sig_len;
	uint64_t label;
	uint32_t len;
	capos_status_t st = capos_transport_call(
		key, CAPOS_RPC_LABEL(PUBLICKEY_INTERFACE_ID, PUBLICKEY_VERIFY_METHOD_ID),
		(uint32_t)n, NULL, &label, &len, NULL);
	if (st != CAPOS_OK)
		return st;
	if (label != CAPOS_OK)
		return (capos_status_t)label;
	capos_VerifyResult r = capos_VerifyResult_init_zero;
	pb_istream_t is = pb_istream_from_buffer(b, len);
	if (!pb_decode(&is, capos_VerifyResult_fields, &r))
		return CAPOS_PROTOCOL_ERROR;
	*valid = r.valid;
	return CAPOS_OK;
}

struct tally {
	unsigned passed, failed;
};

static void run_group(const char *file, const struct json *g, struct tally *t)
{
	const char *type = json_str(g, "type");
	const struct json *pk = json_get(g, "publicKey");
	const char *curve = json_str(pk, "curve");
	const char *sha = json_str(g, "sha");
	const struct json *tests = json_get(g, "tests");
	if (!tests || tests->type != JSON_ARRAY)
		return;
	unsigned count = 0;
	for (const struct json *x = tests->child; x; x = x->next)
		count++;
	if (!type || strcmp(type, "EcdsaP1363Verify") || !curve || strcmp(curve, "secp256r1") ||
	    !sha || strcmp(sha, "SHA-256")) {
		/* Not what this tool runs: every test of the group is a failure
		 * (nothing is skipped silently). */
		fprintf(stderr, "%s: a group of %u tests is %s/%s/%s, not EcdsaP1363Verify/secp256r1/SHA-256\n",
			file, count, type ? type : "?", curve ? curve : "?", sha ? sha : "?");
		t->failed += count;
		return;
	}
	size_t klen = 0;
	const char *khex = json_str(pk, "uncompressed");
	uint8_t *kbytes = khex ? unhex(khex, &klen) : NULL;
	capos_cap_t key = CAPOS_NO_CAP;
	capos_status_t ist = CAPOS_INVALID_ARGUMENT;
	capos_KeyInfo info;
	if (kbytes && klen <= sizeof(((capos_ImportKeyRequest *)0)->material.bytes)) {
		capos_ImportKeyRequest ir = capos_ImportKeyRequest_init_zero;
		ir.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
		ir.kind = capos_KeyKind_KEY_KIND_PUBLIC;
		ir.material.size = (pb_size_t)klen;
		memcpy(ir.material.bytes, kbytes, klen);
		struct capos_cap_list got = { 0 };
		ist = keyvault_import(VAULT_CAP, &ir, &info, &got);
		if (ist == CAPOS_OK)
			key = got.cap[0];
	}
	free(kbytes);

	for (const struct json *x = tests->child; x; x = x->next) {
		const struct json *id = json_get(x, "tcId");
		const char *tc = id && id->str ? id->str : "?";
		const char *result = json_str(x, "result");
		const char *mhex = json_str(x, "msg"), *shex = json_str(x, "sig");
		size_t ml = 0, sl = 0;
		uint8_t *m = mhex ? unhex(mhex, &ml) : NULL, *s = shex ? unhex(shex, &sl) : NULL;
		int expect_valid = result && !strcmp(result, "valid");
		int acceptable = result && !strcmp(result, "acceptable");
		int known = expect_valid || acceptable || (result && !strcmp(result, "invalid"));
		int valid = 0;
		capos_status_t st = ist;
		if (key != CAPOS_NO_CAP && m && s)
			st = verify_raw(key, m, ml, s, sl, &valid);
		int got_valid = st == CAPOS_OK && valid;
		if (!known || !m || !s) {
			fprintf(stderr, "%s: tcId %s: malformed test (result, msg or sig)\n", file, tc);
			t->failed++;
		} else if (acceptable || got_valid == expect_valid) {
			t->passed++;
		} else {
			fprintf(stderr, "%s: tcId %s (%s): expected %s, got %s (%s)\n", file, tc,
				json_str(x, "comment") ? json_str(x, "comment") : "", result,
				got_valid ? "valid" : "invalid", capos_status_name(st));
			t->failed++;
		}
		free(m);
		free(s);
	}
	if (key != CAPOS_NO_CAP) {
		capos_KeyRef ref = { .handle = info.handle };
		capos_Empty out;
		keyvault_destroy(VAULT_CAP, &ref, &out);
		struct capos_cap_list drop = { .count = 1, .cap = { key } };
		capos_transport_drop(&drop);
	}
}

static int run_file(const char *file, struct tally *t)
{
	FILE *f = fopen(file, "rb");
	if (!f) {
		perror(file);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", file);
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	char err[128];
	struct json *root = json_parse(text, (size_t)size, err, sizeof(err));
	free(text);
	if (!root) {
		fprintf(stderr, "%s: not JSON: %s\n", file, err);
		return -1;
	}
	const struct json *groups = json_get(root, "testGroups");
	if (!groups || groups->type != JSON_ARRAY) {
		fprintf(stderr, "%s: no testGroups array\n", file);
		json_free(root);
		return -1;
	}
	unsigned before = t->passed + t->failed;
	for (const struct json *g = groups->child; g; g = g->next)
		run_group(file, g, t);
	const struct json *declared = json_get(root, "numberOfTests");
	unsigned ran = t->passed + t->failed - before;
	if (declared && declared->str && (unsigned)strtoul(declared->str, NULL, 10) != ran)
		fprintf(stderr, "%s: note: numberOfTests says %s, the groups hold %u\n", file,
			declared->str, ran);
	json_free(root);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: capos-crypto-vectors FILE...\n");
		return 2;
	}
	/* Import and Verify need no randomness: the service runs without an
	 * entropy source (Generate and Encrypt would refuse). */
	struct crypto_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_keys = CRYPTO_KEYS_MAX;
	cfg.mint = mint;
	cfg.epoch_fallback = 1;
	crypto_init(&state, &cfg);
	capos_loopback_reset();
	capos_loopback_register(VAULT_CAP, crypto_service(&state, 0), 1);

	struct tally t = { 0, 0 };
	int bad = 0;
	for (int i = 1; i < argc; i++)
		bad |= run_file(argv[i], &t) != 0;
	printf("%u passed, %u failed\n", t.passed, t.failed);
	return bad || t.failed || t.passed == 0 ? 1 : 0;
}
