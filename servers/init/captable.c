/*
 * captable.c - ProcessControl.CapTable: a read-only snapshot of a
 * component's capability table, for the debug server alone.
 *
 * Only init holds the components' Process caps with CONTROL, so only init
 * can make a CapabilityManager for another process's table; it makes one
 * for the length of one LIST and deletes it at once. What leaves is data
 * (slot, type, rights, badge, interface id, local name): no cap travels,
 * and the caller's own table is unchanged. The right to ask is the
 * PROCESS_CONTROL grant of a component running the `debug` binary (as the
 * `policy` param goes to the `broker` binary only, build.c); anyone else
 * gets DENIED. Components only: spawned children answer NOT_FOUND.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>

#include "init.h"

/* The local name the spawn plan gave `slot` (build.c's plan(): served
 * endpoints, then grants in order - an IRQ grant takes two slots, name and
 * name_ack - then death watches, then `ready`). */
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
}

capos_status_t init_cap_table(void *ctx, struct capos_rpc_request *rq,
			      const capos_CapTableRequest *req, capos_CapList *resp)
{
	(void)ctx;
	if (INIT_BADGE_KIND(rq->badge) != INIT_BADGE_CONTROL ||
	    INIT_BADGE_INDEX(rq->badge) >= g_init.n ||
	    strcmp(g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->binary, "debug") != 0)
		return CAPOS_DENIED;
	uint32_t i = g_init.n;
	const capos_ProcessRef *ref = &req->target;
	if (ref->handle)
		i = ref->handle <= g_init.n ? (uint32_t)ref->handle - 1u : g_init.n;
	else
		for (i = 0; i < g_init.n; i++)
			if (!strcmp(g_init.comp[i].m->name, ref->name))
				break;
	if (i >= g_init.n || !g_init.comp[i].alive)
		return CAPOS_NOT_FOUND;
	const struct init_component *c = &g_init.comp[i];
	uint32_t mgr;
	capos_status_t st = capos_make_cap_manager(c->proc, &mgr);
	if (st != CAPOS_OK)
		return st;
	static struct capos_capmgr_list_result r; /* 2 KiB: not on the stack */
	uint32_t max = sizeof(resp->entries) / sizeof(resp->entries[0]);
	if (req->max && req->max < max)
		max = req->max;
	st = capos_cap_list(mgr, req->first, max, &r);
	capos_cap_delete(g_init.capmgr, mgr);
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
