/*
 * Component test: the authority broker's logic (servers/broker) with the
 * real generated dispatchers and stubs over the host loopback, through
 * broker_fixture.c: the real audit, log, crypto and shutdown servers
 * behind it and real Argon2id (Debian's libargon2). Signatures are made
 * and checked by the crypto server (the development key dev-sign, and a
 * stranger's key it generates); crypto calls are counted where they
 * arrive, at the crypto server's endpoint on the loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <argon2.h>
#include <pb_encode.h>

#include <capos/transport.h>

#include "audit.capos.h"
#include "broker_fixture.h"
#include "crypto.capos.h"
#include "log.capos.h"

#define BROKER_CAP BFX_BROKER_CAP

static char passphrase_verifier[112];
static capos_cap_t dev_key, other_key; /* signer's key, and a stranger's */
static uint64_t crypto_calls; /* at the crypto server, in the last sign_login's OpenSession */

/* ---- setup --------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	static const char *const op_grants[] = { "shutdown", "log-reader", "process-control",
						  NULL };
	static const char *const admin_grants[] = { "shutdown", "maintenance", "log-reader",
						    "process-control", NULL };
	static const char *const signer_grants[] = { "log-reader", NULL };
	if (!passphrase_verifier[0]) {
		static const uint8_t salt[16] = "0123456789abcdef";
		assert_int_equal(argon2id_hash_encoded(1, 64, 1, "hunter22", 8, salt, sizeof(salt),
						       32, passphrase_verifier,
						       sizeof(passphrase_verifier)),
				 ARGON2_OK);
	}
	bfx_setup();
	bfx_add_principal("operator", passphrase_verifier, NULL, op_grants);
	bfx_add_principal("admin", passphrase_verifier, NULL, admin_grants);
	bfx_add_principal("signer", NULL, bfx_dev_sign_public, signer_grants);
	static const char *const avatars[] = { "av-operator", "av-admin", "av-signer" };
	for (int i = 0; i < 3; i++)
		strcpy(bfx.policy.principals[i].avatar, avatars[i]);
	capos_BrokerPolicy *p = &bfx.policy;
	strcpy(p->maintenance_principals[p->maintenance_principals_count++], "admin");
	strcpy(p->anonymous_grants[p->anonymous_grants_count++], "log-reader");
	strcpy(p->anonymous_grants[p->anonymous_grants_count++], "shutdown"); /* ignored */
	p->backoff_ms = 100;
	p->backoff_max_ms = 1000;
	/* signer's public key, imported into the crypto server at start */
	assert_int_equal(bfx_start_broker(0xabcdef), 1);
	assert_true(bfx.broker.key[2] != CAPOS_NO_CAP);
	dev_key = bfx_dev_sign_key();
	other_key = bfx_other_key();
	assert_true(dev_key != CAPOS_NO_CAP && other_key != CAPOS_NO_CAP);
	return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static capos_status_t login(const char *who, const char *pass, capos_cap_t *session,
			    capos_SessionInfo *info)
{
	capos_OpenSessionRequest rq = capos_OpenSessionRequest_init_zero;
	capos_SessionInfo tmp;
	struct capos_cap_list got;
	strcpy(rq.principal, who);
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE;
	rq.credential.size = (pb_size_t)strlen(pass);
	memcpy(rq.credential.bytes, pass, rq.credential.size);
	capos_status_t s = authoritybroker_open_session(BROKER_CAP, &rq, info ? info : &tmp, &got);
	if (session)
		*session = s == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return s;
}

/* A SIGNATURE login of `who` over `nonce`, signed by signer's key (good)
 * or a stranger's; crypto_calls: the calls the OpenSession itself made at
 * the crypto server. */
static capos_status_t sign_login(const char *who, const uint8_t *nonce, int good,
				 capos_cap_t *session)
{
	uint8_t sig[64];
	assert_int_equal(bfx_sign(good ? dev_key : other_key, who, nonce, sig), CAPOS_OK);
	capos_OpenSessionRequest rq = bfx_signature_request(who, nonce, sig);
	capos_SessionInfo info;
	struct capos_cap_list got;
	uint64_t before = capos_loopback_delivered(BFX_VAULT_CAP);
	capos_status_t s = authoritybroker_open_session(BROKER_CAP, &rq, &info, &got);
	crypto_calls = capos_loopback_delivered(BFX_VAULT_CAP) - before;
	if (session)
		*session = s == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return s;
}

