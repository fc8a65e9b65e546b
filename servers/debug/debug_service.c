/*
 * debug_service.c - DebugSession (debug_service.h has the rules and the
 * invariants).
 */
#include <string.h>

#include "audit.capos.h"
#include "debug_service.h"

static void cpy(char *dst, size_t n, const char *src)
{
	size_t k = 0;
	for (; src && src[k] && k + 1 < n; k++)
		dst[k] = src[k];
	dst[k] = '\0';
}

static void cat(char *dst, size_t n, const char *src)
{
	size_t l = strlen(dst);
	cpy(dst + l, n - l, src);
}

static void cat_u64(char *dst, size_t n, uint64_t v)
{
	char tmp[24], out[24];
	size_t k = 0, i = 0;
	do {
		tmp[k++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (k)
		out[i++] = tmp[--k];
	out[i] = '\0';
	cat(dst, n, out);
}

void debug_init(struct debug_state *s, const struct debug_env *env)
{
	memset(s, 0, sizeof(*s));
	s->env = *env;
	s->next_attach_id = 1;
}

static void audit(struct debug_state *s, capos_AuditKind kind, capos_status_t outcome,
		  const char *principal, const char *verb, uint32_t pid, uint64_t attach_id,
		  const char *why)
{
	if (s->env.audit == CAPOS_NO_CAP)
		return;
	capos_AuditRecord r;
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.outcome = (capos_Status)outcome;
	cpy(r.principal, sizeof(r.principal), principal);
	cpy(r.action, sizeof(r.action), verb);
	cat(r.action, sizeof(r.action), " pid ");
	cat_u64(r.action, sizeof(r.action), pid);
	cpy(r.detail, sizeof(r.detail), "attach id ");
	cat_u64(r.detail, sizeof(r.detail), attach_id);
	cat(r.detail, sizeof(r.detail), ": ");
	cat(r.detail, sizeof(r.detail), why);
	capos_AuditAppendResult res;
	(void)auditlog_append(s->env.audit, &r, &res); /* a full log counts it itself */
}

static struct debug_attachment *find(struct debug_state *s, uint64_t badge)
{
	for (uint32_t k = 0; k < DEBUG_MAX_CLIENTS; k++)
		if (s->at[k].used && s->at[k].badge == badge)
			return &s->at[k];
	return NULL;
}

static void detach(struct debug_state *s, struct debug_attachment *a, const char *why)
{
	audit(s, capos_AuditKind_AUDIT_KIND_DEBUG_DETACH, CAPOS_OK, a->principal, "detach",
	      a->pid, a->attach_id, why);
	s->detaches++;
	memset(a, 0, sizeof(*a));
}

static capos_status_t do_attach(void *ctx, struct capos_rpc_request *rq,
				const capos_DebugAttachRequest *req,
				struct capos_cap_list *caps_in, capos_DebugAttachResult *resp)
{
	struct debug_state *s = ctx;
	const char *principal = "unknown";
	const char *why = "no authority offered";
	capos_status_t st = CAPOS_DENIED;

	/* The target, as init knows it now. */
	capos_ProcessStatus ps;
	memset(&ps, 0, sizeof(ps));
	capos_status_t tst = processcontrol_status(s->env.procs, &req->target, &ps);
	if (tst == CAPOS_OK && ps.state != capos_ProcessState_PROCESS_STATE_ALIVE)
		tst = CAPOS_NOT_FOUND;

	capos_cap_t offered = caps_in && caps_in->count ? caps_in->cap[0] : CAPOS_NO_CAP;
	switch (req->authority) {
	case capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT: {
		principal = "owner";
		uint32_t rights = 0, pid = 0;
		capos_status_t cst = offered == CAPOS_NO_CAP
					     ? CAPOS_INVALID_CAP
					     : s->env.process_cap(s->env.ctx, offered, &rights, &pid);
		if (cst != CAPOS_OK)
			why = "owner consent needs a Process cap of the target";
		else if (!(rights & CAPOS_RIGHT_CONTROL))
			why = "the Process cap lacks CONTROL";
		else if (tst == CAPOS_OK && pid != ps.pid)
			why = "the Process cap is of another process";
		else
			st = CAPOS_OK;
		break;
	}
	case capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT:
		principal = "maintenance";
		if (s->env.broker_badge && rq->badge == s->env.broker_badge)
			st = CAPOS_OK;
		else
			why = "not through a maintenance grant of the broker";
		break;
	default:
		why = "no authority named";
		break;
	}
	if (st == CAPOS_OK && tst != CAPOS_OK) {
		st = tst; /* the right was there, the target is not */
		why = "no such running process";
	}
	if (st != CAPOS_OK) {
		s->refusals++;
		char detail[96];
		cpy(detail, sizeof(detail), why);
		if (req->reason[0]) {
			cat(detail, sizeof(detail), "; reason: ");
			cat(detail, sizeof(detail), req->reason);
		}
		audit(s, capos_AuditKind_AUDIT_KIND_DEBUG_ATTACH, st, principal, "attach refused",
		      ps.pid, 0, detail);
		return st;
	}

	struct debug_attachment *a = find(s, rq->badge);
	if (a)
		detach(s, a, "replaced by a new attach");
	for (uint32_t k = 0; !a && k < DEBUG_MAX_CLIENTS; k++)
		if (!s->at[k].used)
			a = &s->at[k];
	if (!a) {
		s->refusals++;
		audit(s, capos_AuditKind_AUDIT_KIND_DEBUG_ATTACH, CAPOS_LIMIT_EXCEEDED, principal,
		      "attach refused", ps.pid, 0, "too many attachments");
		return CAPOS_LIMIT_EXCEEDED;
	}
	a->used = 1;
	a->badge = rq->badge;
	a->handle = ps.handle;
	a->pid = ps.pid;
	cpy(a->name, sizeof(a->name), ps.name);
	cpy(a->principal, sizeof(a->principal), principal);
	a->attach_id = s->next_attach_id++;
	s->attaches++;
	char detail[96];
	cpy(detail, sizeof(detail), "reason: ");
	cat(detail, sizeof(detail), req->reason[0] ? req->reason : "(none given)");
	audit(s, capos_AuditKind_AUDIT_KIND_DEBUG_ATTACH, CAPOS_OK, principal, "attach", a->pid,
	      a->attach_id, detail);
	resp->pid = a->pid;
	cpy(resp->name, sizeof(resp->name), a->name);
	resp->attach_id = a->attach_id;
	/* The offered cap is not kept: the framework deletes it now. */
	return CAPOS_OK;
}

/* The attachment's process as it is now: DISCONNECTED once another
 * instance (or nothing) runs under its handle. */
static capos_status_t current(struct debug_state *s, const struct debug_attachment *a,
			      capos_ProcessStatus *ps)
{
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	ref.handle = a->handle;
	capos_status_t st = processcontrol_status(s->env.procs, &ref, ps);
	if (st == CAPOS_NOT_FOUND || (st == CAPOS_OK && ps->pid != a->pid))
		return CAPOS_DISCONNECTED;
	return st;
}

static capos_status_t do_cap_table(void *ctx, struct capos_rpc_request *rq,
				   const capos_CapListRequest *req, capos_CapList *resp)
{
	struct debug_state *s = ctx;
	struct debug_attachment *a = find(s, rq->badge);
	if (!a)
		return CAPOS_INVALID_ARGUMENT; /* attach first */
	capos_ProcessStatus ps;
	capos_status_t st = current(s, a, &ps);
	if (st != CAPOS_OK)
		return st;
	capos_CapTableRequest q = capos_CapTableRequest_init_zero;
	q.has_target = true;
	q.target.handle = a->handle;
	q.first = req->first;
	q.max = req->max;
	return processcontrol_cap_table(s->env.procs, &q, resp);
}

static capos_status_t do_status(void *ctx, struct capos_rpc_request *rq, const capos_Empty *req,
				capos_ProcessStatus *resp)
{
	struct debug_state *s = ctx;
	(void)req;
	struct debug_attachment *a = find(s, rq->badge);
	if (!a)
		return CAPOS_INVALID_ARGUMENT;
	return current(s, a, resp);
}

static capos_status_t do_detach(void *ctx, struct capos_rpc_request *rq, const capos_Empty *req,
				capos_Empty *resp)
{
	struct debug_state *s = ctx;
	(void)req;
	(void)resp;
	struct debug_attachment *a = find(s, rq->badge);
	if (a)
		detach(s, a, "detached by the client");
	return CAPOS_OK;
}

static capos_status_t do_inject_fault(void *ctx, struct capos_rpc_request *rq,
				      const capos_Empty *req, capos_Empty *resp)
{
	struct debug_state *s = ctx;
	(void)req;
	(void)resp;
	struct debug_attachment *a = find(s, rq->badge);
	if (!a)
		return CAPOS_INVALID_ARGUMENT;
	capos_ProcessStatus ps;
	capos_status_t st = current(s, a, &ps);
	if (st == CAPOS_OK) {
		capos_ProcessRef ref = capos_ProcessRef_init_zero;
		ref.handle = a->handle;
		st = processcontrol_inject_fault(s->env.procs, &ref, resp);
	}
	audit(s, capos_AuditKind_AUDIT_KIND_POLICY, st, a->principal, "inject fault", a->pid,
	      a->attach_id, st == CAPOS_OK ? "the target takes a page fault" : "not injected");
	if (st == CAPOS_OK)
		s->faults++;
	return st;
}

const struct debugsession_ops debug_service_ops = {
	.inject_fault = do_inject_fault,
	.attach = do_attach,
	.cap_table = do_cap_table,
	.status = do_status,
	.detach = do_detach,
};
