/*
 * fuzz_srv_init: init's ProcessSpawner (servers/init/spawner.c) and
 * ProcessControl (servers/init/control.c) behind their generated
 * dispatchers, with a fake kernel under them (the kernel calls init makes:
 * spawn, mint, delete, process info, kill, start) and a fake of
 * supervise.c's part: one endpoint serving both interfaces, crash records
 * of killed children delivered after each call.
 *
 * The manifest: three components; the fuzz input reaches spawner caps of
 * the first two (small thread quotas, so the child table cannot fill),
 * control caps with and without CONTROL, a cap scoped to the first child
 * and one with a badge of no kind. The third component is the checker's.
 *
 * The check: the checker Spawns a child and gets its pid, its handle and a
 * scoped control cap; Status through that cap names the child; Kill
 * through it ends it and its slot and quota come back; Status of a
 * component by handle answers its name and pid. Invariant: each
 * component's charged limits are the sum of its live children's and
 * within its profile.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>

#include "dispatch_fuzz.h"
#include "init.h"
#include "stop_seq.h"

struct init_state g_init;

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void capos_printf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap); /* formatted, not shown */
	va_end(ap);
}

int capos_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	return vsnprintf(buf, n, fmt, ap);
}

int capos_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

/* The kernel calls of Retarget, CapTable and InjectFault are not modelled:
 * they answer as a kernel refusing them would, so the fuzzer drives
 * init's checks in front of them and its error paths behind them. */
capos_status_t capos_install_cap(capos_cap_t proc, uint32_t src, uint32_t dst,
				 uint32_t rights, int set_badge, uint64_t badge)
{
	(void)proc, (void)src, (void)dst, (void)rights, (void)set_badge, (void)badge;
	return CAPOS_DENIED;
}

capos_status_t capos_retarget(capos_cap_t pctl, uint32_t endpoint, uint32_t process)
{
	(void)pctl, (void)endpoint, (void)process;
	return CAPOS_DENIED;
}

/* Retarget's wait between serve-notice tries (never reached: the retarget
 * before it is refused). */
capos_status_t capos_notification_create(capos_cap_t proc, uint32_t *slot)
{
	(void)proc, (void)slot;
	return CAPOS_DENIED;
}

capos_status_t capos_thread_create(capos_cap_t proc, const struct capos_thread_create *a,
				   uint32_t *slot)
{
	(void)proc, (void)a, (void)slot;
	return CAPOS_DENIED;
}

capos_status_t capos_pctl_cap_list(capos_cap_t pctl, uint32_t process, uint32_t first,
				   uint32_t max, struct capos_capmgr_list_result *out)
{
	(void)pctl, (void)process, (void)first, (void)max, (void)out;
	return CAPOS_DENIED;
}

/* ---- the fake kernel: processes as init's slots ---- */

#define NPROC 64
#define PROC_SLOT(i) (2000u + 2u * (i))
#define THREAD_SLOT(i) (2001u + 2u * (i))
#define EP_SPAWN0 5
#define EP_SPAWN1 6
#define EP_CTL0 7
#define EP_CTL1W 8
#define EP_SCOPED 9
#define EP_NOKIND 10
#define EP_CHECK_SPAWN 20
#define EP_CHECK_CTL 21

static struct fproc {
	int used, alive;
	uint32_t pid;
} procs[NPROC];
static uint32_t next_pid;
static capos_cap_t reply_cap; /* the loopback slot INIT_REPLY_SLOT stands for */
static uint32_t dying[NPROC];  /* procs killed, crash records not yet delivered */
static uint32_t ndying;

static struct fproc *proc_of(uint32_t slot)
{
	if (slot < 2000u || slot >= PROC_SLOT(NPROC) || (slot & 1u))
		return NULL;
	struct fproc *p = &procs[(slot - 2000u) / 2u];
	return p->used ? p : NULL;
}

static int known_binary(const char *b)
{
	return !strcmp(b, "hello") || !strcmp(b, "alpha") || !strcmp(b, "beta") ||
	       !strcmp(b, "shell");
}

