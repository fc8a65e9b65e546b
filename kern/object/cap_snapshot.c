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
	t->ipc->len = ct_list(ct, a->first, a->max, (void *)t->ipc->body);
	return CAPOS_OK;
}