static void challenge(const char *who, uint8_t *nonce)
{
	capos_ChallengeRequest rq = capos_ChallengeRequest_init_zero;
	capos_ChallengeResult res;
	strcpy(rq.principal, who);
	assert_int_equal(authoritybroker_challenge(BROKER_CAP, &rq, &res), CAPOS_OK);
	assert_int_equal(res.nonce.size, 32);
	memcpy(nonce, res.nonce.bytes, 32);
}

static capos_cap_t anonymous(void)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;
	assert_int_equal(authoritybroker_open_anonymous_session(BROKER_CAP, &e, &info, &got),
			 CAPOS_OK);
	assert_int_equal(info.kind, capos_SessionKind_SESSION_KIND_ANONYMOUS);
	assert_string_equal(info.principal, "");
	return got.cap[0];
}

static capos_status_t grant(capos_cap_t session, const char *name, capos_cap_t *cap,
			    capos_GrantResult *res)
{
	capos_GrantRequest rq = capos_GrantRequest_init_zero;
	capos_GrantResult tmp;
	struct capos_cap_list got;
	strcpy(rq.grant, name);
	strcpy(rq.reason, "test");
	capos_status_t s = session_request_grant(session, &rq, res ? res : &tmp, &got);
	if (cap)
		*cap = s == CAPOS_OK ? got.cap[0] : CAPOS_NO_CAP;
	return s;
}

static const capos_AuditRecord *last_record(void)
{
	assert_true(bfx.audit.count > 0);
	return &bfx.audit.records[bfx.audit.count - 1];
}

/* ---- tests ------------------------------------------------------------------- */

static void test_anonymous_session(void **state)
{
	(void)state;
	capos_cap_t s = anonymous();
	capos_Empty e = capos_Empty_init_zero;
	capos_SessionInfo info;
	assert_int_equal(session_info(s, &e, &info), CAPOS_OK);
	assert_int_equal(info.kind, capos_SessionKind_SESSION_KIND_ANONYMOUS);
	assert_int_equal(info.session_id, 1);
	const capos_AuditRecord *r = last_record();
	assert_int_equal(r->kind, capos_AuditKind_AUDIT_KIND_SESSION_OPEN);
	assert_string_equal(r->principal, "anonymous");
	assert_string_equal(r->detail, "session 1: anonymous");
	assert_int_equal(bfx.log_lines, 1);
	assert_int_equal(bfx.log.count, 1); /* at the real log server */
}

/* Every session kind x every grant, as the policy and the fixed rules say. */
static void test_policy_matrix(void **state)
{
	(void)state;
	capos_cap_t anon = anonymous(), op, admin;
	capos_SessionInfo info;
	assert_int_equal(login("operator", "hunter22", &op, &info), CAPOS_OK);
	assert_int_equal(info.kind, capos_SessionKind_SESSION_KIND_AUTHENTICATED);
	assert_string_equal(info.principal, "operator");
	assert_string_equal(info.avatar, "av-operator");
	assert_int_equal(login("admin", "hunter22", &admin, &info), CAPOS_OK);
	assert_int_equal(info.kind, capos_SessionKind_SESSION_KIND_MAINTENANCE);
	static const struct {
		int who; /* 0 anon, 1 operator, 2 admin */
		const char *grant;
		capos_status_t want;
	} m[] = {
		{ 0, "shutdown", CAPOS_DENIED },     /* anonymous, though the policy lists it */
		{ 0, "maintenance", CAPOS_DENIED },
		{ 0, "log-reader", CAPOS_OK },
		{ 0, "process-control", CAPOS_DENIED },
		{ 1, "shutdown", CAPOS_OK },
		{ 1, "maintenance", CAPOS_DENIED },  /* not a maintenance session */
		{ 1, "log-reader", CAPOS_OK },
		{ 1, "process-control", CAPOS_OK },
		{ 2, "shutdown", CAPOS_OK },
		{ 2, "maintenance", CAPOS_UNSUPPORTED }, /* allowed; no debug server here */
		{ 2, "log-reader", CAPOS_OK },
		{ 2, "process-control", CAPOS_OK },
		{ 1, "frobnicate", CAPOS_NOT_FOUND },
	};
	capos_cap_t who[3] = { anon, op, admin };
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		capos_GrantResult res;
		capos_cap_t cap;
		uint32_t before = (uint32_t)bfx.audit.count;
		capos_status_t s = grant(who[m[i].who], m[i].grant, &cap, &res);
		assert_int_equal(s, m[i].want);
		/* one audit record per decision, with its outcome */
		assert_int_equal(bfx.audit.count, before + 1);
		assert_int_equal(last_record()->kind, capos_AuditKind_AUDIT_KIND_GRANT);
		assert_int_equal(last_record()->outcome, (int)m[i].want);
		if (s == CAPOS_OK) {
			assert_true(capos_loopback_cap_present(cap));
			assert_string_equal(res.grant, m[i].grant);
			assert_int_equal(res.interface_id,
					 broker_grant_interfaces[broker_grant_kind(m[i].grant)]);
		}
	}
	/* the anonymous refusal says why */
	assert_int_equal(grant(anon, "shutdown", NULL, NULL), CAPOS_DENIED);
	assert_non_null(strstr(last_record()->detail, "denied for an anonymous session"));
	assert_string_equal(last_record()->principal, "anonymous");
}

