/*
 * supervise.c - init's serve loop. One endpoint carries three kinds of
 * message, told apart by the badge of the cap they came through (init
 * mints every one of them, so no component can pose as another kind):
 *  - crash records (label CAPOS_LABEL_CRASH_RECORD) from the kernel, badged
 *    INIT_BADGE_SUPERVISOR | component or INIT_BADGE_CHILD | child, and
 *    the kernel's count of records it lost (badge 0, CAPOS_DEATH_LOST;
 *    crash_lost.h);
 *  - ProcessSpawner calls, badged INIT_BADGE_SPAWNER | component;
 *  - ProcessControl calls, badged INIT_BADGE_CONTROL | component (control.c);
 * and the readiness doorbell bound to init's thread (init.h) wakes the
 * same Recv. Crash records are logged and the
 * component's restart policy applied; with halt_when_done, init returns 0
 * once every component has ended with no restart pending.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/syscall.h>

#include "crash_lost.h"
#include "init.h"
#include "process.capos.h"

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static const char *cause_str(uint32_t cause)
{
	switch (cause) {
	case CAPOS_DEATH_EXIT:
		return "exit";
	case CAPOS_DEATH_FAULT:
		return "fault";
	case CAPOS_DEATH_KILLED:
		return "killed";
	default:
		return "unknown";
	}
}

/* Readiness: every component has signalled `ready` or ended. Printed once;
 * the boot benchmark (bench/ready.py) reads this line. */
static void check_system_ready(void)
{
	if (g_init.system_ready_told)
		return;
	for (uint32_t i = 0; i < g_init.n; i++)
		if (!g_init.comp[i].ready)
			return;
	uint64_t t = rdtsc();
	g_init.system_ready_told = 1;
	struct capos_kinfo_stats ks;
	memset(&ks, 0, sizeof(ks));
	capos_kinfo_stats(g_init.kinfo, &ks);
	capos_printf("init: system ready: all %u components started, TSC %lu, kernel entry TSC "
		     "%lu, %lu TSC ticks after kernel entry (guest instructions under -icount)\n",
		     (unsigned)g_init.n, (unsigned long)t, (unsigned long)ks.boot_tsc,
		     (unsigned long)(t - ks.boot_tsc));
}

/* Once a Console server is up, init's own output goes through it too, so
 * that only the console touches COM1 (docs/init.md). If it dies, the
 * runtime falls back to init's IOPort. */
static void use_console(uint32_t i)
{
	const struct init_component *c = &g_init.comp[i];
	for (pb_size_t j = 0; j < c->m->serves_count; j++)
		if (c->m->serves[j].interface_id == CAPOS_CONSOLE_INTERFACE_ID) {
			capos_debug_set_console(c->serve_ep[j]);
			return;
		}
}

/* The doorbell rang (init.h): it says only "look". A component is ready
 * when its own instance's notification was signalled, which only it can
 * do; each one is taken once (the word is cleared by the poll). */
static void on_bell(void)
{
	for (uint32_t i = 0; i < g_init.n; i++) {
		struct init_component *c = &g_init.comp[i];
		if (c->ready || !c->alive || c->ready_ntfn == CAPOS_NO_CAP)
			continue;
		if (capos_wait(c->ready_ntfn, CAPOS_WAIT_POLL) != CAPOS_OK)
			continue;
		c->ready = 1;
		capos_printf("init: %s ready\n", c->m->name);
		use_console(i);
	}
	check_system_ready();
}

static int wants_restart(const struct init_component *c, const struct capos_crash_record *r)
{
	switch (c->m->restart) {
	case capos_RestartPolicy_RESTART_ALWAYS:
		break;
	case capos_RestartPolicy_RESTART_ON_FAILURE:
		if (r->cause == CAPOS_DEATH_EXIT && r->exit_code == 0)
			return 0;
		break;
	default:
		return 0;
	}
	return c->m->max_restarts == 0 || c->restarts < c->m->max_restarts;
}

