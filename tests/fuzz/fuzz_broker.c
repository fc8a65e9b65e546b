/*
 * libFuzzer target: the authority broker's dispatcher (servers/broker)
 * over the host loopback, with the real generated decoders, the real
 * audit server, real Argon2id and fakes behind the grants. Fuzz input is a
 * program of calls: which cap (the AuthorityBroker front door, an
 * anonymous session, an operator's session, their grants, and every cap a
 * reply handed back), which interface and method, and the body bytes.
 * After every call the broker's invariants must hold:
 *  - no anonymous session holds a "shutdown", "maintenance" or
 *    "process-control" grant, and no live grant outlives its session;
 *  - the ShutdownControl behind the broker is reached only through a grant
 *    of an authenticated session, with a valid mode and a reason;
 *  - the loopback's cap table never fills up (nothing leaks per call).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <argon2.h>

#include <capos/transport.h>

#include "audit_service.h"
#include "broker_service.h"
#include "crypto.capos.h"
#include "log.capos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BROKER_CAP 1
#define AUDIT_CAP 2
#define SHUTDOWN_CAP 3
#define LOGS_CAP 4
#define KEY_CAP 5
#define MAX_HELD 24 /* caps the program can name */

static struct broker_state st;
static capos_BrokerPolicy policy;
static capos_AuditRecord records[256]; /* 64 calls, at most 2 records each */
static struct audit_state audit;
static uint64_t now_ms;
static int shutdowns, bad_shutdowns;
static char verifier[112];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return now_ms;
}

static void fake_random(void *ctx, uint8_t *out, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(i * 13u + (uint8_t)now_ms);
}

static capos_cap_t fake_mint(void *ctx, uint64_t badge)
{
	(void)ctx;
	return capos_loopback_mint(BROKER_CAP, badge);
}

static capos_status_t fake_shutdown(void *ctx, struct capos_rpc_request *rq,
				    const capos_ShutdownRequest *req, capos_Empty *resp)
{
	(void)ctx;
	(void)rq;
	(void)resp;
	/* Reached only after the broker audited an allowed request of a
	 * named principal: its last record says so. */
	const capos_AuditRecord *r = audit.count ? &audit.records[audit.count - 1] : NULL;
	shutdowns++;
	if (!r || r->kind != capos_AuditKind_AUDIT_KIND_SHUTDOWN || r->outcome != 0 ||
	    strcmp(r->principal, "anonymous") == 0 || !req->reason[0] ||
	    req->mode < capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF ||
	    req->mode > capos_ShutdownMode_SHUTDOWN_MODE_HALT)
		bad_shutdowns++;
	return CAPOS_OK;
}
static const struct shutdowncontrol_ops shutdown_ops = { .shutdown = fake_shutdown };

static capos_status_t fake_read(void *ctx, struct capos_rpc_request *rq,
				const capos_LogFilter *req, capos_LogReadResult *resp)
{
	(void)ctx;
	(void)rq;
	(void)req;
	(void)resp;
	return CAPOS_OK;
}
static const struct logreader_ops logs_ops = { .read = fake_read };

static capos_status_t fake_verify(void *ctx, struct capos_rpc_request *rq,
				  const capos_VerifyRequest *req, capos_VerifyResult *resp)
{
	(void)ctx;
	(void)rq;
	resp->valid = req->signature.size == 64 && req->signature.bytes[0] == 0x5a;
	return CAPOS_OK;
}
static const struct publickey_ops key_ops = { .verify = fake_verify };

static void invariants(void)
{
	for (uint32_t i = 0; i < BROKER_MAX_GRANTS; i++) {
		const struct broker_grant *g = &st.grants[i];
		if (!g->live)
			continue;
		const struct broker_session *se = &st.sessions[g->session];
		check(se->live && se->gen == g->session_gen);
		if (se->kind == capos_SessionKind_SESSION_KIND_ANONYMOUS)
			check(g->kind == BROKER_GRANT_LOG_READER);
		if (g->kind == BROKER_GRANT_MAINTENANCE)
			check(se->kind == capos_SessionKind_SESSION_KIND_MAINTENANCE);
	}
	check(bad_shutdowns == 0);
	check(capos_loopback_caps_used() < CAPOS_LOOPBACK_SLOTS - 4);
}

