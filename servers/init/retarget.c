/*
 * retarget.c - ProcessControl.Retarget (idl/process.proto): one endpoint,
 * by its manifest name, moves to another running component that speaks its
 * interface (retarget_check.c), with the kernel's retarget.
 *
 * Needs a PROCESS_CONTROL grant with CONTROL. The target gets a RECV cap
 * for the endpoint in the first free slot from the middle of its table up
 * (the top is where the service framework keeps its reply pool), and the
 * endpoint's serving side becomes the target's process in one kernel step:
 * queued callers stay queued for it, the old server's next Recv answers
 * RETARGETED. Then init tells the target's service loop with a serve
 * notice (capos/service.h): a non-blocking Send on the endpoint its
 * thread waits on, tried on each endpoint it serves and again every
 * millisecond while it is busy, for NOTICE_TRIES ms at most - init never
 * blocks on a component. Untold (TIMEOUT), the target holds the
 * endpoint and its callers wait until it is restarted. The move lasts
 * until either component is restarted: a restart puts the manifest's
 * arrangement back (docs/init.md). Every retarget, refused or done, is an
 * audit record.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/syscall.h>

#include "init.h"
#include "retarget_check.h"

static capos_status_t install_recv(uint32_t proc, uint32_t max_slots, uint32_t ep,
				   uint32_t *slot)
{
	capos_status_t st = CAPOS_LIMIT_EXCEEDED;
	for (uint32_t s = max_slots / 2u; s + 1u < max_slots; s++) {
		st = capos_install_cap(proc, ep, s, CAPOS_RIGHT_RECV, 0, 0);
		if (st != CAPOS_SLOT_OCCUPIED) {
			*slot = s;
			return st;
		}
	}
	return st;
}

#define NOTICE_TRIES 100u
#define NOTICE_RETRY_NS 1000000ull

/* Where init waits between tries: a notification nobody signals. */
static capos_status_t pause_briefly(void)
{
	static uint32_t idle = CAPOS_NO_CAP;
	if (idle == CAPOS_NO_CAP) {
		capos_status_t st = capos_notification_create(g_init.self, &idle);
		if (st != CAPOS_OK)
			return st;
	}
	capos_status_t st = capos_wait(idle, NOTICE_RETRY_NS);
	return st == CAPOS_TIMEOUT ? CAPOS_OK : st;
}

/* The serve notice: the endpoint in `slot` of component to's table is
 * its to serve, with the services it has for `iface`. */
static capos_status_t tell_target(uint32_t to, uint32_t slot, uint64_t iface)
{
	const struct init_component *c = &g_init.comp[to];
	struct capos_ipc_buffer *b = capos_ipc();
	struct capos_serve_notice n = { .slot = slot, .reserved = 0, .interface_id = iface };
	for (uint32_t t = 0; t < NOTICE_TRIES; t++) {
		for (uint32_t k = 0; k < c->m->serves_count; k++) {
			b->label = CAPOS_LABEL_SERVE_NOTICE;
			b->len = sizeof(n);
			b->ncaps = 0;
			b->cap_move = 0;
			memcpy(b->body, &n, sizeof(n));
			capos_status_t st = capos_nbsend(c->serve_ep[k]);
			if (st == CAPOS_OK)
				return CAPOS_OK;
			if (st != CAPOS_WOULD_BLOCK)
				return st;
		}
		if (pause_briefly() != CAPOS_OK)
			break;
	}
	return CAPOS_TIMEOUT;
}

capos_status_t init_retarget(void *ctx, struct capos_rpc_request *rq,
			     const capos_RetargetRequest *req, capos_Empty *resp)
{
	(void)ctx;
	(void)resp;
	if (INIT_BADGE_KIND(rq->badge) != INIT_BADGE_CONTROL ||
	    INIT_BADGE_INDEX(rq->badge) >= g_init.n || !(rq->badge & INIT_CONTROL_WRITE))
		return CAPOS_DENIED;
	const char *by = g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->name;
	uint32_t from = 0, serve = 0, to = 0, slot = 0;
	capos_status_t st = init_retarget_check(g_init.sys, req->endpoint, req->component, &from,
						&serve, &to);
	if (st == CAPOS_OK && !g_init.comp[to].alive)
		st = CAPOS_NOT_FOUND; /* nothing running to serve it */
	if (st == CAPOS_OK && !init_retarget_takes(g_init.comp[to].m))
		st = CAPOS_UNSUPPORTED; /* its loop could not take it */
	if (st == CAPOS_OK)
		st = install_recv(g_init.comp[to].proc, g_init.comp[to].limits.max_slots,
				  g_init.comp[from].serve_ep[serve], &slot);
	if (st == CAPOS_OK)
		st = capos_retarget(g_init.pctl, g_init.comp[from].serve_ep[serve],
				    g_init.comp[to].proc);
	if (st == CAPOS_OK)
		st = tell_target(to, slot, g_init.sys->components[from].serves[serve].interface_id);
	capos_printf("init: %s asked to retarget %s to %s: status %ld\n", by, req->endpoint,
		     req->component, (long)st);
	init_audit(capos_AuditKind_AUDIT_KIND_UPGRADE, st, "retarget", "%s to %s by %s%s",
		   req->endpoint, req->component, by,
		   st == CAPOS_WRONG_TYPE ? ": the target does not serve its interface"
		   : st == CAPOS_UNSUPPORTED ? ": the target cannot take an endpoint while it runs"
		   : st == CAPOS_TIMEOUT     ? ": moved, but the target was too busy to be told"
					     : "");
	return st;
}