capos_status_t capos_spawn_caps(const char *program, const char *name,
				const struct capos_limits *limits, uint32_t priority, uint64_t arg,
				const struct capos_spawn_cap *caps, uint32_t ncaps,
				struct capos_spawned *out)
{
	(void)arg;
	if (!known_binary(program))
		return CAPOS_NOT_FOUND;
	if (!name || !name[0] || priority > 254)
		return CAPOS_INVALID_ARGUMENT;
	if (limits->max_threads == 0 || limits->max_slots < ncaps || limits->max_pages < 4)
		return CAPOS_LIMIT_EXCEEDED; /* the child could not even start */
	for (uint32_t j = 0; j < ncaps; j++)
		if (!capos_loopback_cap_present(caps[j].src))
			return CAPOS_INVALID_CAP;
	for (uint32_t i = 0; i < NPROC; i++)
		if (!procs[i].used) {
			procs[i] = (struct fproc){ .used = 1, .alive = 1, .pid = next_pid++ };
			out->process = PROC_SLOT(i);
			out->thread = THREAD_SLOT(i);
			return CAPOS_OK;
		}
	return CAPOS_NO_MEMORY;
}

capos_status_t capos_thread_set_priority(capos_cap_t thread, uint32_t prio, uint32_t slice_us)
{
	(void)thread;
	(void)slice_us;
	return prio > 254 ? CAPOS_INVALID_ARGUMENT : CAPOS_OK;
}

capos_status_t capos_thread_start(capos_cap_t thread)
{
	return proc_of(thread - 1u) ? CAPOS_OK : CAPOS_INVALID_CAP;
}

capos_status_t init_supervise_process(uint32_t proc, uint64_t badge)
{
	(void)badge;
	return proc_of(proc) ? CAPOS_OK : CAPOS_INVALID_CAP;
}

capos_status_t capos_process_info(capos_cap_t proc, struct capos_process_info *out)
{
	struct fproc *p = proc_of(proc);
	if (!p)
		return CAPOS_INVALID_CAP;
	memset(out, 0, sizeof(*out));
	out->pid = p->pid;
	out->state = p->alive ? CAPOS_PROCESS_ALIVE : CAPOS_PROCESS_KILLED;
	out->usage.threads = p->alive;
	return CAPOS_OK;
}

capos_status_t capos_process_kill(capos_cap_t proc)
{
	struct fproc *p = proc_of(proc);
	if (!p)
		return CAPOS_INVALID_CAP;
	if (p->alive && ndying < NPROC)
		dying[ndying++] = proc;
	p->alive = 0;
	return CAPOS_OK;
}

capos_status_t capos_cap_delete(capos_cap_t mgr, uint32_t slot)
{
	(void)mgr;
	if (slot == INIT_REPLY_SLOT) {
		if (reply_cap != CAPOS_NO_CAP) {
			struct capos_cap_list one = { .count = 1, .cap = { reply_cap } };
			capos_transport_drop(&one);
		}
		reply_cap = CAPOS_NO_CAP;
		return CAPOS_OK;
	}
	struct fproc *p = proc_of(slot);
	if (p)
		p->used = 0;
	return CAPOS_OK;
}

capos_status_t capos_cap_mint(capos_cap_t mgr, uint32_t src, uint32_t dst, uint32_t rights,
			      int set_badge, uint64_t badge)
{
	(void)mgr;
	(void)src;
	(void)rights;
	(void)set_badge;
	if (dst != INIT_REPLY_SLOT)
		return CAPOS_INVALID_ARGUMENT; /* init mints nowhere else here */
	if (reply_cap != CAPOS_NO_CAP)
		return CAPOS_SLOT_OCCUPIED;
	reply_cap = capos_loopback_mint(EP_SPAWN0, badge);
	return reply_cap == CAPOS_NO_CAP ? CAPOS_LIMIT_EXCEEDED : CAPOS_OK;
}

/* stop_kernel.c's part of a Stop: nobody acknowledges, and each wait
 * ends at once with the fake clock moved past the bound. */