static void setup(void)
{
	if (!verifier[0]) {
		static const uint8_t salt[8] = "fuzzsalt";
		if (argon2id_hash_encoded(1, 8, 1, "pw", 2, salt, sizeof(salt), 16, verifier,
					  sizeof(verifier)) != ARGON2_OK)
			__builtin_trap();
	}
	policy = (capos_BrokerPolicy)capos_BrokerPolicy_init_zero;
	capos_Principal *p = &policy.principals[policy.principals_count++];
	strcpy(p->name, "operator");
	strcpy(p->verifier, verifier);
	strcpy(p->grants[p->grants_count++], "shutdown");
	strcpy(p->grants[p->grants_count++], "log-reader");
	strcpy(p->grants[p->grants_count++], "process-control");
	p = &policy.principals[policy.principals_count++];
	strcpy(p->name, "signer");
	p->public_key.size = 65;
	strcpy(p->grants[p->grants_count++], "maintenance");
	strcpy(policy.maintenance_principals[policy.maintenance_principals_count++], "signer");
	strcpy(policy.anonymous_grants[policy.anonymous_grants_count++], "log-reader");
	policy.backoff_ms = 1;
	now_ms = 1000;
	shutdowns = bad_shutdowns = 0;
	capos_loopback_reset();
	audit_init(&audit, records, 256, NULL, NULL, NULL, 0);
	capos_loopback_register(AUDIT_CAP, auditlog_service(&audit_service_ops, &audit), 1);
	capos_loopback_register(SHUTDOWN_CAP, shutdowncontrol_service(&shutdown_ops, NULL), 0);
	capos_loopback_register(LOGS_CAP, logreader_service(&logs_ops, NULL), 0);
	capos_loopback_register(KEY_CAP, publickey_service(&key_ops, NULL), 0);
	struct broker_env env = { .now_ms = fake_now, .random = fake_random, .mint = fake_mint,
				  .audit = AUDIT_CAP,
				  .grant_cap = { SHUTDOWN_CAP, LOGS_CAP, LOGS_CAP, LOGS_CAP } };
	broker_init(&st, &policy, &env, 0x5eed);
	st.key[1] = KEY_CAP;
	capos_loopback_register(BROKER_CAP, broker_endpoint_service(&st), 3);
}

static const uint32_t ifaces[] = { 0x0700, 0x0701, 0x0702, 0x0201, 0x0901, 0x0800, 0x0603 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	capos_cap_t held[MAX_HELD];
	unsigned nheld = 0;
	held[nheld++] = BROKER_CAP;
	/* Start holding what a person would: an anonymous session, an
	 * operator's session and its shutdown and log-reader grants. */
	capos_Empty e = capos_Empty_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;
	if (authoritybroker_open_anonymous_session(BROKER_CAP, &e, &info, &got) == CAPOS_OK)
		held[nheld++] = got.cap[0];
	capos_OpenSessionRequest lr = capos_OpenSessionRequest_init_zero;
	strcpy(lr.principal, "operator");
	lr.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE;
	lr.credential.size = 2;
	memcpy(lr.credential.bytes, "pw", 2);
	check(authoritybroker_open_session(BROKER_CAP, &lr, &info, &got) == CAPOS_OK);
	capos_cap_t op = held[nheld++] = got.cap[0];
	static const char *const grants[] = { "shutdown", "log-reader" };
	for (int k = 0; k < 2; k++) {
		capos_GrantRequest gr = capos_GrantRequest_init_zero;
		capos_GrantResult res;
		strcpy(gr.grant, grants[k]);
		check(session_request_grant(op, &gr, &res, &got) == CAPOS_OK);
		held[nheld++] = got.cap[0];
	}
	/* Each call: cap index, interface, method, body length, body. */
	size_t at = 0;
	for (int calls = 0; calls < 64 && at + 4 <= size; calls++) {
		capos_cap_t cap = held[data[at] % nheld];
		uint32_t iface = ifaces[data[at + 1] % (sizeof(ifaces) / sizeof(ifaces[0]))];
		uint32_t method = data[at + 2] % 6u;
		uint32_t len = data[at + 3];
		at += 4;
		if (len > size - at)
			len = (uint32_t)(size - at);
		uint64_t rl;
		uint32_t rlen;
		struct capos_cap_list got;
		memcpy(capos_transport_buffer(), data + at, len);
		capos_status_t s = capos_transport_call(cap, CAPOS_RPC_LABEL(iface, method), len,
							NULL, &rl, &rlen, &got);
		at += len;
		now_ms += 7;
		if (s == CAPOS_OK)
			for (uint32_t i = 0; i < got.count; i++) {
				if (nheld < MAX_HELD)
					held[nheld++] = got.cap[i];
				else
					capos_transport_drop(&(struct capos_cap_list){
						.count = 1, .cap = { got.cap[i] } });
			}
		invariants();
	}
	return 0;
}