/* A wrong passphrase and an unknown principal: the same status, the same
 * Argon2id work, no crypto-server calls; for signatures, the same number
 * of calls at the real crypto server (counted at its loopback endpoint). */
static void test_wrong_vs_unknown_indistinguishable(void **state)
{
	(void)state;
	uint64_t runs = bfx.broker.argon2_runs;
	uint64_t c0 = capos_loopback_delivered(BFX_VAULT_CAP);
	assert_int_equal(login("operator", "wrong", NULL, NULL), CAPOS_DENIED);
	assert_int_equal(bfx.broker.argon2_runs, runs + 1);
	assert_int_equal(login("nobody", "wrong", NULL, NULL), CAPOS_DENIED);
	assert_int_equal(bfx.broker.argon2_runs, runs + 2);
	bfx.now_ms += 10000; /* past nobody's back-off */
	assert_int_equal(login("nobody", "hunter22", NULL, NULL), CAPOS_DENIED);
	assert_int_equal(bfx.broker.argon2_runs, runs + 3);
	bfx.now_ms += 10000;
	assert_int_equal(capos_loopback_delivered(BFX_VAULT_CAP), c0);

	uint8_t n1[32], n2[32], n3[32], n4[32];
	challenge("signer", n1);
	challenge("ghost", n2);
	challenge("operator", n3);
	challenge("signer", n4);
	assert_int_equal(sign_login("signer", n1, 0, NULL), CAPOS_DENIED); /* a stranger's key */
	assert_int_equal(crypto_calls, 1);
	bfx.now_ms += 10000;
	assert_int_equal(sign_login("ghost", n2, 1, NULL), CAPOS_DENIED); /* unknown principal */
	assert_int_equal(crypto_calls, 1);
	assert_int_equal(sign_login("operator", n3, 1, NULL), CAPOS_DENIED); /* no key */
	assert_int_equal(crypto_calls, 1);
	/* audited, and the unknown name is not recorded as if it existed */
	assert_int_equal(last_record()->outcome, CAPOS_DENIED);
	assert_string_equal(last_record()->principal, "operator");
	/* and the right key: one call too, and a session */
	bfx.now_ms += 10000;
	assert_int_equal(sign_login("signer", n4, 1, NULL), CAPOS_OK);
	assert_int_equal(crypto_calls, 1);
	assert_int_equal(bfx.broker.verify_calls, 4);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(login("operator", "wrong", NULL, NULL), CAPOS_DENIED);
	uint64_t runs = bfx.broker.argon2_runs;
	/* within the back-off even the right passphrase is refused, unchecked */
	assert_int_equal(login("operator", "hunter22", NULL, NULL), CAPOS_DENIED);
	assert_int_equal(bfx.broker.argon2_runs, runs);
	assert_non_null(strstr(last_record()->detail, "back-off, 100 ms left"));
	bfx.now_ms += 100;
	assert_int_equal(login("operator", "wrong", NULL, NULL), CAPOS_DENIED);
	bfx.now_ms += 150; /* the second failure doubled it: 200 */
	assert_int_equal(login("operator", "hunter22", NULL, NULL), CAPOS_DENIED);
	bfx.now_ms += 50;
	capos_cap_t s;
	assert_int_equal(login("operator", "hunter22", &s, NULL), CAPOS_OK);
	/* a success ends it */
	assert_int_equal(login("operator", "hunter22", NULL, NULL), CAPOS_OK);
	/* unknown names are slowed the same way */
	assert_int_equal(login("nobody", "x", NULL, NULL), CAPOS_DENIED);
	runs = bfx.broker.argon2_runs;
	assert_int_equal(login("nobody", "x", NULL, NULL), CAPOS_DENIED);
	assert_int_equal(bfx.broker.argon2_runs, runs);
	/* the back-off is capped by backoff_max_ms */
	for (int i = 0; i < 10; i++) {
		bfx.now_ms += 5000;
		login("nobody", "x", NULL, NULL);
	}
	assert_int_equal(bfx.broker.unknown_fails[0].until_ms - bfx.broker.unknown_fails[0].last_ms,
			 1000);
}