static void component_died(uint32_t i, const struct capos_crash_record *r)
{
	if (i >= g_init.n)
		return;
	struct init_component *c = &g_init.comp[i];
	if (c->draining && r->pid == c->drain_pid) {
		/* The instance an Upgrade replaced: gone, as planned (or not:
		 * the cause says). No restart policy applies to it. */
		capos_printf("init: %s (pid %u) replaced by the upgrade has ended: cause %s, exit "
			     "code %ld\n", c->m->name, (unsigned)r->pid, cause_str(r->cause),
			     (long)r->exit_code);
		init_audit(capos_AuditKind_AUDIT_KIND_UPGRADE, CAPOS_OK, "old instance ended",
			   "%s pid %u: cause %s", c->m->name, (unsigned)r->pid, cause_str(r->cause));
		capos_cap_delete(g_init.capmgr, c->drain_thread);
		capos_cap_delete(g_init.capmgr, c->drain_proc);
		c->draining = 0;
		return;
	}
	if (!c->alive || r->pid != c->pid)
		return; /* not the running instance: stale */
	if (r->cause == CAPOS_DEATH_FAULT)
		capos_printf("init: component %s (pid %u) died: cause fault, vector %lu, error "
			     "%#lx, address %#lx, rip %#lx\n",
			     c->m->name, (unsigned)r->pid, (unsigned long)r->vector,
			     (unsigned long)r->error_code, (unsigned long)r->fault_addr,
			     (unsigned long)r->rip);
	else
		capos_printf("init: component %s (pid %u) died: cause %s, exit code %ld\n",
			     c->m->name, (unsigned)r->pid, cause_str(r->cause), (long)r->exit_code);
	c->alive = 0;
	/* The record goes to the audit log (or init's queue, for the audit
	 * server's own death) before the restart policy acts. */
	init_audit_crash(i, r);
	c->last_state = r->cause == CAPOS_DEATH_EXIT    ? CAPOS_PROCESS_EXITED :
			r->cause == CAPOS_DEATH_FAULT   ? CAPOS_PROCESS_FAULTED :
							  CAPOS_PROCESS_KILLED;
	c->last_exit_code = r->exit_code;
	capos_cap_delete(g_init.capmgr, c->thread);
	capos_cap_delete(g_init.capmgr, c->proc);
	c->proc = c->thread = CAPOS_NO_CAP;
	if (wants_restart(c, r)) {
		c->restarts++;
		if (c->m->max_restarts)
			capos_printf("init: restarting %s (restart %u of %u)\n", c->m->name,
				     (unsigned)c->restarts, (unsigned)c->m->max_restarts);
		else
			capos_printf("init: restarting %s (restart %u)\n", c->m->name,
				     (unsigned)c->restarts);
		capos_status_t st = init_spawn_component(i, INIT_RESTART, NULL);
		init_audit(capos_AuditKind_AUDIT_KIND_RESTART, st, "restart",
			   "%s restart %u%s pid %u", c->m->name, (unsigned)c->restarts,
			   st == CAPOS_OK ? ":" : " failed: old", (unsigned)c->pid);
		if (st == CAPOS_OK)
			return;
	} else if (c->m->restart != capos_RestartPolicy_RESTART_NEVER) {
		int clean = c->m->restart == capos_RestartPolicy_RESTART_ON_FAILURE &&
			    r->cause == CAPOS_DEATH_EXIT && r->exit_code == 0;
		capos_printf("init: %s not restarted (%s)\n", c->m->name,
			     clean ? "clean exit" : "restart limit reached");
		if (!clean)
			init_audit(capos_AuditKind_AUDIT_KIND_RESTART, CAPOS_LIMIT_EXCEEDED,
				   "gave up", "%s not restarted: %u of %u restarts used",
				   c->m->name, (unsigned)c->restarts,
				   (unsigned)c->m->max_restarts);
	}
	c->ended = 1;
	if (!c->ready) {
		c->ready = 1; /* ended before signalling: counts as started */
		check_system_ready();
	}
}

/* halt_when_done: the clients (components serving nothing) have all ended
 * for good, and no spawned child is alive. Servers run until then. */
static int all_done(void)
{
	for (uint32_t i = 0; i < g_init.n; i++)
		if (g_init.comp[i].m->serves_count == 0 && !g_init.comp[i].ended)
			return 0;
	for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++)
		if (g_init.child[k].used)
			return 0;
	return 1;
}

/* Stops the servers still running, in reverse start order (clients of a
 * server end before it), so the machine halts with nothing left behind. */
