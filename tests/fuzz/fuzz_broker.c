/*
 * libFuzzer target: the authority broker's dispatcher (servers/broker)
 * over the host loopback, with the real generated decoders and, through
 * tests/component/broker_fixture.c, the real audit, log, crypto and
 * shutdown servers behind it and real Argon2id. Fuzz input is a program of
 * calls: which cap (the AuthorityBroker front door, an anonymous session,
 * an operator's session, their grants, and every cap a reply handed back),
 * which interface and method, and the body bytes. After every call the
 * broker's invariants must hold:
 *  - no anonymous session holds a "shutdown", "maintenance" or
 *    "process-control" grant, and no live grant outlives its session;
 *  - the ShutdownControl behind the broker is reached only through a grant
 *    of an authenticated session, with a valid mode and a reason: when
 *    init's stop begins, the call has been answered (the stop runs after
 *    the answer: shutdown_finish, as the target's loop does) and the last
 *    two records are the broker's allowed SHUTDOWN and ShutdownControl's
 *    own; one call makes one stop at most;
 *  - the loopback's cap table never fills up (nothing leaks per call).
 * Its seeds (tests/fuzz/seed_broker.py) include accepted Shutdowns, so the
 * stop's checks run from the first executions.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <argon2.h>

#include <capos/transport.h>

#include "broker_fixture.h"
#include "crypto.capos.h"
#include "log.capos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BROKER_CAP BFX_BROKER_CAP
#define MAX_HELD 24 /* caps the program can name */

static uint32_t stops_checked;
static char verifier[112];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* Set around the program's own calls: a stop made while one runs came
 * before ShutdownControl's answer. */
static int calling;

/* init's stop, as the shutdown server asks for it: after its answer (the
 * caller, and the broker forwarding, are back in their loops), with the
 * records already written - the broker's allowed SHUTDOWN of a named
 * principal, then ShutdownControl's own, the last two. */
static void at_stop(void)
{
	check(!calling);
	check(bfx.audit.count >= 2);
	const capos_AuditRecord *b = &bfx.audit.records[bfx.audit.count - 2];
	const capos_AuditRecord *own = &bfx.audit.records[bfx.audit.count - 1];
	check(b->kind == capos_AuditKind_AUDIT_KIND_SHUTDOWN && b->outcome == 0 &&
	      strcmp(b->principal, "anonymous") != 0);
	check(own->kind == capos_AuditKind_AUDIT_KIND_SHUTDOWN);
}

/* Each stop the shutdown server asked for (at_stop checked its order). */
static void check_stops(void)
{
	/* ShutdownControl answered first; the stop runs after the reply, as
	 * the target's service loop runs it. */
	if (bfx.shutdown.pending)
		(void)shutdown_finish(&bfx.shutdown);
	if (bfx.stops == stops_checked)
		return;
	check(bfx.stops == stops_checked + 1); /* one call, one stop at most */
	stops_checked = bfx.stops;
	check(bfx.stop_reason[0] != '\0');
	/* The host did not go down: again (the broker, too, forwards again). */
	bfx.shutdown.going_down = 0;
	bfx.broker.going_down = 0;
}

static void invariants(void)
{
	for (uint32_t i = 0; i < BROKER_MAX_GRANTS; i++) {
		const struct broker_grant *g = &bfx.broker.grants[i];
		if (!g->live)
			continue;
		const struct broker_session *se = &bfx.broker.sessions[g->session];
		check(se->live && se->gen == g->session_gen);
		if (se->kind == capos_SessionKind_SESSION_KIND_ANONYMOUS)
			check(g->kind == BROKER_GRANT_LOG_READER);
		if (g->kind == BROKER_GRANT_MAINTENANCE)
			check(se->kind == capos_SessionKind_SESSION_KIND_MAINTENANCE);
	}
	check_stops();
	check(capos_loopback_caps_used() < CAPOS_LOOPBACK_SLOTS - 4);
}

static void setup(void)
{
	static const char *const op_grants[] = { "shutdown", "log-reader", "process-control",
						  NULL };
	static const char *const signer_grants[] = { "maintenance", NULL };
	if (!verifier[0]) {
		static const uint8_t salt[8] = "fuzzsalt";
		if (argon2id_hash_encoded(1, 8, 1, "pw", 2, salt, sizeof(salt), 16, verifier,
					  sizeof(verifier)) != ARGON2_OK)
			__builtin_trap();
	}
	bfx_setup();
	bfx_add_principal("operator", verifier, NULL, op_grants);
	bfx_add_principal("signer", NULL, bfx_dev_sign_public, signer_grants);
	capos_BrokerPolicy *p = &bfx.policy;
	strcpy(p->maintenance_principals[p->maintenance_principals_count++], "signer");
	strcpy(p->anonymous_grants[p->anonymous_grants_count++], "log-reader");
	p->backoff_ms = 1;
	stops_checked = 0;
	bfx.during_stop = at_stop;
	check(bfx_start_broker(0x5eed) == 1);
	/* No debug server here: the maintenance grant forwards to the log
	 * reader, so its forwarding (and its AuditLog.Read case) is fuzzed. */
	bfx.broker.env.grant_cap[BROKER_GRANT_MAINTENANCE] = BFX_LOGS_CAP;
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
		calling = 1;
		capos_status_t s = capos_transport_call(cap, CAPOS_RPC_LABEL(iface, method), len,
							NULL, &rl, &rlen, &got);
		calling = 0;
		at += len;
		bfx.now_ms += 7;
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
