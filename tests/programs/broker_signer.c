/*
 * broker_signer - a SIGNATURE login end to end on the target
 * (manifests/test-broker-sign.textproto, tests/qemu/broker_sign.expect).
 * It holds a P-256 private key only as a cap of the crypto server (the
 * development key `dev-sign`, whose public half the manifest's principal
 * `deploy` names); the broker checks the signature through its own
 * PublicKey cap of the same server. Everything printed is what the servers
 * answered; the expectations file judges it.
 *
 *  1. KeySource.Bootstrap("dev-sign"): the private key's cap;
 *  2. Challenge("deploy"), PrivateKey.Sign over broker_login_message(),
 *     OpenSession(SIGNATURE): a session for `deploy`;
 *  3. RequestGrant("log-reader") and a LogReader.Read through it: the
 *     broker's own record of this login is there;
 *  4. the same nonce and signature again: DENIED (single use);
 *  5. after the back-off, a fresh nonce signed by another key (generated
 *     in the vault): DENIED;
 *  6. after the back-off, a fresh nonce signed by the right key: a session
 *     again (a failure does not lock the principal out).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>
#include <capos/status_names.h>
#include <capos/syscall.h>

#include "broker.capos.h"
#include "broker_login.h"
#include "crypto.capos.h"
#include "log.capos.h"

int main(uint64_t arg);

#define PRINCIPAL "deploy"

static capos_cap_t vault, broker, wake;

/* The manifest's back-off is 100 ms, doubling: wait it out. */
static void wait_ms(uint64_t ms)
{
	capos_wait(wake, ms * 1000000ull);
}

static void status(const char *what, capos_status_t st)
{
	capos_printf("signer: %s -> %s\n", what, capos_status_name(st));
}

/* A fresh nonce for PRINCIPAL, signed by `key`, into *rq. */
static capos_status_t sign_challenge(capos_cap_t key, capos_OpenSessionRequest *rq)
{
	capos_ChallengeRequest cr = capos_ChallengeRequest_init_zero;
	capos_ChallengeResult nonce = capos_ChallengeResult_init_zero;
	strlcpy(cr.principal, PRINCIPAL, sizeof(cr.principal));
	capos_status_t st = authoritybroker_challenge(broker, &cr, &nonce);
	capos_printf("signer: challenge %s -> %s, %u bytes\n", PRINCIPAL, capos_status_name(st),
		     (unsigned)nonce.nonce.size);
	if (st != CAPOS_OK || nonce.nonce.size != BROKER_NONCE_LEN)
		return st != CAPOS_OK ? st : CAPOS_PROTOCOL_ERROR;
	static capos_SignRequest sr;
	static capos_Signature sig;
	memset(&sr, 0, sizeof(sr));
	memset(&sig, 0, sizeof(sig));
	sr.message.size = (pb_size_t)broker_login_message(PRINCIPAL, nonce.nonce.bytes,
							  sr.message.bytes, sizeof(sr.message.bytes));
	st = privatekey_sign(key, &sr, &sig);
	capos_printf("signer: sign -> %s, %u bytes\n", capos_status_name(st),
		     (unsigned)sig.signature.size);
	if (st != CAPOS_OK)
		return st;
	memset(rq, 0, sizeof(*rq));
	strlcpy(rq->principal, PRINCIPAL, sizeof(rq->principal));
	rq->credential_kind = capos_CredentialKind_CREDENTIAL_KIND_SIGNATURE;
	rq->credential.size = sig.signature.size;
	memcpy(rq->credential.bytes, sig.signature.bytes, sig.signature.size);
	rq->nonce.size = nonce.nonce.size;
	memcpy(rq->nonce.bytes, nonce.nonce.bytes, nonce.nonce.size);
	return CAPOS_OK;
}

static capos_status_t open_session(const char *what, const capos_OpenSessionRequest *rq,
				   capos_cap_t *session)
{
	capos_SessionInfo info = capos_SessionInfo_init_zero;
	struct capos_cap_list got = { 0 };
	capos_status_t st = authoritybroker_open_session(broker, rq, &info, &got);
	*session = st == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	capos_printf("signer: open session (%s) -> %s, kind %d, principal '%s', session %lu\n",
		     what, capos_status_name(st), (int)info.kind, info.principal,
		     (unsigned long)info.session_id);
	return st;
}

