/*
 * captable.c - the two ProcessControl methods init answers for the debug
 * server alone: CapTable, a read-only snapshot of a component's capability
 * table, and InjectFault, a real CPU fault in a component.
 *
 * Only init holds the components' Process caps with CONTROL and the
 * ProcessControl singleton the kernel's CAP_LIST needs
 * (kern/object/cap_snapshot.c). What leaves is data
 * (slot, type, rights, badge, interface id, local name): no cap travels,
 * and the caller's own table is unchanged. The right to ask is the
 * PROCESS_CONTROL grant of a component running the `debug` binary (as the
 * `policy` param goes to the `broker` binary only, build.c); anyone else
 * gets DENIED. Components only: spawned children answer NOT_FOUND.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/stop.h>

#include "init.h"

/* The local name the spawn plan gave `slot` (build.c's plan(): served
 * endpoints, then grants in order - an IRQ grant takes two slots, name and
 * name_ack - then death watches, then `ready`, init's doorbell and `stop`). */
static void local_name(const capos_Component *m, uint32_t slot, char *out, size_t n)
{
	uint32_t k = 0;
	out[0] = '\0';
	for (pb_size_t j = 0; j < m->serves_count; j++, k++)
		if (k == slot) {
			strlcpy(out, m->serves[j].name, n);
			return;
		}
	for (pb_size_t j = 0; j < m->caps_count; j++, k++) {
		const capos_Grant *g = &m->caps[j];
		if (k == slot) {
			strlcpy(out, g->name, n);
			return;
		}
		if (!g->endpoint[0] && g->kernel == capos_KernelResource_KERNEL_RESOURCE_IRQ &&
		    ++k == slot) {
			capos_snprintf(out, n, "%s_ack", g->name);
			return;
		}
	}
	for (pb_size_t j = 0; j < m->watches_count; j++, k++)
		if (k == slot) {
			strlcpy(out, m->watches[j].name, n);
			return;
		}
	if (k == slot)
		strlcpy(out, "ready", n);
	else if (k + 1 == slot)
		strlcpy(out, INIT_BELL_NAME, n);
	else if (k + 2 == slot)
		strlcpy(out, CAPOS_STOP_NAME, n);
}

/* The caller is the debug server: a PROCESS_CONTROL grant of a component
 * running the `debug` binary. */
static int from_debug_server(const struct capos_rpc_request *rq)
{
	return INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CONTROL &&
	       INIT_BADGE_INDEX(rq->badge) < g_init.n &&
	       strcmp(g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->binary, "debug") == 0;
}

/* A running component by handle or name; g_init.n if none. */
static uint32_t running(const capos_ProcessRef *ref)
{
	uint32_t i;
	if (ref->handle)
		i = ref->handle <= g_init.n ? (uint32_t)ref->handle - 1u : g_init.n;
	else
		for (i = 0; i < g_init.n; i++)
			if (!strcmp(g_init.comp[i].m->name, ref->name))
				break;
	return i < g_init.n && g_init.comp[i].alive ? i : g_init.n;
}

/* Where the faulting thread's IPC buffer goes: a page far from anything
 * the runtime maps (heap, thread area, the first thread's pages). */
#define FAULT_IPC_VA 0x00006f0000000000ull

capos_status_t init_inject_fault(void *ctx, struct capos_rpc_request *rq,
				 const capos_ProcessRef *req, capos_Empty *resp)
{
	(void)ctx;
	(void)resp;
	if (!from_debug_server(rq))
		return CAPOS_DENIED;
	uint32_t i = running(req);
	if (i >= g_init.n)
		return CAPOS_NOT_FOUND;
	const struct init_component *c = &g_init.comp[i];
	/* A thread of the target that starts at address 0: the instruction
	 * fetch page-faults at once, and a fault kills the whole process, as
	 * any of its own would. It needs one thread of its profile's room. */
	struct capos_thread_create tc = {
		.entry = 0, .stack = 0, .ipc_buffer = FAULT_IPC_VA, .tls_base = 0, .arg = 0,
		.priority = c->m->priority, .time_slice_us = 0,
	};
	uint32_t th = CAPOS_NO_CAP;
	capos_status_t st = capos_thread_create(c->proc, &tc, &th);
	if (st == CAPOS_OK)
		st = capos_thread_start(th);
	capos_printf("init: fault injected into %s (pid %u) for %s: status %ld\n", c->m->name,
		     (unsigned)c->pid, g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->name, (long)st);
	init_audit(capos_AuditKind_AUDIT_KIND_POLICY, st, "fault injection", "%s pid %u",
		   c->m->name, (unsigned)c->pid);
	if (th != CAPOS_NO_CAP)
		capos_cap_delete(g_init.capmgr, th);
	return st;
}

capos_status_t init_cap_table(void *ctx, struct capos_rpc_request *rq,
			      const capos_CapTableRequest *req, capos_CapList *resp)
{
	(void)ctx;
	if (!from_debug_server(rq))
		return CAPOS_DENIED;
	uint32_t i = running(&req->target);
	if (i >= g_init.n)
		return CAPOS_NOT_FOUND;
	const struct init_component *c = &g_init.comp[i];
	static struct capos_capmgr_list_result r; /* 2 KiB: not on the stack */
	uint32_t max = sizeof(resp->entries) / sizeof(resp->entries[0]);
	if (req->max && req->max < max)
		max = req->max;
	capos_status_t st = capos_pctl_cap_list(g_init.pctl, c->proc, req->first, max, &r);
	if (st != CAPOS_OK)
		return st;
	memset(resp, 0, sizeof(*resp));
	for (uint32_t k = 0; k < r.count && k < max; k++) {
		capos_CapInfo *e = &resp->entries[resp->entries_count++];
		e->slot = r.entries[k].slot;
		e->type = (capos_CapType)r.entries[k].type;
		e->rights = r.entries[k].rights;
		e->badge = r.entries[k].badge;
		e->interface_id = r.entries[k].interface_id;
		local_name(c->m, e->slot, e->name, sizeof(e->name));
	}
	resp->next = r.next;
	resp->table_size = r.table_size;
	resp->used = r.used;
	return CAPOS_OK;
}