/* 1 if a login of `who` is refused by the back-off, unchecked (no Argon2id
 * run, a "back-off" record). */
static int refused_unchecked(const char *who, const char *pass)
{
	uint64_t runs = bfx.broker.argon2_runs;
	capos_status_t s = login(who, pass, NULL, NULL);
	return s == CAPOS_DENIED && bfx.broker.argon2_runs == runs &&
	       strstr(last_record()->detail, "back-off") != NULL;
}

/* Every principal the policy names has its own back-off entry: with twelve
 * principals (the policy's most), each one's failure slows it, and no
 * failures of other names, known or not, evict it. */
static void test_backoff_every_principal(void **state)
{
	(void)state;
	static const char *const none[] = { NULL };
	static char names[12][16];
	for (unsigned i = 3; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "p%02u", i);
		bfx_add_principal(names[i], bfx.policy.principals[0].verifier, NULL, none);
	}
	strcpy(names[0], "operator");
	strcpy(names[1], "admin");
	assert_int_equal(bfx.policy.principals_count, 12);
	assert_int_equal(BROKER_MAX_PRINCIPALS, 12);
	bfx_start_broker(0x777);
	for (int i = 0; i < 12; i++)
		if (i != 2) /* signer has no passphrase */
			assert_int_equal(login(names[i], "wrong", NULL, NULL), CAPOS_DENIED);
	/* twenty unknown names fail after them */
	for (int k = 0; k < 20; k++) {
		char n[24];
		snprintf(n, sizeof(n), "stranger%d", k);
		assert_int_equal(login(n, "x", NULL, NULL), CAPOS_DENIED);
	}
	bfx.now_ms += 50; /* within every principal's 100 ms */
	for (int i = 0; i < 12; i++)
		if (i != 2)
			assert_true(refused_unchecked(names[i], "hunter22"));
	/* and once it is over, the right passphrase works for each */
	bfx.now_ms += 100;
	for (int i = 0; i < 12; i++)
		if (i != 2)
			assert_int_equal(login(names[i], "hunter22", NULL, NULL), CAPOS_OK);
}

/* One round of an attacker's cycle: `count` names "<prefix><k>", each
 * failing once, a millisecond apart. Returns the Argon2id runs it cost. */
static uint64_t cycle(const char *prefix, int count)
{
	char n[24];
	uint64_t runs = bfx.broker.argon2_runs;
	for (int k = 0; k < count; k++) {
		snprintf(n, sizeof(n), "%s%d", prefix, k);
		assert_int_equal(login(n, "x", NULL, NULL), CAPOS_DENIED);
		bfx.now_ms += 1;
	}
	return bfx.broker.argon2_runs - runs;
}

/* An attacker cycling through unknown names is slowed too: once the
 * unknown-name table is full of waiting entries, every other unknown name
 * shares one overflow entry; fresh names take over the table's counts, so
 * the waits double round after round. */
static void test_backoff_cycling_unknown_names(void **state)
{
	(void)state;
	char n[24];
	/* eight names get their own entries, one more is checked against the
	 * overflow entry, the other eleven are refused unchecked */
	assert_int_equal(cycle("u", 20), BROKER_MAX_UNKNOWN_FAILS + 1);
	assert_int_equal(bfx.broker.overflow_fails.failures, 1);
	assert_true(refused_unchecked("brand-new", "x"));
	for (int k = 0; k < 20; k++) {
		snprintf(n, sizeof(n), "u%d", k);
		assert_true(refused_unchecked(n, "x"));
	}
	/* a known principal is not slowed by any of it */
	assert_int_equal(login("operator", "hunter22", NULL, NULL), CAPOS_OK);
	/* after the 100 ms, twenty fresh names: the same nine checks, and
	 * every wait doubled (the table's counts carried over) */
	bfx.now_ms += 150;
	assert_int_equal(cycle("v", 20), BROKER_MAX_UNKNOWN_FAILS + 1);
	assert_int_equal(bfx.broker.overflow_fails.failures, 2);
	for (uint32_t k = 0; k < BROKER_MAX_UNKNOWN_FAILS; k++) {
		const struct broker_fail *f = &bfx.broker.unknown_fails[k];
		assert_int_equal(f->principal[0], 'v');
		assert_int_equal(f->failures, 2);
		assert_int_equal(f->until_ms - f->last_ms, 200);
	}
	bfx.now_ms += 150; /* within the 200 */
	assert_true(refused_unchecked("w0", "x"));
	assert_true(refused_unchecked("v3", "x"));
	assert_int_equal(login("operator", "hunter22", NULL, NULL), CAPOS_OK);
	/* a third round: 400 ms */
	bfx.now_ms += 100;
	assert_int_equal(cycle("w", 20), BROKER_MAX_UNKNOWN_FAILS + 1);
	assert_int_equal(bfx.broker.unknown_fails[0].until_ms - bfx.broker.unknown_fails[0].last_ms,
			 400);
}

