/*
 * capmgr.c - the CapabilityManager: a cap naming a process (the object is
 * the struct process) through which that process lists and rearranges its
 * own capability table. The table operations themselves are captable.c's;
 * the endpoint methods reached through the manager (death watches, arrival
 * notification) are endpoint.c's, and SAVE_REPLY is IPC (endpoint.c).
 *
 * Invariants:
 *  - a manager answers only on its own process's table: invoked by a
 *    thread of any other process, every method is DENIED, so a manager
 *    installed into a child works there and nowhere else;
 *  - LIST needs READ and changes nothing; every other method (and an
 *    unknown label) needs WRITE;
 *  - a method either fully succeeds or leaves the table as it was
 *    (captable.c's rule).
 */
#include <stddef.h>

#include "object/captable.h"
#include "object/endpoint.h"
#include "object/method.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

static capos_status_t capmgr_state(struct thread *t, struct cap *c)
{
	if (c->obj != &t->proc->obj)
		return CAPOS_DENIED; /* a manager works on its holder's own table */
	return CAPOS_OK;
}

static capos_status_t capmgr_list(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_capmgr_list *a = args;
	struct captable *ct = &t->proc->ct;
	t->ipc->len = ct_list(ct, a->first, a->max, (void *)t->ipc->body);
	return CAPOS_OK;
}

static capos_status_t capmgr_copy(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_capmgr_slots *a = args;
	return ct_copy(&t->proc->ct, a->src, a->dst);
}

static capos_status_t capmgr_mint(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_capmgr_mint *a = args;
	struct captable *ct = &t->proc->ct;
	return ct_mint(ct, a->src, ct, a->dst, a->rights, a->set_badge != 0, a->badge);
}

static capos_status_t capmgr_move(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_capmgr_slots *a = args;
	return ct_move(&t->proc->ct, a->src, &t->proc->ct, a->dst);
}

static capos_status_t capmgr_delete(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_capmgr_slots *a = args;
	return ct_delete(&t->proc->ct, a->src);
}

static capos_status_t capmgr_save_reply(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_capmgr_slots *a = args;
	return ipc_save_reply(t, a->dst);
}

#define R CAPOS_RIGHT_READ
#define W CAPOS_RIGHT_WRITE

static const struct kmethod methods[] = {
	[CAPOS_CAPMGR_LIST] = { capmgr_list, KM_ARGS(struct capos_capmgr_list), R, 0 },
	[CAPOS_CAPMGR_COPY] = { capmgr_copy, KM_ARGS(struct capos_capmgr_slots), W, 0 },
	[CAPOS_CAPMGR_MINT] = { capmgr_mint, KM_ARGS(struct capos_capmgr_mint), W, 0 },
	[CAPOS_CAPMGR_MOVE] = { capmgr_move, KM_ARGS(struct capos_capmgr_slots), W, 0 },
	[CAPOS_CAPMGR_DELETE] = { capmgr_delete, KM_ARGS(struct capos_capmgr_slots), W, 0 },
	[CAPOS_CAPMGR_SAVE_REPLY] = { capmgr_save_reply, KM_ARGS(struct capos_capmgr_slots),
				      W, 0 },
	[CAPOS_CAPMGR_WATCH_DEATH] = { endpoint_m_watch_death,
				       KM_ARGS(struct capos_endpoint_watch), W, 0 },
	[CAPOS_CAPMGR_UNWATCH_DEATH] = { endpoint_m_unwatch_death,
					 KM_ARGS(struct capos_endpoint_watch), W, 0 },
	[CAPOS_CAPMGR_NOTIFY_ARRIVAL] = { endpoint_m_notify_arrival,
					  KM_ARGS(struct capos_endpoint_watch), W, 0 },
};

const struct kmethod_table capmgr_methods = KMETHOD_TABLE(methods, W, capmgr_state);
