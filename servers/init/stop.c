/*
 * stop.c - ProcessControl.Stop (idl/process.proto): the orderly stop
 * before a power-off, asked by the shutdown server (servers/shutdown);
 * docs/init.md, "Orderly stop".
 *
 * Only a manifest component's PROCESS_CONTROL grant with CONTROL may ask
 * (a Spawn's scoped cap may not: it names one child, not the system).
 * Every spawned child goes first (killed: children get no notice), then
 * every component but the caller in reverse start order (a client before
 * the servers it depends on). Each is told - CAPOS_STOP_BIT on its own
 * `stop`, and on the notifications init made for it in case it bound one
 * of those instead (capos/stop.h) - and init waits at most grace_ms for
 * its acknowledgement or its end (stop_seq.c), then kills it. One line
 * says it was told, one how it ended, so the transcript shows the order
 * and the outcome. A stopped component is marked dead for good before it
 * is told, so the supervisor never restarts it (supervise.c ignores a
 * record of an instance that is no longer `alive`). The caller survives
 * to power off.
 *
 * While init waits, it serves nothing: calls to init (a stop hook asking
 * init something) wait too, and the bound is what ends that.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>

#include "init.h"
#include "process.capos.h"
#include "stop_seq.h"

#define STOP_GRACE_DEFAULT_MS 100u
#define STOP_GRACE_MAX_MS 10000u /* a caller cannot keep init away for longer */

void init_stop_drop(uint32_t stop, const uint32_t *nudge, uint32_t n)
{
	if (stop != CAPOS_NO_CAP)
		capos_cap_delete(g_init.capmgr, stop);
	for (uint32_t k = 0; k < n; k++)
		capos_cap_delete(g_init.capmgr, nudge[k]);
}

void init_stop_adopt(uint32_t i, uint32_t stop, const uint32_t *nudge, uint32_t n)
{
	struct init_component *c = &g_init.comp[i];
	init_stop_drop(c->stop_ntfn, c->nudge, c->nnudge);
	c->stop_ntfn = stop;
	c->nnudge = n;
	memcpy(c->nudge, nudge, n * sizeof(nudge[0]));
}

capos_status_t init_stop_system(void *ctx, struct capos_rpc_request *rq,
				const capos_StopRequest *req, capos_StopResult *resp)
{
	(void)ctx;
	if (INIT_BADGE_KIND(rq->badge) != INIT_BADGE_CONTROL ||
	    INIT_BADGE_INDEX(rq->badge) >= g_init.n || !(rq->badge & INIT_CONTROL_WRITE))
		return CAPOS_DENIED;
	uint32_t caller = INIT_BADGE_INDEX(rq->badge);
	uint32_t grace = req->grace_ms ? req->grace_ms : STOP_GRACE_DEFAULT_MS;
	if (grace > STOP_GRACE_MAX_MS)
		grace = STOP_GRACE_MAX_MS;
	capos_printf("init: stop asked by %s (%s), %u ms each\n", g_init.comp[caller].m->name,
		     req->reason[0] ? req->reason : "no reason given", (unsigned)grace);
	uint32_t n = 0;
	for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++) {
		struct init_child *ch = &g_init.child[k];
		if (!ch->used)
			continue;
		capos_printf("init: stopping child %s\n", ch->name);
		capos_process_kill(ch->proc);
		n++;
	}
	for (uint32_t k = g_init.n; k-- > 0;) {
		uint32_t i = g_init.order[k];
		struct init_component *c = &g_init.comp[i];
		if (i == caller)
			continue;
		if (c->draining) {
			capos_process_kill(c->drain_proc);
			c->draining = 0;
		}
		if (!c->alive)
			continue;
		capos_printf("init: stopping %s\n", c->m->name);
		c->alive = 0; /* before the notice: no restart for this death */
		c->ended = 1;
		uint64_t waited;
		enum init_stop_outcome o = init_stop_one(&init_stop_kernel_ops, i, (uint64_t)grace * 1000000u,
							 &waited);
		if (o == INIT_STOP_ACKED)
			capos_printf("init: %s stopped\n", c->m->name);
		else if (o == INIT_STOP_ENDED)
			capos_printf("init: %s ended without acknowledging\n", c->m->name);
		else
			capos_printf("init: %s killed after %u ms\n", c->m->name, (unsigned)grace);
		n++;
	}
	capos_printf("init: stopped %u, %s left running\n", (unsigned)n,
		     g_init.comp[caller].m->name);
	resp->stopped = n;
	return CAPOS_OK;
}
