/*
 * build.c - builds the system the manifest describes: every served
 * endpoint first, then each component in dependency order with exactly its
 * granted caps (recorded by local name in its startup page), its profile's
 * limits, priority and time slice, and init as its supervisor. A grant's
 * rights are its list or its source's default, from the same generated
 * table init's checker refuses escalations with. A restart
 * runs the same code and retargets the component's endpoints to the new
 * process before its first instruction.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>
#include <capos/stop.h>

#include "init.h"

capos_status_t init_supervise_process(uint32_t proc, uint64_t badge)
{
	capos_status_t st = capos_cap_mint(g_init.capmgr, g_init.endpoint, INIT_SCRATCH_SLOT,
					   CAPOS_RIGHT_SEND, 1, badge);
	if (st != CAPOS_OK)
		return st;
	st = capos_set_supervisor(proc, INIT_SCRATCH_SLOT);
	capos_cap_delete(g_init.capmgr, INIT_SCRATCH_SLOT);
	return st;
}

capos_status_t init_create_endpoints(void)
{
	for (uint32_t i = 0; i < g_init.n; i++) {
		struct init_component *c = &g_init.comp[i];
		for (pb_size_t j = 0; j < c->m->serves_count; j++) {
			capos_status_t st = capos_endpoint_create(
				g_init.self, c->m->serves[j].interface_id, &c->serve_ep[j]);
			if (st != CAPOS_OK) {
				capos_printf("init: cannot create endpoint %s.%s: status %ld\n",
					     c->m->name, c->m->serves[j].name, (long)st);
				return st;
			}
		}
	}
	return CAPOS_OK;
}

#define PLAN_MAX_PARAMS (6u + 8u + INIT_MAX_COMPONENTS) /* system + policy + init badge + own + badges */

/* What capos_spawn_params gets, plus init's temporary slots to drop after. */
struct spawn_plan {
	struct capos_spawn_param params[PLAN_MAX_PARAMS];
	char keys[PLAN_MAX_PARAMS][CAPOS_STARTUP_PARAM_KEY_MAX + 1];
	char values[4][24];
	uint32_t nparams;
	struct capos_spawn_cap caps[CAPOS_STARTUP_MAX_CAPS < 40 ? CAPOS_STARTUP_MAX_CAPS : 40];
	char names[40][CAPOS_STARTUP_NAME_MAX];
	uint32_t n;
	uint32_t temp[40];
	uint32_t ntemp;
	uint32_t ready; /* init's slot of the new instance's `ready` notification */
	uint32_t stop;  /* and of its `stop`, and the notifications to nudge (init.h) */
	uint32_t nudge[INIT_MAX_NUDGES];
	uint32_t nnudge;
};

/* A notification init made for the component: nudged with the stop
 * notice (stop.c) while there is room, else dropped after the spawn. */
static void keep_ntfn(struct spawn_plan *p, uint32_t ntfn)
{
	if (p->nnudge < INIT_MAX_NUDGES)
		p->nudge[p->nnudge++] = ntfn;
	else
		p->temp[p->ntemp++] = ntfn;
}

static void add(struct spawn_plan *p, const char *name, uint32_t src, uint32_t rights,
		uint32_t type, int set_badge, uint64_t badge)
{
	strlcpy(p->names[p->n], name, CAPOS_STARTUP_NAME_MAX);
	p->caps[p->n] = (struct capos_spawn_cap){
		.name = p->names[p->n], .src = src, .dst = p->n, .rights = rights,
		.type = type, .set_badge = set_badge, .badge = badge,
	};
	p->n++;
}

static void drop_temps(struct spawn_plan *p)
{
	for (uint32_t k = 0; k < p->ntemp; k++)
		capos_cap_delete(g_init.capmgr, p->temp[k]);
	p->ntemp = 0;
}

/* Whether endpoint ds of component dc has an input reader, or speaks
 * capos.Console (whose input is the operator's keystrokes): then every
 * grant of it is badged, so that no holder of an unbadged cap can mint
 * itself CAPOS_BADGE_INPUT (a badge can be set only once). */
static int input_guarded(uint32_t dc, uint32_t ds)
{
	if (g_init.comp[dc].m->serves[ds].interface_id == CAPOS_CONSOLE_INTERFACE_ID)
		return 1;
	for (uint32_t k = 0; k < g_init.n; k++) {
		const capos_Component *cm = g_init.comp[k].m;
		for (pb_size_t j = 0; j < cm->caps_count; j++) {
			uint32_t c2, s2;
			if (cm->caps[j].input && cm->caps[j].endpoint[0] &&
			    init_resolve_endpoint(g_init.sys, cm->caps[j].endpoint, &c2, &s2) &&
			    c2 == dc && s2 == ds)
				return 1;
		}
	}
	return 0;
}

