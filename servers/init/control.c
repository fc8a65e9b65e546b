/*
 * control.c - ProcessControl (idl/process.proto), served by init on its one
 * endpoint to
 *  - components holding a PROCESS_CONTROL grant: a SEND cap badged
 *    INIT_BADGE_CONTROL | component index, with INIT_CONTROL_WRITE set when
 *    the grant carried the CONTROL right. Status and List need only the
 *    grant; Kill needs CONTROL;
 *  - the holder of the cap a Spawn returned: badged INIT_BADGE_CHILDCTL |
 *    the child's handle. Status, List and Kill of that child only (DENIED
 *    for any other ref; NOT_FOUND once the child is gone).
 *
 * What init knows: every manifest component (handle = index + 1, the same
 * across restarts) and every child made through ProcessSpawner (handles
 * from INIT_MAX_COMPONENTS + 1 on, never reused). A component that is not
 * running reports how its last instance ended.
 *
 * Upgrade (a CONTROL grant) starts a new instance and moves the
 * component's endpoints to it; init keeps the old instance's caps until it
 * has drained and exited. Retarget is in retarget.c. Kill, Upgrade and
 * Retarget are audit records (audited.c).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>

#include "init.h"
#include "process.capos.h"

static void limits_out(capos_ResourceLimits *o, const struct capos_limits *l)
{
	o->max_slots = l->max_slots;
	o->max_threads = l->max_threads;
	o->max_pages = l->max_pages;
	o->max_endpoints = l->max_endpoints;
}

/* The state of a process init holds a cap to, from the kernel. */
static void kernel_status(uint32_t proc, capos_ProcessStatus *o)
{
	struct capos_process_info info;
	if (capos_process_info(proc, &info) != CAPOS_OK)
		return;
	o->state = (capos_ProcessState)info.state;
	o->exit_code = info.exit_code;
	o->has_usage = true;
	o->usage.slots = info.usage.slots;
	o->usage.threads = info.usage.threads;
	o->usage.pages = info.usage.pages;
	o->usage.endpoints = info.usage.endpoints;
}

static void component_status(uint32_t i, capos_ProcessStatus *o)
{
	const struct init_component *c = &g_init.comp[i];
	memset(o, 0, sizeof(*o));
	strlcpy(o->name, c->m->name, sizeof(o->name));
	strlcpy(o->binary, c->binary[0] ? c->binary : c->m->binary, sizeof(o->binary));
	o->handle = (uint64_t)i + 1u;
	o->pid = c->pid;
	o->priority = c->m->priority;
	o->restarts = c->restarts;
	o->has_limits = true;
	limits_out(&o->limits, &c->limits);
	if (c->alive) {
		kernel_status(c->proc, o);
	} else {
		o->state = (capos_ProcessState)c->last_state;
		o->exit_code = c->last_exit_code;
	}
}

static void child_status(const struct init_child *ch, capos_ProcessStatus *o)
{
	memset(o, 0, sizeof(*o));
	strlcpy(o->name, ch->name, sizeof(o->name));
	strlcpy(o->binary, ch->binary, sizeof(o->binary));
	o->handle = ch->handle;
	o->pid = ch->pid;
	o->priority = ch->priority;
	o->has_limits = true;
	limits_out(&o->limits, &ch->limits);
	kernel_status(ch->proc, o);
}

/* The live child with the smallest handle >= first, or NULL. */
static const struct init_child *child_from(uint64_t first)
{
	const struct init_child *best = NULL;
	for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++) {
		const struct init_child *ch = &g_init.child[k];
		if (ch->used && ch->handle >= first && (!best || ch->handle < best->handle))
			best = ch;
	}
	return best;
}

/* The spawned child a scoped cap (INIT_BADGE_CHILDCTL) names, or NULL
 * when the cap is not scoped or its child is gone. */
static const struct init_child *scoped_child(uint64_t badge)
{
	if (INIT_BADGE_KIND(badge) != INIT_BADGE_CHILDCTL)
		return NULL;
	for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++)
		if (g_init.child[k].used && g_init.child[k].handle == INIT_BADGE_HANDLE(badge))
			return &g_init.child[k];
	return NULL;
}