static uint64_t fake_now;
static void stop_tell(void *ctx, uint32_t i)
{
	(void)ctx;
	(void)i;
}
static capos_status_t stop_wait(void *ctx, uint32_t i, uint64_t ns, uint64_t *bits)
{
	(void)ctx;
	(void)i;
	*bits = 0;
	fake_now += ns;
	return ns ? CAPOS_TIMEOUT : CAPOS_WOULD_BLOCK;
}
static int stop_ended(void *ctx, uint32_t i)
{
	(void)ctx;
	struct fproc *p = proc_of(g_init.comp[i].proc);
	return !p || !p->alive;
}
static void stop_kill(void *ctx, uint32_t i)
{
	(void)ctx;
	capos_process_kill(g_init.comp[i].proc);
}
static uint64_t stop_now(void *ctx)
{
	(void)ctx;
	return fake_now;
}
const struct init_stop_ops init_stop_kernel_ops = {
	.tell = stop_tell, .wait = stop_wait, .ended = stop_ended, .kill = stop_kill,
	.now_ns = stop_now,
};

/* build.c's part of an Upgrade: a new instance, the old one draining. */
capos_status_t init_spawn_component(uint32_t i, enum init_spawn_mode mode, const char *binary)
{
	if (binary && !known_binary(binary))
		return CAPOS_NOT_FOUND;
	struct init_component *c = &g_init.comp[i];
	if (mode == INIT_UPGRADE)
		c->draining = 1;
	c->pid = next_pid++;
	if (binary)
		strlcpy(c->binary, binary, sizeof(c->binary));
	return CAPOS_OK;
}

/* supervise.c's part: crash records of killed processes. */
static void deliver_deaths(void)
{
	while (ndying) {
		uint32_t proc = dying[--ndying];
		for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++)
			if (g_init.child[k].used && g_init.child[k].proc == proc) {
				struct capos_crash_record r = { .pid = proc_of(proc)->pid,
								.cause = CAPOS_DEATH_KILLED };
				init_child_died(k, &r);
			}
		for (uint32_t i = 0; i < g_init.n; i++)
			if (g_init.comp[i].proc == proc) {
				/* Restarted at once, in the same slots. */
				struct fproc *p = proc_of(proc);
				p->alive = 1;
				p->pid = next_pid++;
				g_init.comp[i].pid = p->pid;
				g_init.comp[i].restarts++;
			}
	}
}

/* init's one endpoint: both services; the reply's cap is INIT_REPLY_SLOT. */
static capos_status_t init_endpoint(const void *ops, void *ctx, struct capos_rpc_request *rq)
{
	(void)ops;
	(void)ctx;
	capos_status_t st = CAPOS_RPC_INTERFACE(rq->label) == PROCESSSPAWNER_INTERFACE_ID
				    ? processspawner_dispatch(&init_spawner_ops, NULL, rq)
				    : processcontrol_dispatch(&init_control_ops, NULL, rq);
	for (uint32_t j = 0; j < rq->caps_out.count; j++)
		if (rq->caps_out.cap[j] == INIT_REPLY_SLOT) {
			rq->caps_out.cap[j] = reply_cap;
			reply_cap = CAPOS_NO_CAP; /* moved out with the reply */
		}
	deliver_deaths();
	return st;
}

/* ---- the manifest ---- */

static capos_System sys;
static const struct capos_limits profile[3] = {
	{ .max_slots = 64, .max_threads = 4, .max_pages = 256, .max_endpoints = 8 },
	{ .max_slots = 32, .max_threads = 3, .max_pages = 128, .max_endpoints = 4 },
	{ .max_slots = 16, .max_threads = 2, .max_pages = 64, .max_endpoints = 2 },
};

static void endpoint(capos_cap_t slot, uint64_t badge)
{
	struct capos_rpc_service svc = { .interface_id = PROCESSCONTROL_INTERFACE_ID,
					 .dispatch = init_endpoint };
	capos_loopback_register(slot, svc, badge);
}