static void test_nonce_single_use_and_expiry(void **state)
{
	(void)state;
	uint8_t n[32];
	capos_cap_t s;
	challenge("signer", n);
	assert_int_equal(sign_login("signer", n, 1, &s), CAPOS_OK);
	capos_Empty e = capos_Empty_init_zero;
	capos_SessionInfo info;
	assert_int_equal(session_info(s, &e, &info), CAPOS_OK);
	assert_string_equal(info.principal, "signer");
	assert_int_equal(info.kind, capos_SessionKind_SESSION_KIND_AUTHENTICATED);
	/* the same nonce again: refused, though the signature is good */
	assert_int_equal(sign_login("signer", n, 1, NULL), CAPOS_DENIED);
	assert_non_null(strstr(last_record()->detail, "nonce"));
	bfx.now_ms += 1000; /* past the back-off */
	/* a nonce given for another principal */
	challenge("operator", n);
	assert_int_equal(sign_login("signer", n, 1, NULL), CAPOS_DENIED);
	bfx.now_ms += 10000;
	/* expired */
	challenge("signer", n);
	bfx.now_ms += BROKER_NONCE_TTL_MS;
	assert_int_equal(sign_login("signer", n, 1, NULL), CAPOS_DENIED);
	bfx.now_ms += 10000;
	/* a nonce never given */
	memset(n, 0x42, sizeof(n));
	assert_int_equal(sign_login("signer", n, 1, NULL), CAPOS_DENIED);
	bfx.now_ms += 10000;
	challenge("signer", n);
	assert_int_equal(sign_login("signer", n, 1, NULL), CAPOS_OK);
}

static void test_close_makes_grants_stale(void **state)
{
	(void)state;
	capos_cap_t s, logs, other;
	assert_int_equal(login("operator", "hunter22", &s, NULL), CAPOS_OK);
	assert_int_equal(login("admin", "hunter22", &other, NULL), CAPOS_OK);
	capos_cap_t other_logs;
	assert_int_equal(grant(s, "log-reader", &logs, NULL), CAPOS_OK);
	assert_int_equal(grant(other, "log-reader", &other_logs, NULL), CAPOS_OK);
	capos_LogFilter f = capos_LogFilter_init_zero;
	static capos_LogReadResult r, direct;
	strcpy(f.source, "broker");
	f.max = 2;
	assert_int_equal(logreader_read(logs, &f, &r), CAPOS_OK);
	/* forwarded to the real log server: the broker's own lines, as a
	 * direct read gives them */
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].source, "broker");
	assert_string_equal(r.records[0].text,
			    "open session ok: operator, session 1: authenticated (audit 1)");
	assert_int_equal(logreader_read(BFX_LOGS_CAP, &f, &direct), CAPOS_OK);
	assert_int_equal(r.next_cursor, direct.next_cursor);
	assert_string_equal(r.records[1].text, direct.records[1].text);
	/* a grant speaks only its interface */
	capos_ShutdownRequest sr = { .mode = capos_ShutdownMode_SHUTDOWN_MODE_HALT };
	strcpy(sr.reason, "x");
	capos_Empty e = capos_Empty_init_zero;
	assert_int_equal(shutdowncontrol_shutdown(logs, &sr, &e), CAPOS_UNSUPPORTED);

	assert_int_equal(session_close(s, &e, &e), CAPOS_OK);
	assert_int_equal(last_record()->kind, capos_AuditKind_AUDIT_KIND_SESSION_CLOSE);
	assert_string_equal(last_record()->detail, "session 1: 1 grants made stale");
	assert_int_equal(logreader_read(logs, &f, &r), CAPOS_INVALID_CAP);
	capos_SessionInfo info;
	assert_int_equal(session_info(s, &e, &info), CAPOS_INVALID_CAP);
	assert_int_equal(session_close(s, &e, &e), CAPOS_INVALID_CAP);
	assert_int_equal(grant(s, "log-reader", NULL, NULL), CAPOS_INVALID_CAP);
	/* the other session and its grant are untouched */
	assert_int_equal(logreader_read(other_logs, &f, &r), CAPOS_OK);
	/* a new session in the same slot does not revive the old caps */
	capos_cap_t again;
	assert_int_equal(login("operator", "hunter22", &again, NULL), CAPOS_OK);
	assert_int_equal(session_info(s, &e, &info), CAPOS_INVALID_CAP);
	assert_int_equal(session_info(again, &e, &info), CAPOS_OK);

	/* a broker restart (a new epoch): every cap it minted goes stale */
	bfx_start_broker(0x123456);
	assert_int_equal(session_info(again, &e, &info), CAPOS_INVALID_CAP);
	assert_int_equal(logreader_read(other_logs, &f, &r), CAPOS_INVALID_CAP);
}

