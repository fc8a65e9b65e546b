/*
 * stop.c - ProcessControl.Stop (idl/process.proto): the orderly stop
 * before a power-off, asked by the shutdown server (servers/shutdown).
 *
 * Only a manifest component's PROCESS_CONTROL grant with CONTROL may ask
 * (a Spawn's scoped cap may not: it names one child, not the system).
 * Every spawned child goes first, then every component but the caller in
 * reverse start order (a client before the servers it depends on), each
 * told by a line on the console before it is stopped. A stopped component
 * is marked dead for good before its crash record arrives, so the
 * supervisor never restarts it (supervise.c ignores a record of an
 * instance that is no longer `alive`). The caller survives to power off.
 *
 * The kernel stops a process at once, so grace_ms bounds nothing yet: it
 * is reported, and kept for when components get a stop notice of their
 * own (docs/init.md).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>

#include "init.h"
#include "process.capos.h"

#define STOP_GRACE_DEFAULT_MS 100u

capos_status_t init_stop_system(void *ctx, struct capos_rpc_request *rq,
				const capos_StopRequest *req, capos_StopResult *resp)
{
	(void)ctx;
	if (INIT_BADGE_KIND(rq->badge) != INIT_BADGE_CONTROL ||
	    INIT_BADGE_INDEX(rq->badge) >= g_init.n || !(rq->badge & INIT_CONTROL_WRITE))
		return CAPOS_DENIED;
	uint32_t caller = INIT_BADGE_INDEX(rq->badge);
	uint32_t grace = req->grace_ms ? req->grace_ms : STOP_GRACE_DEFAULT_MS;
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
		c->alive = 0; /* before the kill: no restart for this death */
		c->ended = 1;
		capos_process_kill(c->proc);
		n++;
	}
	capos_printf("init: stopped %u, %s left running\n", (unsigned)n,
		     g_init.comp[caller].m->name);
	resp->stopped = n;
	return CAPOS_OK;
}