static void setup(void)
{
	static const char *const names[3] = { "alpha", "beta", "checker" };
	memset(&g_init, 0, sizeof(g_init));
	memset(&sys, 0, sizeof(sys));
	memset(procs, 0, sizeof(procs));
	ndying = 0;
	next_pid = 2;
	reply_cap = CAPOS_NO_CAP;
	sys.components_count = 3;
	g_init.sys = &sys;
	g_init.n = 3;
	for (uint32_t i = 0; i < 3; i++) {
		capos_Component *m = &sys.components[i];
		strcpy(m->name, names[i]);
		strcpy(m->binary, i < 2 ? names[i] : "shell");
		m->priority = 10u + i;
		m->serves_count = i == 0;
		struct init_component *c = &g_init.comp[i];
		c->m = m;
		c->limits = profile[i];
		procs[i] = (struct fproc){ .used = 1, .alive = 1, .pid = next_pid++ };
		c->proc = PROC_SLOT(i);
		c->thread = THREAD_SLOT(i);
		c->pid = procs[i].pid;
		c->alive = 1;
		c->ready = 1;
	}
	endpoint(EP_SPAWN0, INIT_BADGE_SPAWNER | 0);
	endpoint(EP_SPAWN1, INIT_BADGE_SPAWNER | 1);
	endpoint(EP_CTL0, INIT_BADGE_CONTROL | 0);
	endpoint(EP_CTL1W, INIT_BADGE_CONTROL | INIT_CONTROL_WRITE | 1);
	endpoint(EP_SCOPED, INIT_BADGE_CHILDCTL | (INIT_MAX_COMPONENTS + 1));
	endpoint(EP_NOKIND, 0x1234);
	endpoint(EP_CHECK_SPAWN, INIT_BADGE_SPAWNER | 2);
	endpoint(EP_CHECK_CTL, INIT_BADGE_CONTROL | 2);
}

/* Each component's charge is the sum of its live children, within its
 * profile. */
static int accounts_balance(void)
{
	for (uint32_t i = 0; i < g_init.n; i++) {
		struct capos_limits sum = { 0 };
		for (uint32_t k = 0; k < INIT_MAX_CHILDREN; k++) {
			const struct init_child *ch = &g_init.child[k];
			if (!ch->used || ch->parent != i)
				continue;
			sum.max_slots += ch->limits.max_slots;
			sum.max_threads += ch->limits.max_threads;
			sum.max_pages += ch->limits.max_pages;
			sum.max_endpoints += ch->limits.max_endpoints;
		}
		const struct capos_limits *c = &g_init.comp[i].children, *p = &g_init.comp[i].limits;
		if (memcmp(&sum, c, sizeof(sum)) || c->max_slots > p->max_slots ||
		    c->max_threads > p->max_threads || c->max_pages > p->max_pages ||
		    c->max_endpoints > p->max_endpoints)
			return 0;
	}
	return 1;
}

static int check(void)
{
	int bad = fuzz_expect(accounts_balance(), "a component's children are charged wrongly");
	capos_SpawnRequest rq = capos_SpawnRequest_init_zero;
	capos_SpawnResult res = capos_SpawnResult_init_zero;
	struct capos_cap_list got;
	strcpy(rq.binary, "hello");
	strcpy(rq.name, "probe");
	rq.has_limits = true;
	rq.limits.max_slots = 16;
	rq.limits.max_threads = 2;
	rq.limits.max_pages = 64;
	rq.limits.max_endpoints = 2;
	rq.priority = 12;
	uint32_t pid = next_pid;
	if (fuzz_expect(processspawner_spawn(EP_CHECK_SPAWN, &rq, NULL, &res, &got) ==
				CAPOS_OK && got.count == 1 && res.pid == pid &&
				res.handle == g_init.next_handle,
			"Spawn: not the child asked for"))
		return 1;
	capos_cap_t ctl = got.cap[0];
	capos_ProcessRef self = capos_ProcessRef_init_zero;
	capos_ProcessStatus ps;
	memset(&ps, 0, sizeof(ps));
	bad |= fuzz_expect(processcontrol_status(ctl, &self, &ps) == CAPOS_OK &&
				   !strcmp(ps.name, "probe") && ps.pid == pid &&
				   ps.handle == res.handle && ps.state == CAPOS_PROCESS_ALIVE,
			   "Status through the scoped cap: not the child");
	capos_Empty e = capos_Empty_init_zero;
	bad |= fuzz_expect(processcontrol_kill(ctl, &self, &e) == CAPOS_OK,
			   "Kill through the scoped cap failed");
	bad |= fuzz_expect(processcontrol_status(ctl, &self, &ps) == CAPOS_NOT_FOUND &&
				   g_init.comp[2].children.max_threads == 0,
			   "the killed child is still there");
	capos_transport_drop(&got);
	capos_ProcessRef first = { .handle = 1 };
	memset(&ps, 0, sizeof(ps));
	bad |= fuzz_expect(processcontrol_status(EP_CHECK_CTL, &first, &ps) == CAPOS_OK &&
				   !strcmp(ps.name, "alpha") && ps.pid == g_init.comp[0].pid,
			   "Status of a component: not its name and pid");
	return bad;
}

