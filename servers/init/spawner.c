/*
 * spawner.c - ProcessSpawner (idl/process.proto), served by init on its
 * one endpoint to components holding a SPAWNER grant (a SEND cap badged
 * INIT_BADGE_SPAWNER | component index).
 *
 * Spawn starts a binary of the boot package as a new process. The limits
 * asked for are charged against the caller's own profile: the caller's
 * live children together may not exceed it (LIMIT_EXCEEDED), nor may the
 * priority exceed the caller's. The child gets exactly the limits asked for
 * and exactly the caps the request carries, under cap_names; nothing else.
 * init supervises it (crash records, no restarts).
 *
 * The request's caps arrive as the handler's caps_in (init keeps none: the
 * framework deletes them after the call). The reply carries caps_out[0]: a
 * ProcessControl cap for the child alone (control.c): Status, List and
 * Kill of that one process, nothing else.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/escape.h>
#include <capos/kernel.h>
#include <capos/spawn.h>
#include <capos/syscall.h>

#include "init.h"
#include "process.capos.h"

static int over(const struct capos_limits *have, const struct capos_limits *used,
		const capos_ResourceLimits *ask)
{
	return (uint64_t)used->max_slots + ask->max_slots > have->max_slots ||
	       (uint64_t)used->max_threads + ask->max_threads > have->max_threads ||
	       (uint64_t)used->max_pages + ask->max_pages > have->max_pages ||
	       (uint64_t)used->max_endpoints + ask->max_endpoints > have->max_endpoints;
}

/* A ProcessControl cap for the child with `handle` alone (never reused,
 * so the cap cannot reach a later child), minted into INIT_REPLY_SLOT. */
static capos_status_t mint_child_control(uint64_t handle)
{
	/* A cap an earlier reply failed to deliver - its caller died or had a
	 * full table - is still in the slot: it goes first. The request is
	 * decoded already, so kernel calls here do not disturb it. */
	capos_cap_delete(g_init.capmgr, INIT_REPLY_SLOT);
	return capos_cap_mint(g_init.capmgr, g_init.endpoint, INIT_REPLY_SLOT, CAPOS_RIGHT_SEND, 1,
			      INIT_BADGE_CHILDCTL | handle);
}