/* Reads the log through the grant: how many of the broker's records say
 * this principal's session was opened. */
static void read_through_grant(capos_cap_t reader)
{
	static capos_LogFilter f;
	static capos_LogReadResult r;
	uint32_t calls = 0, records = 0, opens = 0;
	capos_status_t st = CAPOS_OK;
	memset(&f, 0, sizeof(f));
	strlcpy(f.source, "broker", sizeof(f.source));
	do {
		memset(&r, 0, sizeof(r));
		st = logreader_read(reader, &f, &r);
		calls++;
		if (st != CAPOS_OK)
			break;
		for (pb_size_t i = 0; i < r.records_count; i++) {
			records++;
			static const char open_line[] = "open session ok: " PRINCIPAL ",";
			if (strncmp(r.records[i].text, open_line, sizeof(open_line) - 1) == 0)
				opens++;
		}
		f.cursor = r.next_cursor;
	} while (r.records_count > 0 && calls < 64);
	capos_printf("signer: log-reader read -> %s, %u broker records, %u opens of %s\n",
		     capos_status_name(st), (unsigned)records, (unsigned)opens, PRINCIPAL);
}

int main(uint64_t arg)
{
	(void)arg;
	vault = capos_cap_lookup("vault");
	broker = capos_cap_lookup("broker");
	wake = capos_cap_lookup("wake");
	if (vault == CAPOS_NO_CAP || broker == CAPOS_NO_CAP || wake == CAPOS_NO_CAP) {
		capos_printf("signer: missing caps\n");
		return 1;
	}

	/* 1. The development signing key, as a cap. */
	capos_BootstrapKeyRequest br = capos_BootstrapKeyRequest_init_zero;
	static capos_BootstrapKeyResult bres;
	struct capos_cap_list got = { 0 };
	strlcpy(br.label, "dev-sign", sizeof(br.label));
	capos_status_t st = keysource_bootstrap(vault, &br, &bres, &got);
	capos_printf("signer: bootstrap dev-sign -> %s, kind %d, development %d\n",
		     capos_status_name(st), (int)bres.key.kind, (int)bres.key.development);
	if (st != CAPOS_OK)
		return 2;
	capos_cap_t key = got.cap[0];

	/* 2. Challenge, Sign, OpenSession. */
	static capos_OpenSessionRequest rq;
	capos_cap_t session;
	if (sign_challenge(key, &rq) != CAPOS_OK)
		return 3;
	if (open_session("signature", &rq, &session) != CAPOS_OK)
		return 4;

	/* 3. A grant, used. */
	capos_GrantRequest gr = capos_GrantRequest_init_zero;
	capos_GrantResult gres = capos_GrantResult_init_zero;
	strlcpy(gr.grant, "log-reader", sizeof(gr.grant));
	strlcpy(gr.reason, "signer test", sizeof(gr.reason));
	memset(&got, 0, sizeof(got));
	st = session_request_grant(session, &gr, &gres, &got);
	capos_printf("signer: grant log-reader -> %s, interface 0x%04x\n", capos_status_name(st),
		     (unsigned)gres.interface_id);
	if (st == CAPOS_OK)
		read_through_grant(got.cap[0]);

	/* 4. The same nonce again. */
	capos_cap_t again;
	open_session("same nonce again", &rq, &again);

	/* 5. Another key's signature over a fresh nonce. */
	wait_ms(150);
	capos_GenerateKeyRequest g = capos_GenerateKeyRequest_init_zero;
	capos_KeyInfo info;
	g.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
	g.kind = capos_KeyKind_KEY_KIND_PRIVATE;
	strlcpy(g.label, "other", sizeof(g.label));
	memset(&got, 0, sizeof(got));
	st = keyvault_generate(vault, &g, &info, &got);
	status("generate another key", st);
	if (st != CAPOS_OK)
		return 5;
	if (sign_challenge(got.cap[0], &rq) != CAPOS_OK)
		return 6;
	open_session("another key", &rq, &again);

	/* 6. The right key again, after the back-off. */
	wait_ms(300);
	if (sign_challenge(key, &rq) != CAPOS_OK)
		return 7;
	open_session("signature after failures", &rq, &again);
	capos_Empty e = capos_Empty_init_zero;
	status("close first session", session_close(session, &e, &e));
	capos_printf("signer: done\n");
	return 0;
}
