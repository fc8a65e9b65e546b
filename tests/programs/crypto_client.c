/*
 * crypto_client - the crypto key service end to end on the target
 * (manifests/test-crypto.textproto and test-crypto-prod.textproto,
 * tests/qemu/crypto.expect and crypto_prod.expect). Everything printed is
 * what the servers answered; the expectations files judge it.
 *
 *  1. generates a symmetric key; seals and opens a message; a flipped bit
 *     in the ciphertext, the tag or the associated data answers DENIED;
 *  2. generates a P-256 key, signs, imports its public key as a PublicKey
 *     and verifies (valid 1; a changed message: valid 0);
 *  3. lists the keys through the read-only view (the shell's), which
 *     refuses Generate; destroys the symmetric key: its cap answers
 *     INVALID_CAP;
 *  4. asks KeySource for the development key `dev-seal` (admitted on the
 *     development manifest, DENIED on the production one) and reads the
 *     audit log's key records back;
 *  5. kills the crypto server through ProcessControl; init restarts it:
 *     every key cap it held answers INVALID_CAP, the vault is empty, and
 *     a new key works.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>

#include "audit.capos.h"
#include "crypto.capos.h"
#include "process.capos.h"

int main(uint64_t arg);

static capos_cap_t vault, auditlog, procs;

static capos_status_t generate(capos_KeyAlgorithm alg, capos_KeyKind kind, const char *label,
			       capos_KeyInfo *info, capos_cap_t *cap)
{
	capos_GenerateKeyRequest req = capos_GenerateKeyRequest_init_zero;
	req.algorithm = alg;
	req.kind = kind;
	strlcpy(req.label, label, sizeof(req.label));
	struct capos_cap_list got = { 0 };
	capos_status_t st = keyvault_generate(vault, &req, info, &got);
	*cap = st == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	capos_printf("crypto-client: generate %s -> status %ld, kind %d, development %d\n", label,
		     (long)st, st == CAPOS_OK ? (int)info->kind : -1,
		     st == CAPOS_OK ? (int)info->development : -1);
	return st;
}

static capos_status_t open_sealed(capos_cap_t key, const capos_SealedData *sd, const char *ad,
				  const char *what)
{
	static capos_DecryptRequest req;
	static capos_Plaintext p;
	memset(&req, 0, sizeof(req));
	memset(&p, 0, sizeof(p));
	req.has_sealed = true;
	req.sealed = *sd;
	req.associated_data.size = (pb_size_t)strlen(ad);
	memcpy(req.associated_data.bytes, ad, req.associated_data.size);
	capos_status_t st = symmetrickey_decrypt(key, &req, &p);
	char text[64] = { 0 };
	if (p.plaintext.size < sizeof(text))
		memcpy(text, p.plaintext.bytes, p.plaintext.size);
	capos_printf("crypto-client: decrypt %s -> status %ld, %u bytes '%s'\n", what, (long)st,
		     (unsigned)p.plaintext.size, text);
	return st;
}

static void symmetric(capos_KeyInfo *info, capos_cap_t *key)
{
	if (generate(capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256,
		     capos_KeyKind_KEY_KIND_SYMMETRIC, "seal", info, key) != CAPOS_OK)
		return;
	static capos_EncryptRequest er;
	static capos_SealedData sd, bad;
	memset(&er, 0, sizeof(er));
	const char *msg = "meet at the usual place";
	er.plaintext.size = (pb_size_t)strlen(msg);
	memcpy(er.plaintext.bytes, msg, er.plaintext.size);
	er.associated_data.size = 3;
	memcpy(er.associated_data.bytes, "hdr", 3);
	capos_status_t st = symmetrickey_encrypt(*key, &er, &sd);
	capos_printf("crypto-client: encrypt -> status %ld, nonce %u, ciphertext %u, tag %u, "
		     "differs %d\n",
		     (long)st, (unsigned)sd.nonce.size, (unsigned)sd.ciphertext.size,
		     (unsigned)sd.tag.size, memcmp(sd.ciphertext.bytes, msg, sd.ciphertext.size) != 0);
	open_sealed(*key, &sd, "hdr", "sealed");
	bad = sd;
	bad.ciphertext.bytes[5] ^= 0x04;
	open_sealed(*key, &bad, "hdr", "flipped ciphertext");
	bad = sd;
	bad.tag.bytes[0] ^= 0x80;
	open_sealed(*key, &bad, "hdr", "flipped tag");
	open_sealed(*key, &sd, "hds", "changed associated data");
}

static capos_status_t verify(capos_cap_t pub, const char *msg, const capos_Signature *sig)
{
	static capos_VerifyRequest vr;
	memset(&vr, 0, sizeof(vr));
	vr.message.size = (pb_size_t)strlen(msg);
	memcpy(vr.message.bytes, msg, vr.message.size);
	vr.signature.size = sig->signature.size;
	memcpy(vr.signature.bytes, sig->signature.bytes, sig->signature.size);
	capos_VerifyResult r = capos_VerifyResult_init_zero;
	capos_status_t st = publickey_verify(pub, &vr, &r);
	capos_printf("crypto-client: verify '%s' -> status %ld, valid %d\n", msg, (long)st,
		     (int)r.valid);
	return st;
}

static void signing(capos_KeyInfo *info, capos_cap_t *priv)
{
	if (generate(capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256,
		     capos_KeyKind_KEY_KIND_PRIVATE, "sign", info, priv) != CAPOS_OK)
		return;
	static capos_SignRequest sr;
	static capos_Signature sig;
	memset(&sr, 0, sizeof(sr));
	const char *msg = "release 1.0 is good";
	sr.message.size = (pb_size_t)strlen(msg);
	memcpy(sr.message.bytes, msg, sr.message.size);
	capos_status_t st = privatekey_sign(*priv, &sr, &sig);
	capos_printf("crypto-client: sign -> status %ld, %u bytes\n", (long)st,
		     (unsigned)sig.signature.size);
	capos_Empty e = capos_Empty_init_zero;
	static capos_PublicKeyData pk;
	st = privatekey_public_key(*priv, &e, &pk);
	capos_printf("crypto-client: public key -> status %ld, %u bytes, first 0x%02x\n", (long)st,
		     (unsigned)pk.key.size, pk.key.bytes[0]);
	static capos_ImportKeyRequest ir;
	memset(&ir, 0, sizeof(ir));
	ir.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
	ir.kind = capos_KeyKind_KEY_KIND_PUBLIC;
	ir.material.size = pk.key.size;
	memcpy(ir.material.bytes, pk.key.bytes, pk.key.size);
	strlcpy(ir.label, "sign.pub", sizeof(ir.label));
	struct capos_cap_list got = { 0 };
	capos_KeyInfo pi;
	st = keyvault_import(vault, &ir, &pi, &got);
	capos_printf("crypto-client: import public -> status %ld, kind %d\n", (long)st,
		     st == CAPOS_OK ? (int)pi.kind : -1);
	if (st != CAPOS_OK)
		return;
	verify(got.cap[0], msg, &sig);
	verify(got.cap[0], "release 1.0 is bad", &sig);
}

static void bootstrap(void)
{
	capos_Empty e = capos_Empty_init_zero;
	static capos_KeySourceInfo d;
	capos_status_t st = keysource_describe(vault, &e, &d);
	capos_printf("crypto-client: key source -> status %ld, system development %d, %u labels\n",
		     (long)st, (int)d.system_is_development, (unsigned)d.labels_count);
	capos_BootstrapKeyRequest br = capos_BootstrapKeyRequest_init_zero;
	strlcpy(br.label, "dev-seal", sizeof(br.label));
	static capos_BootstrapKeyResult r;
	struct capos_cap_list got = { 0 };
	st = keysource_bootstrap(vault, &br, &r, &got);
	capos_printf("crypto-client: bootstrap dev-seal -> status %ld, admission %d, development %d, "
		     "caps %u\n",
		     (long)st, (int)r.admission, (int)r.key.development, (unsigned)got.count);
	if (st == CAPOS_OK) {
		static capos_EncryptRequest er;
		static capos_SealedData sd;
		memset(&er, 0, sizeof(er));
		er.plaintext.size = 4;
		memcpy(er.plaintext.bytes, "boot", 4);
		st = symmetrickey_encrypt(got.cap[0], &er, &sd);
		capos_printf("crypto-client: seal with dev-seal -> status %ld\n", (long)st);
	}
}

/* The audit log's key records, oldest first. */
static void audit_records(void)
{
	static capos_AuditReadResult res;
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	do {
		capos_status_t st = auditlog_read(auditlog, &f, &res);
		if (st != CAPOS_OK) {
			capos_printf("crypto-client: audit read -> status %ld\n", (long)st);
			return;
		}
		for (pb_size_t i = 0; i < res.records_count; i++) {
			const capos_AuditRecord *r = &res.records[i];
			if (r->kind != capos_AuditKind_AUDIT_KIND_KEY)
				continue;
			capos_printf("crypto-client: audit %lu from %s: '%s' outcome %d '%s'\n",
				     (unsigned long)r->sequence, r->source, r->action, (int)r->outcome,
				     r->detail);
		}
		f.cursor = res.next_cursor;
	} while (res.records_count && res.next_cursor);
}