/* What the test's calls made from inside init's stop answered: a second
 * Shutdown through another session's grant (same mode, another mode) and
 * straight at ShutdownControl (as the broker would forward them). */
static capos_cap_t second_grant;
static capos_status_t during[4];

static void second_shutdowns(void)
{
	capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
	capos_Empty e;
	strcpy(rq.reason, "again");
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF;
	during[0] = shutdowncontrol_shutdown(second_grant, &rq, &e);
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_REBOOT;
	during[1] = shutdowncontrol_shutdown(second_grant, &rq, &e);
	/* only the broker's own calls may reach ShutdownControl: these two
	 * stand for what it would have forwarded */
	uint32_t in_stop = bfx.shutdown_calls_in_stop;
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF;
	during[2] = shutdowncontrol_shutdown(BFX_SHUTDOWN_CAP, &rq, &e);
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_HALT;
	during[3] = shutdowncontrol_shutdown(BFX_SHUTDOWN_CAP, &rq, &e);
	bfx.shutdown_calls_in_stop = in_stop; /* the broker's count alone */
}

static void test_shutdown_grant(void **state)
{
	(void)state;
	capos_cap_t s, sd, admin;
	assert_int_equal(login("operator", "hunter22", &s, NULL), CAPOS_OK);
	assert_int_equal(grant(s, "shutdown", &sd, NULL), CAPOS_OK);
	capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
	capos_Empty e;
	strcpy(rq.reason, "done");
	assert_int_equal(shutdowncontrol_shutdown(sd, &rq, &e), CAPOS_INVALID_ARGUMENT);
	rq.mode = (capos_ShutdownMode)9;
	assert_int_equal(shutdowncontrol_shutdown(sd, &rq, &e), CAPOS_INVALID_ARGUMENT);
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF;
	rq.reason[0] = '\0';
	assert_int_equal(shutdowncontrol_shutdown(sd, &rq, &e), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(bfx.stops, 0);
	assert_int_equal(bfx.port_writes, 0);
	strcpy(rq.reason, "done");
	uint32_t before = (uint32_t)bfx.audit.count;
	/* The real ShutdownControl: the audit record, then the answer (OK)
	 * before init is asked anything: the caller and the broker must be
	 * back in their loops to acknowledge their own stop notices. */
	assert_int_equal(shutdowncontrol_shutdown(sd, &rq, &e), CAPOS_OK);
	assert_int_equal(bfx.stops, 0);
	assert_int_equal(bfx.port_writes, 0);
	/* the broker's record first, then the shutdown server's */
	assert_int_equal(bfx.audit.count, before + 2);
	const capos_AuditRecord *b = &bfx.audit.records[before];
	assert_int_equal(b->kind, capos_AuditKind_AUDIT_KIND_SHUTDOWN);
	assert_string_equal(b->principal, "operator");
	assert_string_equal(b->detail, "session 1: poweroff: done");
	assert_int_equal(last_record()->kind, capos_AuditKind_AUDIT_KIND_SHUTDOWN);
	assert_string_equal(last_record()->detail, "done");

	/* Then the stop (as the target's loop runs it after the reply), with
	 * a second Shutdown arriving meanwhile from another session. */
	assert_int_equal(login("admin", "hunter22", &admin, NULL), CAPOS_OK);
	assert_int_equal(grant(admin, "shutdown", &second_grant, NULL), CAPOS_OK);
	before = (uint32_t)bfx.audit.count;
	uint32_t calls = bfx.shutdown_calls;
	bfx.during_stop = second_shutdowns;
	/* the host is no machine: still running after the PM1a write */
	assert_int_equal(shutdown_finish(&bfx.shutdown), CAPOS_UNSUPPORTED);
	assert_int_equal(bfx.stops, 1);
	assert_string_equal(bfx.stop_reason, "done");
	assert_int_equal(bfx.port_writes, 1);
	assert_int_equal(bfx.port, SHUTDOWN_PM1A_CNT);
	assert_int_equal(bfx.port_value, SHUTDOWN_PM1A_S5);
	/* The broker answered the second ones itself: the same mode OK (it is
	 * under way), another WOULD_BLOCK; none was forwarded to a server
	 * inside init's stop. Each is audited, nothing else happens. */
	assert_int_equal(during[0], CAPOS_OK);
	assert_int_equal(during[1], CAPOS_WOULD_BLOCK);
	assert_int_equal(bfx.shutdown_calls_in_stop, 0);
	assert_int_equal(bfx.shutdown_calls, calls + 2); /* the two direct ones */
	assert_int_equal(bfx.audit.count, before + 2);
	assert_string_equal(bfx.audit.records[before].detail,
			    "session 2: poweroff: again (a poweroff is under way)");
	assert_int_equal(bfx.audit.records[before].outcome, capos_Status_STATUS_OK);
	assert_string_equal(bfx.audit.records[before + 1].detail,
			    "session 2: reboot: again (a poweroff is under way)");
	assert_int_equal(bfx.audit.records[before + 1].outcome, capos_Status_STATUS_WOULD_BLOCK);
	/* ShutdownControl itself: the same, without a second record */
	assert_int_equal(during[2], CAPOS_OK);
	assert_int_equal(during[3], CAPOS_WOULD_BLOCK);
	/* one stop, one write, whatever came after */
	assert_int_equal(shutdown_finish(&bfx.shutdown), CAPOS_OK);
	assert_int_equal(bfx.stops, 1);
	assert_int_equal(bfx.port_writes, 1);
	/* an anonymous session is still refused first */
	capos_cap_t anon;
	struct capos_cap_list got;
	capos_SessionInfo info;
	assert_int_equal(authoritybroker_open_anonymous_session(BROKER_CAP, &e, &info, &got),
			 CAPOS_OK);
	anon = got.cap[0];
	assert_int_equal(grant(anon, "shutdown", NULL, NULL), CAPOS_DENIED);
}

/* init refuses the stop (a shutdown server without CONTROL): nothing is
 * written, the failure is what shutdown_finish returns, and ShutdownControl
 * takes the next request. */
static void test_shutdown_stop_refused(void **state)
{
	(void)state;
	capos_cap_t s, sd;
	assert_int_equal(login("operator", "hunter22", &s, NULL), CAPOS_OK);
	assert_int_equal(grant(s, "shutdown", &sd, NULL), CAPOS_OK);
	capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
	capos_Empty e;
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_REBOOT;
	strcpy(rq.reason, "r");
	bfx.stop_status = CAPOS_DENIED;
	assert_int_equal(shutdowncontrol_shutdown(sd, &rq, &e), CAPOS_OK);
	assert_int_equal(shutdown_finish(&bfx.shutdown), CAPOS_DENIED);
	assert_int_equal(bfx.stops, 1);
	assert_int_equal(bfx.port_writes, 0);
	bfx.stop_status = CAPOS_OK;
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_HALT;
	assert_int_equal(shutdowncontrol_shutdown(BFX_SHUTDOWN_CAP, &rq, &e), CAPOS_OK);
	assert_int_equal(shutdown_finish(&bfx.shutdown), CAPOS_OK); /* halt: no write */
	assert_int_equal(bfx.stops, 2);
	assert_int_equal(bfx.port_writes, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	capos_OpenSessionRequest rq = capos_OpenSessionRequest_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;
	/* no principal */
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE;
	rq.credential.size = 3;
	assert_int_equal(authoritybroker_open_session(BROKER_CAP, &rq, &info, &got),
			 CAPOS_INVALID_ARGUMENT);
	strcpy(rq.principal, "operator");
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_UNSPECIFIED;
	assert_int_equal(authoritybroker_open_session(BROKER_CAP, &rq, &info, &got),
			 CAPOS_INVALID_ARGUMENT);
	rq.credential_kind = (capos_CredentialKind)7;
	assert_int_equal(authoritybroker_open_session(BROKER_CAP, &rq, &info, &got),
			 CAPOS_INVALID_ARGUMENT);
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE;
	rq.credential.size = 0;
	assert_int_equal(authoritybroker_open_session(BROKER_CAP, &rq, &info, &got),
			 CAPOS_INVALID_ARGUMENT);
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_SIGNATURE;
	rq.credential.size = 63;
	rq.nonce.size = 32;
	assert_int_equal(authoritybroker_open_session(BROKER_CAP, &rq, &info, &got),
			 CAPOS_INVALID_ARGUMENT);
	rq.credential.size = 64;
	rq.nonce.size = 16;
	assert_int_equal(authoritybroker_open_session(BROKER_CAP, &rq, &info, &got),
			 CAPOS_INVALID_ARGUMENT);
	capos_ChallengeRequest cr = capos_ChallengeRequest_init_zero;
	capos_ChallengeResult cres;
	assert_int_equal(authoritybroker_challenge(BROKER_CAP, &cr, &cres), CAPOS_INVALID_ARGUMENT);
	capos_cap_t s = anonymous();
	assert_int_equal(grant(s, "", NULL, NULL), CAPOS_INVALID_ARGUMENT);
	/* bodies that do not decode, on each of the three services */
	uint8_t *buf = capos_transport_buffer();
	uint64_t label;
	uint32_t len;
	memset(buf, 0xff, 16);
	assert_int_equal(capos_transport_call(BROKER_CAP, CAPOS_RPC_LABEL(0x0700, 3), 16, NULL,
					      &label, &len, NULL),
			 CAPOS_OK);
	assert_int_equal(label, CAPOS_INVALID_ARGUMENT);
	memset(buf, 0xff, 16);
	assert_int_equal(capos_transport_call(s, CAPOS_RPC_LABEL(0x0701, 2), 16, NULL, &label,
					      &len, NULL),
			 CAPOS_OK);
	assert_int_equal(label, CAPOS_INVALID_ARGUMENT);
	capos_cap_t op, sd;
	assert_int_equal(login("operator", "hunter22", &op, NULL), CAPOS_OK);
	assert_int_equal(grant(op, "shutdown", &sd, NULL), CAPOS_OK);
	memset(buf, 0xff, 16);
	assert_int_equal(capos_transport_call(sd, CAPOS_RPC_LABEL(0x0702, 1), 16, NULL, &label,
					      &len, NULL),
			 CAPOS_OK);
	assert_int_equal(label, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(bfx.stops, 0);
	/* a session cap cannot speak AuthorityBroker, nor a badge never minted */
	capos_Empty e = capos_Empty_init_zero;
	assert_int_equal(authoritybroker_open_anonymous_session(s, &e, &info, &got),
			 CAPOS_UNSUPPORTED);
	capos_cap_t forged = capos_loopback_mint(BROKER_CAP, BROKER_BADGE(0xabcdef, 0x53, 3, 1));
	assert_int_equal(session_info(forged, &e, &info), CAPOS_INVALID_CAP);
}

static void test_policy_param_round_trip(void **state)
{
	(void)state;
	static uint8_t raw[1536];
	static char text[2100];
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	pb_ostream_t os = pb_ostream_from_buffer(raw, sizeof(raw));
	assert_true(pb_encode(&os, capos_BrokerPolicy_fields, &bfx.policy));
	size_t n = os.bytes_written, o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (i + 1 < n ? (uint32_t)raw[i + 1] << 8 : 0) |
			     (i + 2 < n ? raw[i + 2] : 0);
		text[o++] = b64[(v >> 18) & 63];
		text[o++] = b64[(v >> 12) & 63];
		text[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		text[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	text[o] = '\0';
	static capos_BrokerPolicy back;
	assert_int_equal(broker_policy_decode(text, &back), 1);
	assert_int_equal(back.principals_count, 3);
	assert_string_equal(back.principals[0].verifier, passphrase_verifier);
	assert_string_equal(back.principals[1].grants[1], "maintenance");
	assert_int_equal(back.backoff_ms, 100);
	assert_int_equal(broker_policy_decode("abc", &back), 0);
	assert_int_equal(broker_policy_decode("!!!!", &back), 0);
	assert_int_equal(broker_policy_decode("", &back), 1); /* the empty policy */
	assert_int_equal(back.principals_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_anonymous_session, setup),
		cmocka_unit_test_setup(test_policy_matrix, setup),
		cmocka_unit_test_setup(test_wrong_vs_unknown_indistinguishable, setup),
		cmocka_unit_test_setup(test_backoff, setup),
		cmocka_unit_test_setup(test_backoff_every_principal, setup),
		cmocka_unit_test_setup(test_backoff_cycling_unknown_names, setup),
		cmocka_unit_test_setup(test_nonce_single_use_and_expiry, setup),
		cmocka_unit_test_setup(test_close_makes_grants_stale, setup),
		cmocka_unit_test_setup(test_shutdown_grant, setup),
		cmocka_unit_test_setup(test_shutdown_stop_refused, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_policy_param_round_trip, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