static int client_ok(const struct capos_rpc_request *rq)
{
	if (INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CHILDCTL)
		return 1;
	return INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CONTROL &&
	       INIT_BADGE_INDEX(rq->badge) < g_init.n;
}

/* May this caller kill? A CONTROL grant, or the cap Spawn gave for a child. */
static int may_kill(uint64_t badge)
{
	return INIT_BADGE_KIND(badge) == INIT_BADGE_CHILDCTL || (badge & INIT_CONTROL_WRITE);
}

/* Through a scoped cap, the ref must be empty or name its child; the
 * answer is then that child (NOT_FOUND once it has gone). */
static capos_status_t scoped_find(uint64_t badge, const capos_ProcessRef *ref,
				  const struct init_child **child)
{
	const struct init_child *ch = scoped_child(badge);
	int empty = ref->handle == 0 && ref->name[0] == '\0';
	if (!empty && ref->handle != INIT_BADGE_HANDLE(badge) &&
	    !(ch && ref->handle == 0 && !strcmp(ref->name, ch->name)))
		return CAPOS_DENIED; /* outside its scope */
	if (!ch)
		return CAPOS_NOT_FOUND;
	*child = ch;
	return CAPOS_OK;
}

/* ProcessRef -> component index or child; 0 when it names nothing. */
static int find(const capos_ProcessRef *ref, uint32_t *comp, const struct init_child **child)
{
	*comp = UINT32_MAX;
	*child = NULL;
	if (ref->handle) {
		if (ref->handle >= 1 && ref->handle <= g_init.n) {
			*comp = (uint32_t)ref->handle - 1u;
			return 1;
		}
		for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++)
			if (g_init.child[k].used && g_init.child[k].handle == ref->handle) {
				*child = &g_init.child[k];
				return 1;
			}
		return 0;
	}
	for (uint32_t i = 0; i < g_init.n; i++)
		if (!strcmp(g_init.comp[i].m->name, ref->name)) {
			*comp = i;
			return 1;
		}
	return 0;
}

static capos_status_t do_status(void *ctx, struct capos_rpc_request *rq,
				const capos_ProcessRef *req, capos_ProcessStatus *resp)
{
	(void)ctx;
	if (!client_ok(rq))
		return CAPOS_DENIED;
	uint32_t i;
	const struct init_child *ch;
	if (INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CHILDCTL) {
		capos_status_t st = scoped_find(rq->badge, req, &ch);
		if (st == CAPOS_OK)
			child_status(ch, resp);
		return st;
	}
	if (!find(req, &i, &ch))
		return CAPOS_NOT_FOUND;
	if (ch)
		child_status(ch, resp);
	else
		component_status(i, resp);
	return CAPOS_OK;
}

static capos_status_t do_list(void *ctx, struct capos_rpc_request *rq,
			      const capos_ProcessListRequest *req, capos_ProcessList *resp)
{
	(void)ctx;
	if (!client_ok(rq))
		return CAPOS_DENIED;
	uint32_t max = req->max && req->max < 8u ? req->max : 8u; /* the list's bound */
	uint64_t h = req->first ? req->first : 1u;
	resp->processes_count = 0;
	resp->next = 0;
	if (INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CHILDCTL) {
		/* Its one child, while it lives. */
		const struct init_child *only = scoped_child(rq->badge);
		if (only && only->handle >= h)
			child_status(only, &resp->processes[resp->processes_count++]);
		return CAPOS_OK;
	}
	while (h <= g_init.n) {
		if (resp->processes_count == max) {
			resp->next = h;
			return CAPOS_OK;
		}
		component_status((uint32_t)h - 1u, &resp->processes[resp->processes_count++]);
		h++;
	}
	if (h <= INIT_MAX_COMPONENTS)
		h = INIT_MAX_COMPONENTS + 1u;
	const struct init_child *ch;
	while ((ch = child_from(h)) != NULL) {
		if (resp->processes_count == max) {
			resp->next = ch->handle;
			return CAPOS_OK;
		}
		child_status(ch, &resp->processes[resp->processes_count++]);
		h = ch->handle + 1u;
	}
	return CAPOS_OK;
}