int main(uint64_t arg)
{
	(void)arg;
	vault = capos_cap_lookup("vault");
	auditlog = capos_cap_lookup("audit");
	procs = capos_cap_lookup("procs");
	if (vault == CAPOS_NO_CAP || auditlog == CAPOS_NO_CAP || procs == CAPOS_NO_CAP) {
		capos_printf("crypto-client: missing caps\n");
		return 1;
	}
	capos_KeyInfo si, pi;
	capos_cap_t sym = CAPOS_NO_CAP, priv = CAPOS_NO_CAP;
	symmetric(&si, &sym);
	signing(&pi, &priv);

	capos_cap_t view = capos_cap_lookup("view");
	capos_KeyListRequest vlr = capos_KeyListRequest_init_zero;
	static capos_KeyList vkl;
	capos_status_t st = keyvault_list(view, &vlr, &vkl);
	capos_printf("crypto-client: list through the view -> status %ld, %u keys\n", (long)st,
		     (unsigned)vkl.keys_count);
	capos_GenerateKeyRequest vgr = capos_GenerateKeyRequest_init_zero;
	vgr.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256;
	vgr.kind = capos_KeyKind_KEY_KIND_SYMMETRIC;
	struct capos_cap_list vgot = { 0 };
	capos_KeyInfo vi;
	st = keyvault_generate(view, &vgr, &vi, &vgot);
	capos_printf("crypto-client: generate through the view -> status %ld\n", (long)st);

	capos_KeyRef ref = { .handle = si.handle };
	capos_Empty e = capos_Empty_init_zero, out;
	st = keyvault_destroy(vault, &ref, &out);
	capos_printf("crypto-client: destroy seal -> status %ld\n", (long)st);
	static capos_EncryptRequest er;
	static capos_SealedData sd;
	memset(&er, 0, sizeof(er));
	st = symmetrickey_encrypt(sym, &er, &sd);
	capos_printf("crypto-client: encrypt with the destroyed key -> status %ld\n", (long)st);
	st = keyvault_destroy(vault, &ref, &out);
	capos_printf("crypto-client: destroy seal again -> status %ld\n", (long)st);

	bootstrap();
	audit_records();

	capos_ProcessRef pr = capos_ProcessRef_init_zero;
	strlcpy(pr.name, "crypto", sizeof(pr.name));
	st = processcontrol_kill(procs, &pr, &e);
	capos_printf("crypto-client: kill crypto -> status %ld\n", (long)st);
	capos_KeyInfo i;
	st = privatekey_info(priv, &e, &i);
	capos_printf("crypto-client: old private key after the restart -> status %ld\n", (long)st);
	static capos_SignRequest sr;
	static capos_Signature sig;
	memset(&sr, 0, sizeof(sr));
	st = privatekey_sign(priv, &sr, &sig);
	capos_printf("crypto-client: sign with it -> status %ld\n", (long)st);
	ref.handle = pi.handle;
	struct capos_cap_list got = { 0 };
	st = keyvault_open(vault, &ref, &i, &got);
	capos_printf("crypto-client: open its handle -> status %ld\n", (long)st);
	capos_KeyListRequest lr = capos_KeyListRequest_init_zero;
	static capos_KeyList kl;
	st = keyvault_list(vault, &lr, &kl);
	capos_printf("crypto-client: list -> status %ld, %u keys\n", (long)st,
		     (unsigned)kl.keys_count);
	capos_cap_t again;
	generate(capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256,
		 capos_KeyKind_KEY_KIND_SYMMETRIC, "after", &i, &again);
	capos_printf("crypto-client: done\n");
	return 0;
}