static capos_status_t plan_grant(struct spawn_plan *p, uint32_t i, const capos_Grant *g)
{
	capos_status_t st = CAPOS_OK;
	uint32_t slot;
	if (g->endpoint[0]) {
		uint32_t dc, ds;
		init_resolve_endpoint(g_init.sys, g->endpoint, &dc, &ds);
		uint64_t badge = 0;
		if (g->badge || input_guarded(dc, ds))
			badge = INIT_CLIENT_BADGE(i);
		if (g->input)
			badge |= CAPOS_BADGE_INPUT;
		add(p, g->name, g_init.comp[dc].serve_ep[ds], init_grant_rights(g),
		    CAPOS_CAP_ENDPOINT, badge != 0, badge);
		return CAPOS_OK;
	}
	switch (g->kernel) {
	case capos_KernelResource_KERNEL_RESOURCE_IOPORT:
		st = capos_port_subrange(g_init.ioport, (uint16_t)g->port_base,
					 (uint16_t)g->port_count, &slot);
		if (st == CAPOS_OK) {
			p->temp[p->ntemp++] = slot;
			add(p, g->name, slot, init_grant_rights(g), CAPOS_CAP_IOPORT, 0, 0);
		}
		break;
	case capos_KernelResource_KERNEL_RESOURCE_IRQ: {
		uint32_t ntfn, handler;
		st = capos_notification_create(g_init.self, &ntfn);
		if (st != CAPOS_OK)
			break;
		keep_ntfn(p, ntfn);
		st = capos_irq_get(g_init.irq_control, g->irq, ntfn, 1, &handler);
		if (st != CAPOS_OK)
			break;
		p->temp[p->ntemp++] = handler;
		add(p, g->name, ntfn, init_grant_rights(g), CAPOS_CAP_NOTIFICATION, 0, 0);
		char ack[CAPOS_STARTUP_NAME_MAX];
		capos_snprintf(ack, sizeof(ack), "%s_ack", g->name);
		add(p, ack, handler, CAPOS_RIGHTS_ALL & ~CAPOS_RIGHT_GRANT, CAPOS_CAP_IRQ_HANDLER,
		    0, 0);
		break;
	}
	case capos_KernelResource_KERNEL_RESOURCE_KERNEL_INFO:
		add(p, g->name, g_init.kinfo, init_grant_rights(g), CAPOS_CAP_KERNEL_INFO, 0, 0);
		break;
	case capos_KernelResource_KERNEL_RESOURCE_SPAWNER:
		add(p, g->name, g_init.endpoint, init_grant_rights(g), CAPOS_CAP_ENDPOINT, 1,
		    INIT_BADGE_SPAWNER | i);
		break;
	case capos_KernelResource_KERNEL_RESOURCE_PROCESS_CONTROL: {
		/* An endpoint cap to init; what it may do rides in the badge. */
		uint32_t r = init_grant_rights(g);
		uint64_t badge = INIT_BADGE_CONTROL | i;
		if (r & CAPOS_RIGHT_CONTROL)
			badge |= INIT_CONTROL_WRITE;
		add(p, g->name, g_init.endpoint, CAPOS_RIGHT_SEND, CAPOS_CAP_ENDPOINT, 1, badge);
		break;
	}
	case capos_KernelResource_KERNEL_RESOURCE_NOTIFICATION: {
		uint32_t ntfn;
		st = capos_notification_create(g_init.self, &ntfn);
		if (st != CAPOS_OK)
			break;
		keep_ntfn(p, ntfn);
		add(p, g->name, ntfn, init_grant_rights(g), CAPOS_CAP_NOTIFICATION, 0, 0);
		break;
	}
	case capos_KernelResource_KERNEL_RESOURCE_THREAD:
		add(p, g->name, CAPOS_SPAWN_CHILD_THREAD, init_grant_rights(g), CAPOS_CAP_THREAD, 0,
		    0);
		break;
	case capos_KernelResource_KERNEL_RESOURCE_CAP_MANAGER:
		add(p, g->name, CAPOS_SPAWN_CHILD_CAPMGR, init_grant_rights(g),
		    CAPOS_CAP_CAP_MANAGER, 0, 0);
		break;
	case capos_KernelResource_KERNEL_RESOURCE_SELF:
		/* A mint of the child's own Process cap: READ (Info) and WRITE
		 * (MapAnon, Unmap, CreateThread within its profile) at most, never
		 * CONTROL (the manifest table allows no more). The runtime grows
		 * its heap and makes threads through it (docs/manifest.md). */
		add(p, g->name, CAPOS_SPAWN_CHILD_PROCESS, init_grant_rights(g), CAPOS_CAP_PROCESS,
		    0, 0);
		break;
	default:
		st = CAPOS_INVALID_ARGUMENT;
	}
	return st;
}

