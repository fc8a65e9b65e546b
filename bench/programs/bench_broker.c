/*
 * bench_broker - the authority broker's cost, in guest instructions (QEMU
 * -icount shift=0: one TSC tick per guest instruction), measured by a
 * client of the real system (manifests/bench-broker.textproto: console,
 * logd, audit, shutdown, broker, this).
 *
 * Through the generated stubs on its `broker` cap (AuthorityBroker,
 * badged) it times, after a warm-up:
 *   - OpenAnonymousSession (a minted Session cap, an audit record and a
 *     log line), then Close; means of ROUNDS;
 *   - Session.RequestGrant of "log-reader" (a minted grant cap, audited);
 *     mean of ROUNDS;
 *   - a PASSPHRASE OpenSession of `bench` (Argon2id with the cost of the
 *     manifest's verifier: m=1024 KiB, t=2, p=1); mean of LOGINS;
 *   - with a `vault` cap (the crypto server, a development system that
 *     admits `dev-sign`): a SIGNATURE login of `signer`, whose policy key
 *     is dev-sign's public half: Challenge and PrivateKey.Sign (the
 *     client's part), OpenSession itself (one PublicKey.Verify in the
 *     crypto server) and the whole login; means of LOGINS;
 * each on a "bench-broker:" line. With the param `shutdown` = 1 it then
 * asks for the "shutdown" grant and powers the machine off: the shutdown
 * server answers first, this client waits for its stop notice and ends,
 * and the shutdown server prints the cost from the request to the
 * platform write (manifests/bench-broker-off.textproto, which has no
 * crypto server).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/transport.h>

#include "broker.capos.h"
#include "broker_login.h"
#include "crypto.capos.h"

#define WARMUP 3u
#define ROUNDS 20u
#define LOGINS 3u

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static capos_status_t login(capos_cap_t broker, capos_cap_t *session)
{
	capos_OpenSessionRequest rq = capos_OpenSessionRequest_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;
	strcpy(rq.principal, "bench");
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE;
	rq.credential.size = 10;
	memcpy(rq.credential.bytes, "bench-pass", 10);
	capos_status_t st = authoritybroker_open_session(broker, &rq, &info, &got);
	*session = st == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return st;
}

static void drop(capos_cap_t cap)
{
	struct capos_cap_list l = { .count = 1, .cap = { cap } };
	capos_transport_drop(&l);
}

/* A SIGNATURE login of `signer` with the private key `key`, LOGINS times:
 * the means of Challenge, Sign, OpenSession and the three together. */