/* ---- seeds: real requests ---- */

static const capos_SpawnRequest spawn_hello = {
	.name = "child", .binary = "hello", .has_limits = true,
	.limits = { .max_slots = 8, .max_threads = 1, .max_pages = 16, .max_endpoints = 1 },
	.priority = 5, .time_slice_us = 2000,
};
static const capos_SpawnRequest spawn_caps = {
	.binary = "hello", .has_limits = true,
	.limits = { .max_slots = 8, .max_threads = 1, .max_pages = 16, .max_endpoints = 1 },
	.priority = 5, .cap_names_count = 2, .cap_names = { "log", "console" },
	.args = { .size = 8, .bytes = { 1, 2, 3, 4, 5, 6, 7, 8 } },
};
static const capos_SpawnRequest spawn_greedy = {
	.binary = "beta", .has_limits = true,
	.limits = { .max_slots = 64, .max_threads = 4, .max_pages = 512, .max_endpoints = 8 },
	.priority = 200,
};
static const capos_ProcessRef ref_first_child = { .handle = INIT_MAX_COMPONENTS + 1 };
static const capos_ProcessRef ref_alpha = { .name = "alpha" };
static const capos_ProcessRef ref_empty = capos_ProcessRef_init_zero;
static const capos_ProcessListRequest list_all = capos_ProcessListRequest_init_zero;
static const capos_ProcessListRequest list_page = { .first = 2, .max = 1 };
static const capos_UpgradeRequest upgrade = { .component = "alpha", .binary = "alpha" };
static const capos_RetargetRequest retarget = { .endpoint = "log", .component = "beta" };

static const struct fuzz_seed seeds[] = {
	{ 0, &processspawner_spawn_method, &spawn_hello, 0 },
	{ 1, &processspawner_spawn_method, &spawn_caps, 0x12 },
	{ 0, &processspawner_spawn_method, &spawn_greedy, 0 },
	{ 2, &processcontrol_status_method, &ref_first_child, 0 },
	{ 4, &processcontrol_status_method, &ref_empty, 0 },
	{ 2, &processcontrol_list_method, &list_all, 0 },
	{ 3, &processcontrol_list_method, &list_page, 0 },
	{ 3, &processcontrol_status_method, &ref_alpha, 0 },
	{ 3, &processcontrol_kill_method, &ref_first_child, 0 },
	{ 4, &processcontrol_kill_method, &ref_empty, 0 },
	{ 3, &processcontrol_upgrade_method, &upgrade, 0 },
	{ 3, &processcontrol_retarget_method, &retarget, 0 },
	{ 5, &processcontrol_list_method, &list_all, 0 },
	{ 3, &processcontrol_kill_method, &ref_alpha, 0 },
};

const struct fuzz_server fuzz_server = {
	.name = "init",
	.setup = setup,
	.endpoints = { EP_SPAWN0, EP_SPAWN1, EP_CTL0, EP_CTL1W, EP_SCOPED, EP_NOKIND },
	.nendpoints = 6,
	.methods = { &processspawner_spawn_method, &processcontrol_status_method,
		     &processcontrol_list_method, &processcontrol_kill_method,
		     &processcontrol_upgrade_method, &processcontrol_retarget_method,
		     &processcontrol_stop_method, &processcontrol_cap_table_method,
		     &processcontrol_inject_fault_method, NULL },
	.check = check,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
};