static void param(struct spawn_plan *p, const char *key, const char *value)
{
	strlcpy(p->keys[p->nparams], key, sizeof(p->keys[0]));
	p->params[p->nparams].key = p->keys[p->nparams];
	p->params[p->nparams].value = value;
	p->nparams++;
}

/* The startup page's parameters (docs/runtime.md): the system's settings
 * for every component, its own params, and for a server the names of the
 * clients whose badges it will see. */
static void plan_params(struct spawn_plan *p, uint32_t i)
{
	const capos_System *sys = g_init.sys;
	const capos_Component *m = g_init.comp[i].m;
	param(p, "hostname", sys->hostname[0] ? sys->hostname : "capos");
	capos_snprintf(p->values[0], sizeof(p->values[0]), "%u", (unsigned)sys->log_level);
	param(p, "log_level", p->values[0]);
	capos_snprintf(p->values[1], sizeof(p->values[1]), "%u", (unsigned)sys->log_ring_records);
	param(p, "log_ring_records", p->values[1]);
	capos_snprintf(p->values[2], sizeof(p->values[2]), "%ld", (long)sys->seed_utc_seconds);
	param(p, "seed_utc_seconds", p->values[2]);
	if (strcmp(m->binary, "broker") == 0)
		param(p, "policy", init_broker_policy_param()); /* policy.c */
	if (init_is_audit_server(i))
		param(p, "badge.64", "init"); /* INIT_AUDIT_BADGE: audited.c */
	for (pb_size_t j = 0; j < m->params_count; j++)
		param(p, m->params[j].key, m->params[j].value);
	for (uint32_t k = 0; k < g_init.n; k++) {
		const capos_Component *cm = g_init.comp[k].m;
		for (pb_size_t j = 0; j < cm->caps_count; j++) {
			uint32_t dc, ds;
			const capos_Grant *g = &cm->caps[j];
			if (g->badge && g->endpoint[0] &&
			    init_resolve_endpoint(g_init.sys, g->endpoint, &dc, &ds) && dc == i) {
				char key[CAPOS_STARTUP_PARAM_KEY_MAX + 1];
				capos_snprintf(key, sizeof(key), "badge.%lu",
					       (unsigned long)INIT_CLIENT_BADGE(k));
				param(p, key, cm->name);
				break; /* one name per client, however many endpoints */
			}
		}
	}
}

static capos_status_t plan(struct spawn_plan *p, uint32_t i)
{
	struct init_component *c = &g_init.comp[i];
	const capos_Component *m = c->m;
	capos_status_t st = CAPOS_OK;
	memset(p, 0, sizeof(*p));
	/* The receiving side of each endpoint it serves: RECV only. */
	for (pb_size_t j = 0; j < m->serves_count; j++)
		add(p, m->serves[j].name, c->serve_ep[j], CAPOS_RIGHT_RECV, CAPOS_CAP_ENDPOINT, 0,
		    0);
	for (pb_size_t j = 0; st == CAPOS_OK && j < m->caps_count; j++)
		st = plan_grant(p, i, &m->caps[j]);
	/* Death watches: a fresh notification, registered on the endpoint. */
	for (pb_size_t j = 0; st == CAPOS_OK && j < m->watches_count; j++) {
		uint32_t dc, ds, ntfn;
		init_resolve_endpoint(g_init.sys, m->watches[j].endpoint, &dc, &ds);
		st = capos_notification_create(g_init.self, &ntfn);
		if (st != CAPOS_OK)
			break;
		p->temp[p->ntemp++] = ntfn;
		st = capos_watch_death(g_init.capmgr, g_init.comp[dc].serve_ep[ds], ntfn,
				       m->watches[j].bits);
		add(p, m->watches[j].name, ntfn, CAPOS_RIGHT_RECV, CAPOS_CAP_NOTIFICATION, 0, 0);
	}
	/* Readiness (init.h): a notification of this instance's own, signal
	 * only, and the doorbell that wakes init to look at it. */
	p->ready = CAPOS_NO_CAP;
	p->stop = CAPOS_NO_CAP;
	if (st == CAPOS_OK)
		st = capos_notification_create(g_init.self, &p->ready);
	if (st == CAPOS_OK) {
		add(p, "ready", p->ready, CAPOS_RIGHT_SEND, CAPOS_CAP_NOTIFICATION, 0, 0);
		add(p, INIT_BELL_NAME, g_init.bell, CAPOS_RIGHT_SEND, CAPOS_CAP_NOTIFICATION, 0,
		    0);
		/* The stop notice (capos/stop.h): RECV only, init signals it. */
		st = capos_notification_create(g_init.self, &p->stop);
	}
	if (st == CAPOS_OK)
		add(p, CAPOS_STOP_NAME, p->stop, CAPOS_RIGHT_RECV, CAPOS_CAP_NOTIFICATION, 0, 0);
	plan_params(p, i);
	return st;
}

