/*
 * audited.c - init's side of the audit log (docs/init.md, "What is
 * audited"): the AuditLog server is found by its interface in the
 * manifest, init calls it through its own cap badged INIT_AUDIT_BADGE
 * (named "init" in the audit server's badge table, build.c), and every
 * record goes through the bounded queue of audit_queue.c, which holds
 * records while that server is down and sends them, in order, once it is
 * back.
 *
 * Init calls the audit server synchronously; the audit server calls
 * nothing that calls init (the clock, the log), so this cannot deadlock.
 * While the audit component is not running, init does not call at all.
 */
#include <stdarg.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>

#include "audit_queue.h"
#include "init.h"

static struct init_audit_queue queue;
static uint32_t audit_comp = INIT_MAX_COMPONENTS; /* index of the audit server; n: none */
static uint32_t audit_ep_index;

static void connect(void)
{
	const struct init_component *c = &g_init.comp[audit_comp];
	capos_cap_delete(g_init.capmgr, INIT_AUDIT_SLOT);
	queue.cap = CAPOS_NO_CAP;
	if (!c->alive)
		return;
	if (capos_cap_mint(g_init.capmgr, c->serve_ep[audit_ep_index], INIT_AUDIT_SLOT,
			   CAPOS_RIGHT_SEND, 1, INIT_AUDIT_BADGE) == CAPOS_OK)
		queue.cap = INIT_AUDIT_SLOT;
}

void init_audit_setup(void)
{
	init_audit_queue_init(&queue, CAPOS_NO_CAP);
	for (uint32_t i = 0; i < g_init.n; i++)
		for (pb_size_t j = 0; j < g_init.comp[i].m->serves_count; j++)
			if (g_init.comp[i].m->serves[j].interface_id == AUDITLOG_INTERFACE_ID &&
			    audit_comp == INIT_MAX_COMPONENTS) {
				audit_comp = i;
				audit_ep_index = j;
			}
	if (audit_comp != INIT_MAX_COMPONENTS)
		connect();
}

int init_is_audit_server(uint32_t i)
{
	return i == audit_comp;
}

void init_audit_changed(uint32_t i)
{
	if (i != audit_comp)
		return;
	connect();
	if (queue.cap != CAPOS_NO_CAP && (queue.count || queue.lost)) {
		uint32_t n = queue.count;
		uint64_t lost = queue.lost;
		init_audit_flush(&queue);
		capos_printf("init: %u queued audit records sent (%lu dropped)\n",
			     (unsigned)(n - queue.count), (unsigned long)lost);
	}
}

static void submit(const capos_AuditRecord *r)
{
	if (audit_comp == INIT_MAX_COMPONENTS)
		return; /* no audit log in this manifest */
	if (init_audit_submit(&queue, r) == CAPOS_DISCONNECTED && queue.cap != CAPOS_NO_CAP)
		queue.cap = CAPOS_NO_CAP; /* died under us: its crash record follows */
}

void init_audit_submit_record(const capos_AuditRecord *r)
{
	submit(r);
}

void init_audit_crash(uint32_t i, const struct capos_crash_record *r)
{
	capos_AuditRecord rec;
	if (i == audit_comp)
		queue.cap = CAPOS_NO_CAP; /* its endpoint is dead until the restart */
	init_audit_crash_record(g_init.comp[i].m->name, r, g_init.comp[i].restarts, &rec);
	submit(&rec);
}

void init_audit(capos_AuditKind kind, capos_status_t outcome, const char *action,
		const char *fmt, ...)
{
	capos_AuditRecord rec;
	char detail[sizeof(rec.detail)];
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	init_audit_event(kind, action, outcome, detail, &rec);
	submit(&rec);
}

uint64_t init_audit_appended(void)
{
	return queue.appended;
}
