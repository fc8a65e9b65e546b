/*
 * broker_service.c - AuthorityBroker, Session and the grants
 * (idl/broker.proto) under the manifest's BrokerPolicy. The invariants are
 * at the top of broker_service.h; docs/servers/broker.md is the reference.
 */
#include <string.h>

#include <argon2.h>
#include <pb_decode.h>

#include <capos/transport.h>

#include "broker_service.h"
#include "crypto.capos.h"
#include "log.pb.h"

const char *const broker_grant_names[BROKER_GRANT_KINDS] = {
	[BROKER_GRANT_SHUTDOWN] = "shutdown",
	[BROKER_GRANT_MAINTENANCE] = "maintenance",
	[BROKER_GRANT_LOG_READER] = "log-reader",
	[BROKER_GRANT_PROCESS_CONTROL] = "process-control",
};

const uint32_t broker_grant_interfaces[BROKER_GRANT_KINDS] = {
	[BROKER_GRANT_SHUTDOWN] = 0x0702,        /* ShutdownControl */
	[BROKER_GRANT_MAINTENANCE] = 0x0800,     /* Debug (idl/debug.proto) */
	[BROKER_GRANT_LOG_READER] = 0x0201,      /* LogReader */
	[BROKER_GRANT_PROCESS_CONTROL] = 0x0901, /* ProcessControl */
};

int broker_grant_kind(const char *name)
{
	for (int k = 0; k < BROKER_GRANT_KINDS; k++)
		if (strcmp(name, broker_grant_names[k]) == 0)
			return k;
	return -1;
}

static const char *kind_name(capos_SessionKind k)
{
	switch (k) {
	case capos_SessionKind_SESSION_KIND_AUTHENTICATED:
		return "authenticated";
	case capos_SessionKind_SESSION_KIND_MAINTENANCE:
		return "maintenance";
	default:
		return "anonymous";
	}
}

/* ---- audit and log --------------------------------------------------------- */

static void fmt_u64(char *out, size_t n, uint64_t v)
{
	char tmp[24];
	size_t k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k < sizeof(tmp));
	size_t i = 0;
	while (k && i + 1 < n)
		out[i++] = tmp[--k];
	out[i] = '\0';
}

/* dst += src, always terminated within n. */
static void cat(char *dst, size_t n, const char *src)
{
	size_t l = strlen(dst);
	while (*src && l + 1 < n)
		dst[l++] = *src++;
	dst[l] = '\0';
}

static void cat_u64(char *dst, size_t n, uint64_t v)
{
	char b[24];
	fmt_u64(b, sizeof(b), v);
	cat(dst, n, b);
}

/* One decision: an audit record and a log line with the same facts. */
static void record(struct broker_state *s, capos_AuditKind kind, const char *principal,
		   const char *action, capos_status_t outcome, uint64_t session,
		   const char *detail)
{
	capos_AuditRecord r = capos_AuditRecord_init_zero;
	r.kind = kind;
	cat(r.principal, sizeof(r.principal), principal[0] ? principal : "anonymous");
	cat(r.action, sizeof(r.action), action);
	r.outcome = (capos_Status)outcome;
	cat(r.detail, sizeof(r.detail), "session ");
	cat_u64(r.detail, sizeof(r.detail), session);
	if (detail && detail[0]) {
		cat(r.detail, sizeof(r.detail), ": ");
		cat(r.detail, sizeof(r.detail), detail);
	}
	/* The log line names the audit record (its sequence), or says the
	 * audit log did not take it. */
	uint64_t seq = 0;
	capos_status_t ast = CAPOS_UNSUPPORTED;
	if (s->env.audit != CAPOS_NO_CAP) {
		capos_AuditAppendResult res;
		ast = auditlog_append(s->env.audit, &r, &res);
		seq = ast == CAPOS_OK ? res.sequence : 0;
	}
	if (s->env.log) {
		char line[200] = "";
		cat(line, sizeof(line), r.action);
		cat(line, sizeof(line), outcome == CAPOS_OK ? " ok: " : " refused: ");
		cat(line, sizeof(line), r.principal);
		cat(line, sizeof(line), ", ");
		cat(line, sizeof(line), r.detail);
		if (ast == CAPOS_OK) {
			cat(line, sizeof(line), " (audit ");
			cat_u64(line, sizeof(line), seq);
			cat(line, sizeof(line), ")");
		} else {
			cat(line, sizeof(line), " (NOT AUDITED)");
		}
		s->env.log(s->env.ctx, outcome == CAPOS_OK ? capos_LogLevel_LOG_LEVEL_INFO
							   : capos_LogLevel_LOG_LEVEL_WARNING,
			   line);
	}
}