capos_status_t init_spawn_component(uint32_t i, enum init_spawn_mode mode, const char *binary)
{
	static struct spawn_plan p; /* a few KiB: not on the stack */
	struct init_component *c = &g_init.comp[i];
	const capos_Component *m = c->m;
	struct capos_spawned sp = { CAPOS_NO_CAP, CAPOS_NO_CAP };
	if (!c->binary[0])
		strlcpy(c->binary, m->binary, sizeof(c->binary));
	if (!binary)
		binary = c->binary;
	capos_status_t st = plan(&p, i);
	if (st == CAPOS_OK)
		st = capos_spawn_params(binary, m->name, &c->limits, m->priority, 0, p.caps, p.n,
					p.params, p.nparams, &sp);
	drop_temps(&p);
	if (st != CAPOS_OK) {
		if (p.ready != CAPOS_NO_CAP)
			capos_cap_delete(g_init.capmgr, p.ready);
		init_stop_drop(p.stop, p.nudge, p.nnudge);
		capos_printf("init: component %s not started: status %ld\n", m->name, (long)st);
		return st;
	}
	if (m->time_slice_us)
		st = capos_thread_set_priority(sp.thread, m->priority, m->time_slice_us);
	/* Crash records reach init, badged with the component's index. */
	if (st == CAPOS_OK)
		st = init_supervise_process(sp.process, INIT_BADGE_SUPERVISOR | i);
	struct capos_process_info info;
	if (st == CAPOS_OK)
		st = capos_process_info(sp.process, &info);
	/* A restart or an upgrade: the endpoints it serves move to the new
	 * process (and a dead one comes back to life) before it runs, so its
	 * first Recv takes them. The last step that can fail comes before:
	 * once an endpoint has moved, an old instance learns RETARGETED. */
	for (pb_size_t j = 0; mode != INIT_START && st == CAPOS_OK && j < m->serves_count; j++)
		st = capos_retarget(g_init.pctl, c->serve_ep[j], sp.process);
	/* `stop` reaches the first thread's Recv (capos/stop.h). */
	if (st == CAPOS_OK)
		st = capos_thread_bind(sp.thread, p.stop);
	if (st == CAPOS_OK)
		st = capos_thread_start(sp.thread);
	if (st != CAPOS_OK) {
		capos_printf("init: component %s not started: status %ld\n", m->name, (long)st);
		capos_process_kill(sp.process);
		capos_cap_delete(g_init.capmgr, sp.thread);
		capos_cap_delete(g_init.capmgr, sp.process);
		capos_cap_delete(g_init.capmgr, p.ready);
		init_stop_drop(p.stop, p.nudge, p.nnudge);
		return st;
	}
	init_stop_adopt(i, p.stop, p.nudge, p.nnudge);
	if (mode == INIT_UPGRADE) {
		/* The old instance drains and exits (its Recv answers
		 * RETARGETED); component_died releases it then. */
		c->draining = 1;
		c->drain_proc = c->proc;
		c->drain_thread = c->thread;
		c->drain_pid = c->pid;
	}
	if (binary != c->binary)
		strlcpy(c->binary, binary, sizeof(c->binary));
	c->proc = sp.process;
	c->thread = sp.thread;
	c->pid = info.pid;
	c->alive = 1;
	c->ended = 0;
	/* A new instance says `ready` again; for a console, init's output
	 * then goes back to it (supervise.c). */
	c->ready = 0;
	/* Only this instance's own notification says it is ready: an earlier
	 * one (an upgraded instance still draining) can no longer speak for it. */
	if (c->ready_ntfn != CAPOS_NO_CAP)
		capos_cap_delete(g_init.capmgr, c->ready_ntfn);
	c->ready_ntfn = p.ready;
	capos_printf("init: %s %s (pid %u, binary %s, priority %u, %u caps)\n",
		     mode == INIT_START ? "started" : mode == INIT_RESTART ? "restarted" : "upgraded",
		     m->name, (unsigned)c->pid, c->binary, (unsigned)m->priority, (unsigned)p.n);
	init_audit_changed(i); /* the audit server back: what waited goes out */
	return CAPOS_OK;
}
