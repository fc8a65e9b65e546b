/*
 * process_control.c - ProcessControl: one kernel singleton, held by init,
 * that moves an endpoint's serving side to another process (live upgrade,
 * restart; docs/recovery.md). The move itself is endpoint.c's; CAP_LIST,
 * another process's table read-only, is cap_snapshot.c's.
 *
 * Invariants:
 *  - RETARGET needs no right on the ProcessControl cap, but RECV on the
 *    endpoint (only who may serve it may move its serving side) and
 *    CONTROL on the Process cap of the new server;
 *  - both caps are looked up before either's type or rights count
 *    (ct_first_error): INVALID_CAP, then WRONG_TYPE, then DENIED.
 */
#include <stddef.h>

#include "object/endpoint.h"
#include "object/method.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

struct kobj process_control_obj = { .type = CAPOS_CAP_PROCESS_CONTROL, .refs = 1 };

static capos_status_t m_retarget(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_retarget *a = args;
	struct cap *e, *pc;
	capos_status_t st = ct_first_error(
		ct_lookup_typed(&t->proc->ct, a->endpoint, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_RECV,
				&e),
		ct_lookup_typed(&t->proc->ct, a->process, CAPOS_CAP_PROCESS, CAPOS_RIGHT_CONTROL,
				&pc));
	if (st != CAPOS_OK)
		return st;
	return endpoint_retarget((struct endpoint *)e->obj, (struct process *)pc->obj);
}

capos_status_t pctl_cap_list(struct thread *t, struct cap *c, void *args); /* cap_snapshot.c */

static const struct kmethod methods[] = {
	[CAPOS_PCTL_RETARGET] = { m_retarget, KM_ARGS(struct capos_retarget), 0, 0 },
	[CAPOS_PCTL_CAP_LIST] = { pctl_cap_list, KM_ARGS(struct capos_pctl_cap_list), 0, 0 },
};

const struct kmethod_table process_control_methods = KMETHOD_TABLE(methods, 0, NULL);