static int signature_logins(capos_cap_t broker, capos_cap_t key)
{
	static capos_OpenSessionRequest rq;
	static capos_SignRequest sr;
	static capos_Signature sig;
	capos_Empty e = capos_Empty_init_zero;
	uint64_t challenge = 0, sign = 0, opening = 0;
	for (uint32_t i = 0; i < LOGINS; i++) {
		capos_ChallengeRequest cr = capos_ChallengeRequest_init_zero;
		capos_ChallengeResult nonce = capos_ChallengeResult_init_zero;
		capos_SessionInfo info;
		struct capos_cap_list got;
		strcpy(cr.principal, "signer");
		memset(&sr, 0, sizeof(sr));
		memset(&rq, 0, sizeof(rq));
		uint64_t t0 = rdtsc();
		capos_status_t st = authoritybroker_challenge(broker, &cr, &nonce);
		uint64_t t1 = rdtsc();
		if (st != CAPOS_OK || nonce.nonce.size != BROKER_NONCE_LEN) {
			capos_printf("bench-broker: Challenge -> status %ld\n", (long)st);
			return 8;
		}
		sr.message.size = (pb_size_t)broker_login_message("signer", nonce.nonce.bytes,
								  sr.message.bytes,
								  sizeof(sr.message.bytes));
		uint64_t t2 = rdtsc();
		st = privatekey_sign(key, &sr, &sig);
		uint64_t t3 = rdtsc();
		if (st != CAPOS_OK) {
			capos_printf("bench-broker: Sign -> status %ld\n", (long)st);
			return 9;
		}
		strcpy(rq.principal, "signer");
		rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_SIGNATURE;
		rq.credential.size = sig.signature.size;
		memcpy(rq.credential.bytes, sig.signature.bytes, sig.signature.size);
		rq.nonce.size = nonce.nonce.size;
		memcpy(rq.nonce.bytes, nonce.nonce.bytes, nonce.nonce.size);
		uint64_t t4 = rdtsc();
		st = authoritybroker_open_session(broker, &rq, &info, &got);
		uint64_t t5 = rdtsc();
		if (st != CAPOS_OK) {
			capos_printf("bench-broker: OpenSession (signature) -> status %ld\n", (long)st);
			return 10;
		}
		challenge += t1 - t0;
		sign += t3 - t2;
		opening += t5 - t4;
		session_close(got.cap[0], &e, &e);
		drop(got.cap[0]);
	}
	capos_printf("bench-broker: Challenge: %lu guest instructions (mean of %u)\n",
		     (unsigned long)(challenge / LOGINS), LOGINS);
	capos_printf("bench-broker: PrivateKey.Sign of the login message: %lu guest instructions "
		     "(mean of %u)\n",
		     (unsigned long)(sign / LOGINS), LOGINS);
	capos_printf("bench-broker: OpenSession signature, ECDSA P-256 Verify: %lu guest "
		     "instructions (mean of %u)\n",
		     (unsigned long)(opening / LOGINS), LOGINS);
	capos_printf("bench-broker: signature login, Challenge + Sign + OpenSession: %lu guest "
		     "instructions (mean of %u)\n",
		     (unsigned long)((challenge + sign + opening) / LOGINS), LOGINS);
	return 0;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t broker = capos_cap_lookup("broker");
	if (broker == CAPOS_NO_CAP) {
		capos_printf("bench-broker: no broker cap\n");
		return 1;
	}
	capos_Empty e = capos_Empty_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;

	uint64_t total = 0;
	for (uint32_t i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		capos_status_t st = authoritybroker_open_anonymous_session(broker, &e, &info, &got);
		uint64_t t1 = rdtsc();
		if (st != CAPOS_OK) {
			capos_printf("bench-broker: OpenAnonymousSession -> status %ld\n", (long)st);
			return 2;
		}
		if (i >= WARMUP)
			total += t1 - t0;
		session_close(got.cap[0], &e, &e);
		drop(got.cap[0]);
	}
	capos_printf("bench-broker: OpenAnonymousSession: %lu guest instructions (mean of %u)\n",
		     (unsigned long)(total / ROUNDS), ROUNDS);

	capos_cap_t s;
	if (authoritybroker_open_anonymous_session(broker, &e, &info, &got) != CAPOS_OK)
		return 3;
	s = got.cap[0];
	total = 0;
	for (uint32_t i = 0; i < WARMUP + ROUNDS; i++) {
		capos_GrantRequest gr = capos_GrantRequest_init_zero;
		capos_GrantResult res;
		strcpy(gr.grant, "log-reader");
		uint64_t t0 = rdtsc();
		capos_status_t st = session_request_grant(s, &gr, &res, &got);
		uint64_t t1 = rdtsc();
		if (st != CAPOS_OK) {
			capos_printf("bench-broker: RequestGrant -> status %ld\n", (long)st);
			return 4;
		}
		if (i >= WARMUP)
			total += t1 - t0;
		drop(got.cap[0]);
		if (i % 8 == 7) { /* the grant table is finite: a new session */
			session_close(s, &e, &e);
			drop(s);
			if (authoritybroker_open_anonymous_session(broker, &e, &info, &got) != CAPOS_OK)
				return 3;
			s = got.cap[0];
		}
	}
	capos_printf("bench-broker: RequestGrant log-reader: %lu guest instructions (mean of %u)\n",
		     (unsigned long)(total / ROUNDS), ROUNDS);

	total = 0;
	for (uint32_t i = 0; i < LOGINS; i++) {
		uint64_t t0 = rdtsc();
		capos_status_t st = login(broker, &s);
		uint64_t t1 = rdtsc();
		if (st != CAPOS_OK) {
			capos_printf("bench-broker: OpenSession (passphrase) -> status %ld\n", (long)st);
			return 5;
		}
		total += t1 - t0;
		if (i + 1 < LOGINS) {
			session_close(s, &e, &e);
			drop(s);
		}
	}
	capos_printf("bench-broker: OpenSession passphrase, Argon2id m=1024 KiB t=2 p=1: %lu "
		     "guest instructions (mean of %u)\n",
		     (unsigned long)(total / LOGINS), LOGINS);

	capos_cap_t vault = capos_cap_lookup("vault");
	if (vault != CAPOS_NO_CAP) {
		capos_BootstrapKeyRequest br = capos_BootstrapKeyRequest_init_zero;
		static capos_BootstrapKeyResult bres;
		strcpy(br.label, "dev-sign");
		capos_status_t st = keysource_bootstrap(vault, &br, &bres, &got);
		if (st != CAPOS_OK) {
			capos_printf("bench-broker: bootstrap dev-sign -> status %ld\n", (long)st);
			return 11;
		}
		int rc = signature_logins(broker, got.cap[0]);
		if (rc)
			return rc;
	}
	capos_printf("bench-broker: done\n");

	if (capos_param_u64("shutdown", 0) != 1)
		return 0;
	capos_GrantRequest gr = capos_GrantRequest_init_zero;
	capos_GrantResult res;
	strcpy(gr.grant, "shutdown");
	strcpy(gr.reason, "bench");
	if (session_request_grant(s, &gr, &res, &got) != CAPOS_OK)
		return 6;
	capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF;
	strcpy(rq.reason, "bench");
	capos_status_t st = shutdowncontrol_shutdown(got.cap[0], &rq, &e);
	if (st != CAPOS_OK) {
		capos_printf("bench-broker: Shutdown -> status %ld\n", (long)st);
		return 7;
	}
	/* Answered before the stop: wait for init's notice, and end
	 * acknowledging it (the runtime's answer as main returns). */
	st = capos_stop_wait(10000000000ull);
	if (st != CAPOS_OK)
		capos_printf("bench-broker: no stop notice after the Shutdown: status %ld\n",
			     (long)st);
	return st == CAPOS_OK ? 0 : 8;
}
