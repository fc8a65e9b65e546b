/*
 * cap_snapshot.c - ProcessControl.CAP_LIST: a read-only listing of another
 * process's capability table (the debug server's snapshots, through init:
 * docs/servers/debug.md).
 *
 * Invariants:
 *  - needs the ProcessControl singleton (init alone holds it) and CONTROL
 *    on the Process cap naming the target: exactly who could already
 *    rearrange that table, so nothing new is revealed to anyone else;
 *  - changes nothing: no cap is created, copied or referenced; the answer
 *    is data in the caller's IPC buffer, the same entries as
 *    CapabilityManager.LIST gives the target about itself;
 *  - a torn-down target lists as an empty table.
 */
#include <stddef.h>

#include "object/captable.h"
#include "object/endpoint.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

capos_status_t pctl_cap_list(struct thread *t, struct cap *c, void *args);

capos_status_t pctl_cap_list(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_pctl_cap_list *a = args;
	struct cap *pc;
	if (a->reserved)
		return CAPOS_INVALID_ARGUMENT;
	capos_status_t st = ct_lookup_typed(&t->proc->ct, a->process, CAPOS_CAP_PROCESS,
					    CAPOS_RIGHT_CONTROL, &pc);
	if (st != CAPOS_OK)
		return st;
	struct captable *ct = &((struct process *)pc->obj)->ct;
	struct capos_capmgr_list_result *r = (void *)t->ipc->body;
	uint32_t max = a->max < CAPOS_CAPMGR_LIST_MAX ? a->max : CAPOS_CAPMGR_LIST_MAX;
	uint32_t n = 0, s = a->first;
	for (; s < ct->size && n < max; s++) {
		struct cap *e = ct_lookup(ct, s);
		if (!e)
			continue;
		r->entries[n].slot = s;
		r->entries[n].type = e->type;
		r->entries[n].rights = e->rights;
		r->entries[n].badge = e->badge;
		r->entries[n].interface_id = e->type == CAPOS_CAP_ENDPOINT ?
			((struct endpoint *)e->obj)->interface_id : 0;
		n++;
	}
	r->count = n;
	r->next = s;
	r->table_size = ct->size;
	r->used = ct->used;
	t->ipc->len = (uint32_t)(offsetof(struct capos_capmgr_list_result, entries) +
				 n * sizeof(struct capos_cap_info));
	return CAPOS_OK;
}