static void stop_servers(void)
{
	for (uint32_t k = g_init.n; k-- > 0;) {
		struct init_component *c = &g_init.comp[g_init.order[k]];
		if (c->draining) {
			capos_process_kill(c->drain_proc);
			c->draining = 0;
		}
		if (c->alive) {
			capos_process_kill(c->proc);
			capos_printf("init: stopped %s\n", c->m->name);
			c->alive = 0;
			c->ended = 1;
		}
	}
}

/* ---- the serve loop, on the service framework ---- */

enum { SVC_SPAWNER = 0, SVC_CONTROL = 1 };

static struct capos_server srv;

/* The badge says what kind of client called: a SPAWNER grant reaches
 * ProcessSpawner only, a ProcessControl grant ProcessControl only, and
 * anything else (crash-record badges calling) no service at all. */
static int route(void *ctx, uint32_t endpoint, const struct capos_rpc_request *rq)
{
	(void)ctx;
	(void)endpoint;
	uint64_t kind = INIT_BADGE_KIND(rq->badge);
	if (kind == INIT_BADGE_SPAWNER)
		return SVC_SPAWNER;
	if (kind == INIT_BADGE_CONTROL || kind == INIT_BADGE_CHILDCTL)
		return SVC_CONTROL;
	return CAPOS_SERVER_MAX_SERVICES; /* none: the raw hook decides */
}

static void halt_if_done(void)
{
	if (g_init.sys->halt_when_done && all_done())
		capos_server_stop(&srv);
}

/* Records the kernel lost before r: said and audited (crash_lost.h). */
static void crash_lost(const struct capos_crash_record *r)
{
	char line[160];
	capos_AuditRecord rec;
	if (!init_crash_lost(r, line, sizeof(line), &rec))
		return;
	capos_printf("%s", line);
	init_audit_submit_record(&rec);
}

/* Crash records from the kernel, through the badges init gave it. Nothing
 * else that is not an RPC speaks to init: UNSUPPORTED (its caps are
 * dropped by the framework). */
static capos_status_t raw(void *ctx, uint32_t endpoint, struct capos_rpc_request *rq)
{
	(void)ctx;
	(void)endpoint;
	uint64_t kind = INIT_BADGE_KIND(rq->badge);
	if (rq->label != CAPOS_LABEL_CRASH_RECORD || rq->len < sizeof(struct capos_crash_record))
		return CAPOS_UNSUPPORTED;
	struct capos_crash_record r;
	memcpy(&r, rq->body, sizeof(r));
	r.name[sizeof(r.name) - 1] = '\0';
	/* Only the kernel speaks through these badges; its count-only
	 * record comes with badge 0, which init gives nobody. */
	int count_only = rq->badge == 0 && init_crash_count_only(&r);
	if (kind != INIT_BADGE_SUPERVISOR && kind != INIT_BADGE_CHILD && !count_only)
		return CAPOS_UNSUPPORTED;
	crash_lost(&r);
	if (count_only)
		return CAPOS_RPC_NO_REPLY;
	if (kind == INIT_BADGE_SUPERVISOR)
		component_died(INIT_BADGE_INDEX(rq->badge), &r);
	else
		init_child_died(INIT_BADGE_INDEX(rq->badge), &r);
	halt_if_done();
	return CAPOS_RPC_NO_REPLY; /* the kernel sent it: nobody waits */
}

static void ready_signal(void *ctx, uint64_t bits)
{
	(void)ctx;
	(void)bits; /* anyone may ring with any bits: they mean nothing */
	on_bell();
}

int init_supervise(void)
{
	check_system_ready();
	capos_server_init(&srv, g_init.capmgr, NULL);
	srv.ntfn = g_init.bell; /* bound to init's thread by main */
	srv.route = route;
	srv.raw = raw;
	srv.signal = ready_signal;
	capos_server_add(&srv, g_init.endpoint, processspawner_service(&init_spawner_ops, NULL));
	capos_server_add(&srv, g_init.endpoint, processcontrol_service(&init_control_ops, NULL));
	if (!g_init.sys->halt_when_done || !all_done()) {
		capos_status_t st = capos_server_run(&srv);
		if (st != CAPOS_OK) {
			capos_printf("init: receive failed: status %ld\n", (long)st);
			return 2;
		}
	}
	stop_servers();
	capos_printf("init: every component has ended; halting\n");
	return 0;
}