/* ---- policy ---------------------------------------------------------------- */

static int has_grant(const pb_size_t count, const char (*list)[24], const char *name)
{
	for (pb_size_t i = 0; i < count; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

capos_status_t broker_policy_allows(const capos_BrokerPolicy *p, capos_SessionKind kind,
				    int principal, enum broker_grant_kind grant, const char **why)
{
	const char *name = broker_grant_names[grant];
	*why = "";
	if (principal < 0 || kind == capos_SessionKind_SESSION_KIND_ANONYMOUS) {
		/* Fixed, not policy: an anonymous session never gets these. */
		if (grant != BROKER_GRANT_LOG_READER) {
			*why = "denied for an anonymous session";
			return CAPOS_DENIED;
		}
		if (!has_grant(p->anonymous_grants_count, p->anonymous_grants, name)) {
			*why = "not in the policy's anonymous grants";
			return CAPOS_DENIED;
		}
		return CAPOS_OK;
	}
	if (principal >= (int)p->principals_count) {
		*why = "no such principal";
		return CAPOS_DENIED;
	}
	const capos_Principal *pr = &p->principals[principal];
	if (grant == BROKER_GRANT_MAINTENANCE && kind != capos_SessionKind_SESSION_KIND_MAINTENANCE) {
		*why = "needs a maintenance session";
		return CAPOS_DENIED;
	}
	if (!has_grant(pr->grants_count, pr->grants, name)) {
		*why = "not in the principal's grants";
		return CAPOS_DENIED;
	}
	return CAPOS_OK;
}

static capos_SessionKind principal_kind(const capos_BrokerPolicy *p, int i)
{
	for (pb_size_t k = 0; k < p->maintenance_principals_count; k++)
		if (strcmp(p->maintenance_principals[k], p->principals[i].name) == 0)
			return capos_SessionKind_SESSION_KIND_MAINTENANCE;
	return capos_SessionKind_SESSION_KIND_AUTHENTICATED;
}

static int find_principal(const capos_BrokerPolicy *p, const char *name)
{
	for (pb_size_t i = 0; i < p->principals_count; i++)
		if (strcmp(p->principals[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- policy decoding (the `policy` param) -------------------------------- */

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int broker_policy_decode(const char *text, capos_BrokerPolicy *out)
{
	static uint8_t raw[1536];
	size_t n = 0, len = text ? strlen(text) : 0;
	*out = (capos_BrokerPolicy)capos_BrokerPolicy_init_zero;
	if (len % 4)
		return 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = text[i + k] == '=' && i + 4 == len && k >= 2 ? -2 : b64_value(text[i + k]);
		if (v[0] < 0 || v[1] < 0 || v[2] == -1 || v[3] == -1 || (v[2] == -2 && v[3] != -2))
			return 0;
		if (n + 3 > sizeof(raw))
			return 0;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)(v[2] < 0 ? 0 : v[2]) << 6 | (uint32_t)(v[3] < 0 ? 0 : v[3]);
		raw[n++] = (uint8_t)(w >> 16);
		if (v[2] >= 0)
			raw[n++] = (uint8_t)(w >> 8);
		if (v[3] >= 0)
			raw[n++] = (uint8_t)w;
	}
	pb_istream_t is = pb_istream_from_buffer(raw, n);
	return pb_decode(&is, capos_BrokerPolicy_fields, out) ? 1 : 0;
}

/* ---- sessions and grants ---------------------------------------------------- */

static uint64_t now(struct broker_state *s)
{
	return s->env.now_ms ? s->env.now_ms(s->env.ctx) : 0;
}

static struct broker_session *session_of(struct broker_state *s, uint64_t badge, uint32_t *index)
{
	uint32_t i = (uint32_t)(badge >> 16) & 0xffffu;
	if (BROKER_BADGE_TYPE(badge) != BROKER_BADGE_SESSION || (badge >> 40) != s->epoch ||
	    i >= BROKER_MAX_SESSIONS)
		return NULL;
	struct broker_session *se = &s->sessions[i];
	if (!se->live || se->gen != (uint16_t)badge)
		return NULL;
	*index = i;
	return se;
}

static struct broker_grant *grant_of(struct broker_state *s, uint64_t badge)
{
	uint32_t i = (uint32_t)(badge >> 16) & 0xffffu;
	if (BROKER_BADGE_TYPE(badge) != BROKER_BADGE_GRANT || (badge >> 40) != s->epoch ||
	    i >= BROKER_MAX_GRANTS)
		return NULL;
	struct broker_grant *g = &s->grants[i];
	if (!g->live || g->gen != (uint16_t)badge)
		return NULL;
	const struct broker_session *se = &s->sessions[g->session];
	if (!se->live || se->gen != g->session_gen)
		return NULL; /* cannot happen: Close kills its grants; kept as a check */
	return g;
}

static const char *principal_name(const struct broker_state *s, const struct broker_session *se)
{
	return se->principal < 0 ? "" : s->policy->principals[se->principal].name;
}

static void fill_info(const struct broker_state *s, const struct broker_session *se,
			 capos_SessionInfo *o)
{
	o->session_id = se->id;
	o->kind = se->kind;
	if (se->principal >= 0) {
		const capos_Principal *pr = &s->policy->principals[se->principal];
		strncpy(o->principal, pr->name, sizeof(o->principal) - 1);
		strncpy(o->avatar, pr->avatar, sizeof(o->avatar) - 1);
	}
	o->has_opened = true;
	o->opened.monotonic_ns = se->opened_ms * 1000000ull;
}

/* A new session and its cap in caps_out[0]. */
static capos_status_t open(struct broker_state *s, capos_SessionKind kind, int principal,
			   capos_SessionInfo *resp, struct capos_cap_list *caps_out)
{
	uint32_t i;
	for (i = 0; i < BROKER_MAX_SESSIONS && s->sessions[i].live; i++)
		;
	const char *who = principal < 0 ? "" : s->policy->principals[principal].name;
	if (i == BROKER_MAX_SESSIONS) {
		record(s, capos_AuditKind_AUDIT_KIND_SESSION_OPEN, who, "open session",
		       CAPOS_LIMIT_EXCEEDED, 0, "session table full");
		return CAPOS_LIMIT_EXCEEDED;
	}
	struct broker_session *se = &s->sessions[i];
	uint16_t gen = (uint16_t)(se->gen + 1u);
	capos_cap_t cap = s->env.mint ? s->env.mint(s->env.ctx, BROKER_BADGE(s->epoch,
							BROKER_BADGE_SESSION, i, gen))
				      : CAPOS_NO_CAP;
	if (cap == CAPOS_NO_CAP) {
		record(s, capos_AuditKind_AUDIT_KIND_SESSION_OPEN, who, "open session",
		       CAPOS_LIMIT_EXCEEDED, 0, "cannot mint the session cap");
		return CAPOS_LIMIT_EXCEEDED;
	}
	*se = (struct broker_session){ .live = 1, .gen = gen, .id = ++s->next_session_id,
				       .kind = kind, .principal = principal,
				       .opened_ms = now(s) };
	fill_info(s, se, resp);
	caps_out->cap[0] = cap;
	caps_out->count = 1;
	caps_out->move = 1;
	record(s, capos_AuditKind_AUDIT_KIND_SESSION_OPEN, who, "open session", CAPOS_OK, se->id,
	       kind_name(kind));
	return CAPOS_OK;
}

/* ---- back-off ---------------------------------------------------------------- */

static uint64_t backoff_max(const struct broker_state *s)
{
	return s->policy->backoff_max_ms ? s->policy->backoff_max_ms
					 : BROKER_BACKOFF_MAX_DEFAULT_MS;
}

/* The back-off entry that governs a login of `name` (policy index i, -1:
 * unknown). A principal's own entry; for an unknown name its entry in the
 * unknown-name table or, with none, the shared overflow entry. create: the
 * entry a failure is counted in. A table entry is taken when one is free
 * or its wait is over (the least recently failed), and it keeps the count
 * of the name it replaces while that failed within backoff_max_ms: fresh
 * names do not start the doubling afresh. With every entry waiting, the
 * failure goes to the overflow entry. So at most
 * BROKER_MAX_UNKNOWN_FAILS + 1 unknown-name attempts are checked per wait,
 * and the waits double, however many names an attacker cycles through. */
static struct broker_fail *fail_entry(struct broker_state *s, int i, const char *name,
				      int create)
{
	if (i >= 0)
		return &s->known_fails[i];
	struct broker_fail *spare = NULL;
	uint64_t t = now(s);
	for (uint32_t k = 0; k < BROKER_MAX_UNKNOWN_FAILS; k++) {
		struct broker_fail *f = &s->unknown_fails[k];
		if (f->failures && strcmp(f->principal, name) == 0)
			return f;
		if (f->failures && f->until_ms > t)
			continue; /* still waiting: never evicted */
		if (!spare || (spare->failures && (!f->failures || f->last_ms < spare->last_ms)))
			spare = f;
	}
	if (!create || !spare)
		return &s->overflow_fails;
	uint32_t carried = spare->failures && t - spare->last_ms < backoff_max(s)
				   ? spare->failures
				   : 0;
	memset(spare, 0, sizeof(*spare));
	strncpy(spare->principal, name, sizeof(spare->principal) - 1);
	spare->failures = carried;
	return spare;
}

static struct broker_fail *failed(struct broker_state *s, int i, const char *name)
{
	struct broker_fail *f = fail_entry(s, i, name, 1);
	uint64_t base = s->policy->backoff_ms ? s->policy->backoff_ms : BROKER_BACKOFF_DEFAULT_MS;
	uint64_t max = backoff_max(s);
	uint64_t wait = base;
	for (uint32_t k = 0; k < f->failures && wait < max; k++)
		wait *= 2;
	if (wait > max)
		wait = max;
	f->failures++;
	f->last_ms = now(s);
	f->until_ms = f->last_ms + wait;
	return f;
}

/* ---- AuthorityBroker ----------------------------------------------------------- */

static capos_status_t do_open_anonymous(void *ctx, struct capos_rpc_request *rq,
					const capos_Empty *req, capos_SessionInfo *resp,
					struct capos_cap_list *caps_out)
{
	(void)rq;
	(void)req;
	return open(ctx, capos_SessionKind_SESSION_KIND_ANONYMOUS, -1, resp, caps_out);
}

static capos_status_t do_challenge(void *ctx, struct capos_rpc_request *rq,
				   const capos_ChallengeRequest *req, capos_ChallengeResult *resp)
{
	struct broker_state *s = ctx;
	(void)rq;
	if (!req->principal[0] || !s->env.random)
		return req->principal[0] ? CAPOS_UNSUPPORTED : CAPOS_INVALID_ARGUMENT;
	/* The oldest slot (or a free or expired one) takes the new nonce. A
	 * nonce is given for any name: whether it is known stays secret. */
	uint64_t t = now(s);
	struct broker_nonce *n = &s->nonces[0];
	for (uint32_t i = 0; i < BROKER_MAX_NONCES; i++) {
		struct broker_nonce *c = &s->nonces[i];
		if (!c->live || c->expires_ms <= t) {
			n = c;
			break;
		}
		if (c->expires_ms < n->expires_ms)
			n = c;
	}
	memset(n, 0, sizeof(*n));
	n->live = 1;
	strncpy(n->principal, req->principal, sizeof(n->principal) - 1);
	s->env.random(s->env.ctx, n->nonce, BROKER_NONCE_LEN);
	n->expires_ms = t + BROKER_NONCE_TTL_MS;
	memcpy(resp->nonce.bytes, n->nonce, BROKER_NONCE_LEN);
	resp->nonce.size = BROKER_NONCE_LEN;
	return CAPOS_OK;
}

/* Takes the nonce (single use: gone whatever happens next). 1 if it was
 * live, unexpired and given for this principal. */
static int take_nonce(struct broker_state *s, const char *principal, const uint8_t *nonce)
{
	uint64_t t = now(s);
	for (uint32_t i = 0; i < BROKER_MAX_NONCES; i++) {
		struct broker_nonce *n = &s->nonces[i];
		uint8_t diff = 0;
		for (uint32_t k = 0; k < BROKER_NONCE_LEN; k++)
			diff |= (uint8_t)(n->nonce[k] ^ nonce[k]);
		if (!n->live || diff)
			continue;
		int ok = n->expires_ms > t && strcmp(n->principal, principal) == 0;
		memset(n, 0, sizeof(*n));
		return ok;
	}
	return 0;
}

/* The PASSPHRASE check: Argon2id against the principal's verifier, or,
 * for a name the policy does not know (or knows without a verifier),
 * against the first verifier the policy has: the same work, and DENIED. */
static int check_passphrase(struct broker_state *s, int i, const uint8_t *pass, size_t n)
{
	const capos_BrokerPolicy *p = s->policy;
	int real = i >= 0 && p->principals[i].verifier[0];
	const char *v = real ? p->principals[i].verifier : NULL;
	for (pb_size_t k = 0; !v && k < p->principals_count; k++)
		if (p->principals[k].verifier[0])
			v = p->principals[k].verifier;
	if (!v)
		return 0;
	s->argon2_runs++;
	int ok = argon2id_verify(v, pass, n) == ARGON2_OK;
	return real && ok;
}

/* The SIGNATURE check: one PublicKey.Verify, on the principal's key or,
 * for an unknown name (or one without a key), on the first key the broker
 * holds: the same number of calls to the crypto server, and DENIED. */
static int check_signature(struct broker_state *s, int i, const char *name,
			   const uint8_t *nonce, const uint8_t *sig)
{
	int real = i >= 0 && (size_t)i < BROKER_MAX_PRINCIPALS && s->key[i] != CAPOS_NO_CAP;
	capos_cap_t key = real ? s->key[i] : CAPOS_NO_CAP;
	for (size_t k = 0; key == CAPOS_NO_CAP && k < BROKER_MAX_PRINCIPALS; k++)
		key = s->key[k];
	if (key == CAPOS_NO_CAP)
		return 0;
	capos_VerifyRequest vr = capos_VerifyRequest_init_zero;
	size_t n = broker_login_message(name, nonce, vr.message.bytes, sizeof(vr.message.bytes));
	vr.message.size = (pb_size_t)n;
	memcpy(vr.signature.bytes, sig, BROKER_SIGNATURE_LEN);
	vr.signature.size = BROKER_SIGNATURE_LEN;
	capos_VerifyResult res = capos_VerifyResult_init_zero;
	s->verify_calls++;
	capos_status_t st = publickey_verify(key, &vr, &res);
	return real && st == CAPOS_OK && res.valid;
}

static capos_status_t do_open_session(void *ctx, struct capos_rpc_request *rq,
				      const capos_OpenSessionRequest *req, capos_SessionInfo *resp,
				      struct capos_cap_list *caps_out)
{
	struct broker_state *s = ctx;
	(void)rq;
	/* Malformed bodies first: they say nothing about the principal. */
	if (!req->principal[0])
		return CAPOS_INVALID_ARGUMENT;
	if (req->credential_kind == capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE) {
		if (req->credential.size == 0)
			return CAPOS_INVALID_ARGUMENT;
	} else if (req->credential_kind == capos_CredentialKind_CREDENTIAL_KIND_SIGNATURE) {
		if (req->credential.size != BROKER_SIGNATURE_LEN ||
		    req->nonce.size != BROKER_NONCE_LEN)
			return CAPOS_INVALID_ARGUMENT;
	} else {
		return CAPOS_INVALID_ARGUMENT;
	}
	int i = find_principal(s->policy, req->principal);
	/* The name as the audit log should keep it: a known one as it is, an
	 * unknown one marked (it may be a mistyped passphrase). */
	const char *who = i >= 0 ? req->principal : "unknown";
	struct broker_fail *f = fail_entry(s, i, req->principal, 0);
	uint64_t t = now(s);
	if (t < f->until_ms) {
		char why[64] = "back-off, ";
		cat_u64(why, sizeof(why), f->until_ms - t);
		cat(why, sizeof(why), " ms left");
		record(s, capos_AuditKind_AUDIT_KIND_SESSION_OPEN, who, "login", CAPOS_DENIED, 0,
		       why);
		return CAPOS_DENIED;
	}
	int ok;
	const char *how;
	if (req->credential_kind == capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE) {
		how = "passphrase";
		ok = check_passphrase(s, i, req->credential.bytes, req->credential.size);
	} else {
		how = "signature";
		int fresh = take_nonce(s, req->principal, req->nonce.bytes);
		/* The Verify call is made even for a spent nonce, so the count
		 * of crypto calls says nothing either. */
		ok = check_signature(s, i, req->principal, req->nonce.bytes, req->credential.bytes);
		if (!fresh) {
			ok = 0;
			how = "signature (nonce unknown, spent or expired)";
		}
	}
	if (!ok) {
		f = failed(s, i, req->principal);
		char why[96] = "";
		cat(why, sizeof(why), how);
		cat(why, sizeof(why), i >= 0 ? ": wrong credential" : ": unknown principal");
		cat(why, sizeof(why), ", failure ");
		cat_u64(why, sizeof(why), f->failures);
		record(s, capos_AuditKind_AUDIT_KIND_SESSION_OPEN, who, "login", CAPOS_DENIED, 0,
		       why);
		return CAPOS_DENIED;
	}
	memset(f, 0, sizeof(*f)); /* a success ends the back-off (a principal's own entry) */
	return open(s, principal_kind(s->policy, i), i, resp, caps_out);
}

static const struct authoritybroker_ops broker_ops = {
	.open_anonymous_session = do_open_anonymous,
	.challenge = do_challenge,
	.open_session = do_open_session,
};

/* ---- Session ---------------------------------------------------------------- */

static capos_status_t do_info(void *ctx, struct capos_rpc_request *rq, const capos_Empty *req,
			      capos_SessionInfo *resp)
{
	struct broker_state *s = ctx;
	uint32_t i;
	(void)req;
	struct broker_session *se = session_of(s, rq->badge, &i);
	if (!se)
		return CAPOS_INVALID_CAP;
	fill_info(s, se, resp);
	return CAPOS_OK;
}

static capos_status_t do_request_grant(void *ctx, struct capos_rpc_request *rq,
				       const capos_GrantRequest *req, capos_GrantResult *resp,
				       struct capos_cap_list *caps_out)
{
	struct broker_state *s = ctx;
	uint32_t si;
	struct broker_session *se = session_of(s, rq->badge, &si);
	if (!se)
		return CAPOS_INVALID_CAP;
	if (!req->grant[0])
		return CAPOS_INVALID_ARGUMENT;
	const char *who = principal_name(s, se);
	char detail[200] = "";
	cat(detail, sizeof(detail), req->grant);
	if (req->reason[0]) {
		cat(detail, sizeof(detail), " (");
		cat(detail, sizeof(detail), req->reason);
		cat(detail, sizeof(detail), ")");
	}
	int k = broker_grant_kind(req->grant);
	if (k < 0) {
		cat(detail, sizeof(detail), ": no such grant");
		record(s, capos_AuditKind_AUDIT_KIND_GRANT, who, "grant", CAPOS_NOT_FOUND, se->id,
		       detail);
		return CAPOS_NOT_FOUND;
	}
	const char *why;
	capos_status_t st = broker_policy_allows(s->policy, se->kind, se->principal,
						 (enum broker_grant_kind)k, &why);
	if (st == CAPOS_OK && s->env.grant_cap[k] == CAPOS_NO_CAP) {
		st = CAPOS_UNSUPPORTED;
		why = "this system has nothing to serve it";
	}
	uint32_t gi = 0;
	while (st == CAPOS_OK && gi < BROKER_MAX_GRANTS && s->grants[gi].live)
		gi++;
	if (st == CAPOS_OK && gi == BROKER_MAX_GRANTS) {
		st = CAPOS_LIMIT_EXCEEDED;
		why = "grant table full";
	}
	capos_cap_t cap = CAPOS_NO_CAP;
	struct broker_grant *g = &s->grants[gi < BROKER_MAX_GRANTS ? gi : 0];
	uint16_t gen = (uint16_t)(g->gen + 1u);
	if (st == CAPOS_OK) {
		cap = s->env.mint ? s->env.mint(s->env.ctx, BROKER_BADGE(s->epoch,
						BROKER_BADGE_GRANT, gi, gen))
				  : CAPOS_NO_CAP;
		if (cap == CAPOS_NO_CAP) {
			st = CAPOS_LIMIT_EXCEEDED;
			why = "cannot mint the grant's cap";
		}
	}
	if (st != CAPOS_OK) {
		cat(detail, sizeof(detail), ": ");
		cat(detail, sizeof(detail), why);
		record(s, capos_AuditKind_AUDIT_KIND_GRANT, who, "grant", st, se->id, detail);
		return st;
	}
	*g = (struct broker_grant){ .live = 1, .gen = gen, .session = si,
				    .session_gen = se->gen, .kind = (enum broker_grant_kind)k,
				    .id = ++s->next_grant_id };
	strncpy(resp->grant, req->grant, sizeof(resp->grant) - 1);
	resp->grant_id = g->id;
	resp->interface_id = broker_grant_interfaces[k];
	caps_out->cap[0] = cap;
	caps_out->count = 1;
	caps_out->move = 1;
	cat(detail, sizeof(detail), ", grant ");
	cat_u64(detail, sizeof(detail), g->id);
	record(s, capos_AuditKind_AUDIT_KIND_GRANT, who, "grant", CAPOS_OK, se->id, detail);
	return CAPOS_OK;
}

static capos_status_t do_close(void *ctx, struct capos_rpc_request *rq, const capos_Empty *req,
			       capos_Empty *resp)
{
	struct broker_state *s = ctx;
	uint32_t si;
	(void)req;
	(void)resp;
	struct broker_session *se = session_of(s, rq->badge, &si);
	if (!se)
		return CAPOS_INVALID_CAP;
	uint32_t n = 0;
	for (uint32_t i = 0; i < BROKER_MAX_GRANTS; i++) {
		struct broker_grant *g = &s->grants[i];
		if (g->live && g->session == si && g->session_gen == se->gen) {
			g->live = 0; /* the gen stays: a later grant here gets gen + 1 */
			n++;
		}
	}
	char detail[48] = "";
	cat_u64(detail, sizeof(detail), n);
	cat(detail, sizeof(detail), " grants made stale");
	record(s, capos_AuditKind_AUDIT_KIND_SESSION_CLOSE, principal_name(s, se), "close session",
	       CAPOS_OK, se->id, detail);
	se->live = 0;
	return CAPOS_OK;
}

static const struct session_ops session_ops_ = {
	.info = do_info,
	.request_grant = do_request_grant,
	.close = do_close,
};

/* ---- grants ----------------------------------------------------------------- */

/* The grant being called (set by the router for the shutdown op). */
static struct broker_grant *current_grant;

static capos_status_t do_shutdown(void *ctx, struct capos_rpc_request *rq,
				  const capos_ShutdownRequest *req, capos_Empty *resp)
{
	struct broker_state *s = ctx;
	(void)rq;
	struct broker_grant *g = current_grant;
	const struct broker_session *se = &s->sessions[g->session];
	const char *who = principal_name(s, se);
	char detail[200] = "";
	static const char *const modes[] = { "?", "poweroff", "reboot", "halt" };
	int mode_ok = req->mode >= capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF &&
		      req->mode <= capos_ShutdownMode_SHUTDOWN_MODE_HALT;
	cat(detail, sizeof(detail), mode_ok ? modes[req->mode] : "no mode");
	cat(detail, sizeof(detail), ": ");
	cat(detail, sizeof(detail), req->reason);
	capos_status_t st = CAPOS_OK;
	if (!mode_ok || !req->reason[0])
		st = CAPOS_INVALID_ARGUMENT;
	else if (se->kind == capos_SessionKind_SESSION_KIND_ANONYMOUS || se->principal < 0)
		st = CAPOS_DENIED; /* whatever the policy says */
	/* A shutdown under way (going_down, broker_service.h): answered
	 * here, never forwarded to a server inside init's stop. */
	int under_way = st == CAPOS_OK && s->going_down;
	if (under_way) {
		st = req->mode == s->going_down ? CAPOS_OK : CAPOS_WOULD_BLOCK;
		cat(detail, sizeof(detail), " (a ");
		cat(detail, sizeof(detail), modes[s->going_down]);
		cat(detail, sizeof(detail), " is under way)");
	}
	/* Audited before anything happens. */
	record(s, capos_AuditKind_AUDIT_KIND_SHUTDOWN, who, "shutdown", st, se->id, detail);
	if (st != CAPOS_OK || under_way)
		return st;
	/* ShutdownControl answers before the stop begins (servers/shutdown):
	 * this returns, and the broker is back in its loop for its notice. */
	st = shutdowncontrol_shutdown(s->env.grant_cap[BROKER_GRANT_SHUTDOWN], req, resp);
	if (st == CAPOS_OK)
		s->going_down = req->mode;
	return st;
}

static const struct shutdowncontrol_ops shutdown_ops = { .shutdown = do_shutdown };

/* Any other grant: the call goes to the real server as it came (body and
 * label), if it speaks the grant's interface; its reply comes back as it
 * is. Caps are not forwarded either way (none of these methods takes
 * any; a reply's caps are dropped by the transport). */
static capos_status_t forward(struct broker_state *s, const struct broker_grant *g,
			      struct capos_rpc_request *rq)
{
	static uint8_t body[CAPOS_TRANSPORT_BUFFER_SIZE];
	capos_cap_t to = s->env.grant_cap[g->kind];
	/* A maintenance grant also reads the audit log (Read only: nobody
	 * appends under the broker's name through it; the shell's `audit`). */
	if (g->kind == BROKER_GRANT_MAINTENANCE &&
	    rq->label == CAPOS_RPC_LABEL(AUDITLOG_INTERFACE_ID, AUDITLOG_READ_METHOD_ID))
		to = s->env.audit;
	else if (CAPOS_RPC_INTERFACE(rq->label) != broker_grant_interfaces[g->kind])
		return CAPOS_UNSUPPORTED;
	if (rq->len > sizeof(body))
		return CAPOS_INVALID_ARGUMENT;
	memcpy(body, rq->body, rq->len); /* the body may live in the buffer */
	memcpy(capos_transport_buffer(), body, rq->len);
	uint64_t label;
	uint32_t len;
	capos_status_t st = capos_transport_call(to, rq->label, rq->len, NULL, &label, &len, NULL);
	if (st != CAPOS_OK)
		return st;
	if ((capos_status_t)label == CAPOS_OK) {
		if (len > rq->out_cap)
			return CAPOS_PROTOCOL_ERROR;
		memmove(rq->out, capos_transport_buffer(), len);
		rq->out_len = len;
	}
	return (capos_status_t)label;
}

/* ---- the endpoint ----------------------------------------------------------- */

static capos_status_t route(const void *ops, void *ctx, struct capos_rpc_request *rq)
{
	struct broker_state *s = ctx;
	(void)ops;
	switch (BROKER_BADGE_TYPE(rq->badge)) {
	case BROKER_BADGE_SESSION: {
		struct capos_rpc_service svc = session_service(&session_ops_, s);
		return capos_rpc_service_dispatch(&svc, rq);
	}
	case BROKER_BADGE_GRANT: {
		struct broker_grant *g = grant_of(s, rq->badge);
		if (!g)
			return CAPOS_INVALID_CAP;
		if (g->kind == BROKER_GRANT_SHUTDOWN) {
			struct capos_rpc_service svc = shutdowncontrol_service(&shutdown_ops, s);
			current_grant = g;
			return capos_rpc_service_dispatch(&svc, rq);
		}
		return forward(s, g, rq);
	}
	case 0: {
		struct capos_rpc_service svc = authoritybroker_service(&broker_ops, s);
		return capos_rpc_service_dispatch(&svc, rq);
	}
	default:
		return CAPOS_INVALID_CAP; /* a badge this broker never minted */
	}
}

struct capos_rpc_service broker_endpoint_service(struct broker_state *s)
{
	return (struct capos_rpc_service){ .interface_id = 0x0700, .dispatch = route,
					   .ops = NULL, .ctx = s };
}

void broker_init(struct broker_state *s, const capos_BrokerPolicy *policy,
		 const struct broker_env *env, uint32_t epoch)
{
	memset(s, 0, sizeof(*s));
	s->policy = policy;
	s->env = *env;
	s->epoch = epoch & 0xffffffu;
	if (s->epoch == 0)
		s->epoch = 1;
	for (size_t k = 0; k < BROKER_MAX_PRINCIPALS; k++)
		s->key[k] = CAPOS_NO_CAP;
}

uint32_t broker_import_keys(struct broker_state *s, capos_cap_t vault)
{
	uint32_t n = 0;
	for (pb_size_t i = 0; i < s->policy->principals_count && i < BROKER_MAX_PRINCIPALS; i++) {
		const capos_Principal *p = &s->policy->principals[i];
		if (p->public_key.size == 0)
			continue;
		capos_ImportKeyRequest rq = capos_ImportKeyRequest_init_zero;
		rq.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
		rq.kind = capos_KeyKind_KEY_KIND_PUBLIC;
		memcpy(rq.material.bytes, p->public_key.bytes, p->public_key.size);
		rq.material.size = p->public_key.size;
		strncpy(rq.label, p->name, sizeof(rq.label) - 1);
		capos_KeyInfo info;
		struct capos_cap_list got = { 0 };
		capos_status_t st = vault == CAPOS_NO_CAP ? CAPOS_UNSUPPORTED
							  : keyvault_import(vault, &rq, &info, &got);
		if (st == CAPOS_OK && got.count == 1) {
			s->key[i] = got.cap[0];
			n++;
			continue;
		}
		if (s->env.log) {
			char line[96] = "no public key for ";
			cat(line, sizeof(line), p->name);
			cat(line, sizeof(line), " (crypto: status ");
			cat_u64(line, sizeof(line), (uint64_t)st);
			cat(line, sizeof(line), "): its logins fail");
			s->env.log(s->env.ctx, capos_LogLevel_LOG_LEVEL_WARNING, line);
		}
	}
	return n;
}
