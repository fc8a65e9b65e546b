/*
 * audit_queue.c - init's audit records and the queue that keeps them while
 * the audit server is down (audit_queue.h).
 *
 * Invariants:
 *  - records leave in the order they were submitted: a new record is sent
 *    directly only when nothing is queued (the queue is flushed first);
 *  - a record is removed from the queue only once the log answered it
 *    (OK, or an error that is the log's own: retrying would not help);
 *  - every dropped record is counted in `lost` until a "records lost"
 *    record carrying the count has been appended after the queued ones.
 */
#include <stddef.h>
#include <string.h>

#include "audit_queue.h"

/* Bounded copy, always NUL-terminated (n > 0). */
static void cpy(char *dst, size_t n, const char *src)
{
	size_t k = 0;
	for (; src && src[k] && k + 1 < n; k++)
		dst[k] = src[k];
	dst[k] = '\0';
}

/* Appends the decimal of v to dst (size n). */
static void cat_u64(char *dst, size_t n, uint64_t v)
{
	char tmp[24];
	size_t k = 0, len = strlen(dst);
	do {
		tmp[k++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (k && len + 1 < n)
		dst[len++] = tmp[--k];
	dst[len] = '\0';
}

static void cat(char *dst, size_t n, const char *s)
{
	size_t len = strlen(dst);
	cpy(dst + len, n - len, s);
}

void init_audit_queue_init(struct init_audit_queue *q, capos_cap_t cap)
{
	memset(q, 0, sizeof(*q));
	q->cap = cap;
}

/* One Append. DISCONNECTED (or no cap) means "not now": keep it. */
static capos_status_t send_one(struct init_audit_queue *q, const capos_AuditRecord *r)
{
	if (q->cap == CAPOS_NO_CAP)
		return CAPOS_DISCONNECTED;
	capos_AuditAppendResult res;
	capos_status_t st = auditlog_append(q->cap, r, &res);
	if (st == CAPOS_DISCONNECTED)
		return st;
	if (st == CAPOS_OK)
		q->appended++;
	else
		q->refused++; /* the log's own answer (full: it counts it too) */
	return CAPOS_OK;
}

capos_status_t init_audit_flush(struct init_audit_queue *q)
{
	while (q->count) {
		capos_status_t st = send_one(q, &q->rec[q->head]);
		if (st != CAPOS_OK)
			return st;
		q->head = (q->head + 1u) % INIT_AUDIT_QUEUE_MAX;
		q->count--;
	}
	if (q->lost) {
		capos_AuditRecord r;
		char detail[sizeof(r.detail)];
		detail[0] = '\0';
		cat_u64(detail, sizeof(detail), q->lost);
		cat(detail, sizeof(detail), " records dropped while the audit log was down (queue of ");
		cat_u64(detail, sizeof(detail), INIT_AUDIT_QUEUE_MAX);
		cat(detail, sizeof(detail), "), ");
		cat_u64(detail, sizeof(detail), q->lost_total);
		cat(detail, sizeof(detail), " since boot");
		init_audit_event(capos_AuditKind_AUDIT_KIND_OTHER, "audit records lost",
				 CAPOS_LIMIT_EXCEEDED, detail, &r);
		capos_status_t st = send_one(q, &r);
		if (st != CAPOS_OK)
			return st;
		q->lost = 0;
	}
	return CAPOS_OK;
}

capos_status_t init_audit_submit(struct init_audit_queue *q, const capos_AuditRecord *r)
{
	capos_status_t st = init_audit_flush(q);
	if (st == CAPOS_OK) {
		st = send_one(q, r);
		if (st == CAPOS_OK)
			return CAPOS_OK;
	}
	if (q->count == INIT_AUDIT_QUEUE_MAX) {
		q->lost++;
		q->lost_total++;
		return CAPOS_LIMIT_EXCEEDED;
	}
	q->rec[(q->head + q->count) % INIT_AUDIT_QUEUE_MAX] = *r;
	q->count++;
	return st;
}

static capos_DeathCause cause_of(uint32_t cause)
{
	switch (cause) {
	case CAPOS_DEATH_EXIT:
		return capos_DeathCause_DEATH_CAUSE_EXIT;
	case CAPOS_DEATH_FAULT:
		return capos_DeathCause_DEATH_CAUSE_FAULT;
	case CAPOS_DEATH_KILLED:
		return capos_DeathCause_DEATH_CAUSE_KILLED;
	default:
		return capos_DeathCause_DEATH_CAUSE_UNSPECIFIED;
	}
}

void init_audit_crash_record(const char *component, const struct capos_crash_record *r,
			     uint32_t restarts, capos_AuditRecord *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = capos_AuditKind_AUDIT_KIND_CRASH;
	out->outcome = capos_Status_STATUS_OK;
	cpy(out->action, sizeof(out->action), "died ");
	cat(out->action, sizeof(out->action), component);
	cpy(out->detail, sizeof(out->detail), "restarts ");
	cat_u64(out->detail, sizeof(out->detail), restarts);
	out->has_crash = true;
	/* Field by field from what the kernel sent: only what the record
	 * may show (docs/init.md, redaction). */
	cpy(out->crash.name, sizeof(out->crash.name), component);
	out->crash.pid = r->pid;
	out->crash.cause = cause_of(r->cause);
	if (r->cause == CAPOS_DEATH_FAULT) {
		out->crash.vector = r->vector;
		out->crash.fault_addr = r->fault_addr;
		out->crash.rip = r->rip;
	} else if (r->cause == CAPOS_DEATH_EXIT) {
		out->crash.exit_code = r->exit_code;
	}
}

void init_audit_event(capos_AuditKind kind, const char *action, capos_status_t outcome,
		      const char *detail, capos_AuditRecord *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->outcome = (capos_Status)outcome;
	cpy(out->action, sizeof(out->action), action);
	cpy(out->detail, sizeof(out->detail), detail);
}