static capos_status_t do_kill(void *ctx, struct capos_rpc_request *rq,
			      const capos_ProcessRef *req, capos_Empty *resp)
{
	(void)ctx;
	(void)resp;
	if (!client_ok(rq) || !may_kill(rq->badge))
		return CAPOS_DENIED;
	uint32_t i = 0;
	const struct init_child *ch;
	if (INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CHILDCTL) {
		capos_status_t st = scoped_find(rq->badge, req, &ch);
		if (st != CAPOS_OK)
			return st;
	} else if (!find(req, &i, &ch)) {
		return CAPOS_NOT_FOUND;
	}
	uint32_t proc = ch ? ch->proc : g_init.comp[i].proc;
	if (!ch && !g_init.comp[i].alive)
		return CAPOS_NOT_FOUND; /* nothing running under that name */
	capos_printf("init: %s asked to kill %s\n",
		     INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CHILDCTL
			     ? "the holder of its control cap"
			     : g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->name,
		     ch ? init_shown(ch->name) : g_init.comp[i].m->name);
	/* The crash record follows and the restart policy applies. */
	capos_status_t st = capos_process_kill(proc);
	init_audit(capos_AuditKind_AUDIT_KIND_POLICY, st, "kill", "%s killed by %s",
		   ch ? ch->name : g_init.comp[i].m->name,
		   INIT_BADGE_KIND(rq->badge) == INIT_BADGE_CHILDCTL
			   ? "its control cap"
			   : g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->name);
	return st;
}

/* Live upgrade: a new instance of the component (from `binary`, or its
 * current one) takes over every endpoint it serves (kernel retarget);
 * queued and later calls go to the new one, calls the old one already
 * received stay its to answer, and its next Recv says RETARGETED, upon
 * which it exits. Clients keep their caps and never see an error. */
static capos_status_t do_upgrade(void *ctx, struct capos_rpc_request *rq,
				 const capos_UpgradeRequest *req, capos_UpgradeResult *resp)
{
	(void)ctx;
	if (INIT_BADGE_KIND(rq->badge) != INIT_BADGE_CONTROL || INIT_BADGE_INDEX(rq->badge) >= g_init.n ||
	    !(rq->badge & INIT_CONTROL_WRITE))
		return CAPOS_DENIED;
	uint32_t i;
	for (i = 0; i < g_init.n; i++)
		if (!strcmp(g_init.comp[i].m->name, req->component))
			break;
	if (i == g_init.n || !g_init.comp[i].alive)
		return CAPOS_NOT_FOUND;
	struct init_component *c = &g_init.comp[i];
	if (c->m->serves_count == 0 || !strcmp(req->binary, "init"))
		return CAPOS_INVALID_ARGUMENT; /* nothing to take over; never a second init */
	if (c->draining)
		return CAPOS_LIMIT_EXCEEDED; /* the last upgrade's old instance still runs */
	uint32_t old_pid = c->pid;
	capos_printf("init: %s asked to upgrade %s to %s\n", g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->name,
		     c->m->name, req->binary[0] ? init_shown(req->binary) : "its current binary");
	capos_status_t st = init_spawn_component(i, INIT_UPGRADE, req->binary[0] ? req->binary : NULL);
	init_audit(capos_AuditKind_AUDIT_KIND_UPGRADE, st, "upgrade",
		   "%s by %s: binary %s, pid %u -> %u", c->m->name,
		   g_init.comp[INIT_BADGE_INDEX(rq->badge)].m->name, c->binary, (unsigned)old_pid,
		   st == CAPOS_OK ? (unsigned)c->pid : 0u);
	if (st != CAPOS_OK)
		return st; /* nothing moved: the old instance serves on */
	resp->old_pid = old_pid;
	resp->new_pid = c->pid;
	resp->endpoints_moved = c->m->serves_count;
	return CAPOS_OK;
}

const struct processcontrol_ops init_control_ops = {
	.status = do_status,
	.list = do_list,
	.kill = do_kill,
	.upgrade = do_upgrade,
	.retarget = init_retarget, /* retarget.c */
	.stop = init_stop_system, /* stop.c */
	.cap_table = init_cap_table, /* captable.c */
	.inject_fault = init_inject_fault,
};