static capos_status_t do_spawn(void *ctx, struct capos_rpc_request *rq,
			       const capos_SpawnRequest *req, struct capos_cap_list *caps_in,
			       capos_SpawnResult *resp, struct capos_cap_list *caps_out)
{
	(void)ctx;
	if (INIT_BADGE_KIND(rq->badge) != INIT_BADGE_SPAWNER ||
	    INIT_BADGE_INDEX(rq->badge) >= g_init.n)
		return CAPOS_DENIED;
	uint32_t ci = INIT_BADGE_INDEX(rq->badge);
	struct init_component *c = &g_init.comp[ci];
	const char *name = req->name[0] ? req->name : req->binary;
	if (!req->has_limits || !req->binary[0] || !strcmp(req->binary, "init") ||
	    !strcmp(req->binary, "manifest") || req->cap_names_count != caps_in->count)
		return CAPOS_INVALID_ARGUMENT;
	/* A slice beyond the bound would let one child hold the CPU from
	 * everything of its priority for that long (docs/security.md). */
	if (req->time_slice_us > CAPOS_MAX_TIME_SLICE_US)
		return CAPOS_INVALID_ARGUMENT;
	if (over(&c->limits, &c->children, &req->limits) || req->priority > c->m->priority) {
		capos_printf("init: %s asked to spawn %s with slots %u threads %u pages %u "
			     "endpoints %u priority %u: over its profile, refused\n",
			     c->m->name, init_shown(name), (unsigned)req->limits.max_slots,
			     (unsigned)req->limits.max_threads, (unsigned)req->limits.max_pages,
			     (unsigned)req->limits.max_endpoints, (unsigned)req->priority);
		return CAPOS_LIMIT_EXCEEDED;
	}
	uint32_t k = 0;
	while (k < INIT_MAX_CHILDREN && g_init.child[k].used)
		k++;
	if (k == INIT_MAX_CHILDREN)
		return CAPOS_LIMIT_EXCEEDED;

	struct capos_spawn_cap caps[CAPOS_MSG_MAX_CAPS];
	for (uint32_t j = 0; j < caps_in->count; j++)
		caps[j] = (struct capos_spawn_cap){
			.name = req->cap_names[j], .src = caps_in->cap[j], .dst = j,
			.rights = CAPOS_RIGHTS_ALL, .type = 0, .set_badge = 0, .badge = 0,
		};
	struct capos_limits lim = {
		.max_slots = req->limits.max_slots, .max_threads = req->limits.max_threads,
		.max_pages = req->limits.max_pages, .max_endpoints = req->limits.max_endpoints,
	};
	uint64_t arg = 0;
	memcpy(&arg, req->args.bytes, req->args.size < 8 ? req->args.size : 8);
	struct capos_spawned sp;
	/* The kernel prints a process's name in its own lines (an exit): it
	 * gets the name escaped, cut at a whole unit to fit its 32 bytes. */
	char kname[32];
	capos_escape_str(kname, sizeof(kname), name);
	capos_status_t st = capos_spawn_caps(req->binary, kname, &lim, req->priority, arg, caps,
					     caps_in->count, &sp);
	if (st != CAPOS_OK)
		return st;
	if (req->time_slice_us)
		st = capos_thread_set_priority(sp.thread, req->priority, req->time_slice_us);
	if (st == CAPOS_OK)
		st = init_supervise_process(sp.process, INIT_BADGE_CHILD | k);
	struct capos_process_info info;
	if (st == CAPOS_OK)
		st = capos_process_info(sp.process, &info);
	/* Handles 1..INIT_MAX_COMPONENTS name the manifest's components; one
	 * skipped by a failed spawn is simply never used. */
	if (g_init.next_handle < INIT_MAX_COMPONENTS)
		g_init.next_handle = INIT_MAX_COMPONENTS;
	uint64_t handle = ++g_init.next_handle;
	/* The reply's cap before the child runs: a Spawn that answers OK
	 * always carries it (the method promises one). */
	if (st == CAPOS_OK)
		st = mint_child_control(handle);
	if (st == CAPOS_OK)
		st = capos_thread_start(sp.thread);
	if (st != CAPOS_OK) {
		capos_process_kill(sp.process);
		capos_cap_delete(g_init.capmgr, sp.thread);
		capos_cap_delete(g_init.capmgr, sp.process);
		capos_cap_delete(g_init.capmgr, INIT_REPLY_SLOT);
		return st;
	}
	struct init_child *ch = &g_init.child[k];
	ch->used = 1;
	ch->parent = ci;
	ch->proc = sp.process;
	ch->thread = sp.thread;
	ch->pid = info.pid;
	ch->limits = lim;
	ch->priority = req->priority;
	strlcpy(ch->name, name, sizeof(ch->name));
	strlcpy(ch->binary, req->binary, sizeof(ch->binary));
	ch->handle = handle;
	c->children.max_slots += lim.max_slots;
	c->children.max_threads += lim.max_threads;
	c->children.max_pages += lim.max_pages;
	c->children.max_endpoints += lim.max_endpoints;
	resp->pid = info.pid;
	resp->handle = ch->handle;
	/* Moved: init keeps no copy. */
	*caps_out = (struct capos_cap_list){ .count = 1, .move = 1, .cap = { INIT_REPLY_SLOT } };
	capos_printf("init: %s spawned %s (pid %u, binary %s)\n", c->m->name,
		     init_shown(ch->name), (unsigned)ch->pid, init_shown(req->binary));
	return CAPOS_OK;
}

const struct processspawner_ops init_spawner_ops = { .spawn = do_spawn };


void init_child_died(uint32_t k, const struct capos_crash_record *r)
{
	if (k >= INIT_MAX_CHILDREN || !g_init.child[k].used || g_init.child[k].pid != r->pid)
		return;
	struct init_child *ch = &g_init.child[k];
	struct init_component *c = &g_init.comp[ch->parent];
	capos_printf("init: child %s (pid %u) of %s died: cause %s, exit code %ld\n",
		     init_shown(ch->name),
		     (unsigned)ch->pid, c->m->name,
		     r->cause == CAPOS_DEATH_EXIT ? "exit" :
		     r->cause == CAPOS_DEATH_FAULT ? "fault" : "killed",
		     (long)r->exit_code);
	c->children.max_slots -= ch->limits.max_slots;
	c->children.max_threads -= ch->limits.max_threads;
	c->children.max_pages -= ch->limits.max_pages;
	c->children.max_endpoints -= ch->limits.max_endpoints;
	capos_cap_delete(g_init.capmgr, ch->thread);
	capos_cap_delete(g_init.capmgr, ch->proc);
	ch->used = 0;
}
