/*
 * demo_component - one program, several manifest components (manifests/
 * demo-three.textproto, tests/qemu/init_*.expect). Each instance:
 *  - prints its whole capability table through its CapabilityManager
 *    (`capmgr`), one line per slot with the startup name of that slot, and
 *    the count, in one write so instances do not interleave:
 *      demo NAME: cap LOCAL slot S type T rights R badge B iface I
 *      demo NAME: N caps, N named
 *  - signals `ready` (init's readiness notification);
 *  - serves `svc` if it holds its RECV side: answers 2 calls with the
 *    caller's badge (8 bytes), then exits;
 *  - else calls `svc` once and prints the badge the server saw;
 *  - reads `kinfo` if it has it, and its own process's Info through
 *    `self` (a KERNEL_RESOURCE_SELF grant) if it has that;
 *  - named `crasher`: faults (a null write) right after `ready`;
 *  - with `spawner`, asks ProcessSpawner for a child over its profile
 *    (expects LIMIT_EXCEEDED) and one within it (a `demo_component` named
 *    `child`, handed our console cap);
 * Its output goes to `console`: the console server's endpoint, or an
 * IOPort of the UART (written directly, one WRITE_STRING per batch).
 * then exits 0. Started with no startup page (as a root task of an old
 * package) it exits at once.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/uart.h>

#include "process.capos.h"

int main(void);

static char out[CAPOS_IOPORT_STRING_MAX];
static size_t outn;
static const char *me;
/* What `console` is: an IOPort (the UART itself, written here) or the
 * console server's endpoint (capos_debug_write, which adds the \r). */
static uint32_t console_type;

__attribute__((format(printf, 1, 2))) static void put(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = capos_vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	/* \n -> \r\n for the UART, as capos_debug_write does */
	for (int i = 0; i < n && outn + 2 < sizeof(out); i++) {
		if (line[i] == '\n' && console_type == CAPOS_CAP_IOPORT)
			out[outn++] = '\r';
		out[outn++] = line[i];
	}
}

/* One WRITE_STRING system call, or one Console.Write: the lines of one
 * instance stay together. */
static void flush(void)
{
	if (console_type == CAPOS_CAP_IOPORT)
		capos_port_write_string(capos_debug_port, COM1_THR, COM1_LSR, LSR_THRE, out,
					(uint32_t)outn);
	else
		capos_debug_write(out, outn);
	outn = 0;
}

static const char *name_of(const struct capos_startup *su, uint32_t slot)
{
	for (uint32_t i = 0; su && i < su->ncaps; i++)
		if (su->caps[i].slot == slot)
			return su->caps[i].name;
	return "-";
}

static uint32_t svc_rights;

static void list_caps(const struct capos_startup *su, capos_cap_t mgr)
{
	static struct capos_capmgr_list_result r;
	uint32_t first = 0, count = 0, named = 0;
	for (;;) {
		if (capos_cap_list(mgr, first, CAPOS_CAPMGR_LIST_MAX, &r) != CAPOS_OK) {
			put("demo %s: capmgr list failed\n", me);
			return;
		}
		for (uint32_t i = 0; i < r.count; i++) {
			const struct capos_cap_info *e = &r.entries[i];
			const char *n = name_of(su, e->slot);
			count++;
			named += strcmp(n, "-") != 0;
			if (!strcmp(n, "svc"))
				svc_rights = e->rights;
			put("demo %s: cap %s slot %u type %u rights %#x badge %#lx iface %#lx\n", me,
			    n, (unsigned)e->slot, (unsigned)e->type, (unsigned)e->rights,
			    (unsigned long)e->badge, (unsigned long)e->interface_id);
		}
		if (r.count == 0 || r.next >= r.table_size)
			break;
		first = r.next;
	}
	put("demo %s: %u caps, %u named, startup names %u\n", me, (unsigned)count,
	    (unsigned)named, (unsigned)su->ncaps);
}

static void serve(capos_cap_t ep, int calls)
{
	struct capos_ipc_buffer *b = capos_ipc();
	capos_status_t st = capos_recv(ep);
	for (int n = 1; st == CAPOS_OK; n++) {
		uint64_t badge = b->badge;
		capos_printf("demo %s: call %d from badge %#lx\n", me, n, (unsigned long)badge);
		b->label = CAPOS_OK;
		b->len = sizeof(badge);
		b->ncaps = 0;
		memcpy(b->body, &badge, sizeof(badge));
		if (n == calls) {
			/* Answer the last call, then stop: ReplyRecv on no cap replies
			 * first and then fails. */
			capos_syscall1(CAPOS_SYS_REPLY_RECV, CAPOS_NO_CAP);
			return;
		}
		st = capos_reply_recv(ep);
	}
	capos_printf("demo %s: serving stopped: status %ld\n", me, (long)st);
}

static void call_svc(capos_cap_t ep)
{
	struct capos_ipc_buffer *b = capos_ipc();
	b->label = 1;
	b->len = 0;
	b->ncaps = 0;
	capos_status_t st = capos_call(ep);
	uint64_t seen = 0;
	if (st == CAPOS_OK && b->label == CAPOS_OK && b->len >= sizeof(seen))
		memcpy(&seen, b->body, sizeof(seen));
	capos_printf("demo %s: call status %ld, server saw badge %#lx\n", me, (long)st,
		     (unsigned long)seen);
}

/* Spawn through the generated stub, with up to one cap carried in the
 * request; *control gets the slot of the reply's cap (the stub answers
 * OK only with it). */
static capos_status_t spawn(capos_cap_t spawner, const capos_SpawnRequest *req,
			    capos_cap_t give, capos_SpawnResult *res, capos_cap_t *control)
{
	struct capos_cap_list send = { .count = give != CAPOS_NO_CAP ? 1 : 0, .move = 0,
				       .cap = { give } };
	struct capos_cap_list got;
	*control = CAPOS_NO_CAP;
	capos_status_t st = processspawner_spawn(spawner, req, &send, res, &got);
	if (st == CAPOS_OK)
		*control = got.cap[0];
	return st;
}

static void try_spawner(capos_cap_t spawner, capos_cap_t console)
{
	static capos_SpawnRequest req;
	capos_SpawnResult res = capos_SpawnResult_init_zero;
	memset(&req, 0, sizeof(req));
	strlcpy(req.name, "greedy", sizeof(req.name));
	strlcpy(req.binary, "demo_component", sizeof(req.binary));
	req.has_limits = true;
	req.limits = (capos_ResourceLimits){ .max_slots = 8, .max_threads = 1,
					     .max_pages = 100000, .max_endpoints = 1 };
	req.priority = 10;
	capos_cap_t control;
	capos_status_t st = spawn(spawner, &req, CAPOS_NO_CAP, &res, &control);
	capos_printf("demo %s: spawn over profile (100000 pages): status %ld\n", me, (long)st);

	/* Within the profile, but a time slice one past the bound. */
	req.limits.max_pages = 64;
	req.time_slice_us = CAPOS_MAX_TIME_SLICE_US + 1u;
	st = spawn(spawner, &req, CAPOS_NO_CAP, &res, &control);
	capos_printf("demo %s: spawn with time slice %u us: status %ld\n", me,
		     (unsigned)req.time_slice_us, (long)st);

	memset(&req, 0, sizeof(req));
	strlcpy(req.name, "child", sizeof(req.name));
	strlcpy(req.binary, "demo_component", sizeof(req.binary));
	req.has_limits = true;
	req.limits = (capos_ResourceLimits){ .max_slots = 8, .max_threads = 1,
					     .max_pages = 64, .max_endpoints = 1 };
	req.priority = 10;
	req.cap_names_count = 1;
	strlcpy(req.cap_names[0], "console", sizeof(req.cap_names[0]));
	st = spawn(spawner, &req, console, &res, &control);
	capos_printf("demo %s: spawn within profile: status %ld, child pid %u\n", me, (long)st,
		     (unsigned)res.pid);
	if (control == CAPOS_NO_CAP) {
		capos_printf("demo %s: the spawn reply carried no cap\n", me);
		return;
	}
	/* The reply's cap: ProcessControl of this child alone. */
	static capos_ProcessStatus ps;
	static capos_ProcessList pl;
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	st = processcontrol_status(control, &ref, &ps);
	capos_printf("demo %s: child control: Status -> %ld, name %s pid %u handle %lu state %d "
		     "binary %s\n", me, (long)st, ps.name, (unsigned)ps.pid,
		     (unsigned long)ps.handle, (int)ps.state, ps.binary);
	capos_ProcessListRequest lr = capos_ProcessListRequest_init_zero;
	st = processcontrol_list(control, &lr, &pl);
	capos_printf("demo %s: child control: List -> %ld, %u processes, first %s\n", me, (long)st,
		     (unsigned)pl.processes_count, pl.processes_count ? pl.processes[0].name : "-");
	strlcpy(ref.name, "crasher", sizeof(ref.name));
	st = processcontrol_status(control, &ref, &ps);
	capos_printf("demo %s: child control: Status of crasher -> %ld\n", me, (long)st);
	capos_Empty e = capos_Empty_init_zero;
	st = processcontrol_kill(control, &ref, &e);
	capos_printf("demo %s: child control: Kill of crasher -> %ld\n", me, (long)st);
}

int main(void)
{
	const struct capos_startup *su = capos_startup();
	capos_cap_t console = capos_cap_lookup_type("console", &console_type);
	if (!su || console == CAPOS_NO_CAP)
		return 0; /* a root task of an old package, or no way to speak */
	me = su->program;
	if (console_type == CAPOS_CAP_IOPORT)
		capos_debug_port = console;
	capos_cap_t mgr = capos_cap_lookup("capmgr");
	if (mgr != CAPOS_NO_CAP) {
		list_caps(su, mgr);
	} else {
		for (uint32_t i = 0; i < su->ncaps; i++)
			put("demo %s: startup cap %s slot %u type %u\n", me, su->caps[i].name,
			    (unsigned)su->caps[i].slot, (unsigned)su->caps[i].type);
		put("demo %s: no capmgr, %u startup names\n", me, (unsigned)su->ncaps);
	}
	flush();
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		capos_service_ready(ready, 1);

	if (!strcmp(me, "crasher")) {
		capos_printf("demo %s: faulting on purpose\n", me);
		*(volatile int *)0 = 1; /* init applies its restart policy */
	}
	capos_cap_t kinfo = capos_cap_lookup("kinfo");
	if (kinfo != CAPOS_NO_CAP) {
		struct capos_kinfo_stats ks;
		capos_status_t st = capos_kinfo_stats(kinfo, &ks);
		capos_printf("demo %s: kinfo status %ld, live objects %s\n", me, (long)st,
			     st == CAPOS_OK && ks.live_objects ? "nonzero" : "zero");
	}
	capos_cap_t self = capos_cap_lookup("self");
	if (self != CAPOS_NO_CAP) {
		/* A SELF grant: its own process (READ is enough for Info). */
		struct capos_process_info pi;
		capos_status_t st = capos_process_info(self, &pi);
		capos_printf("demo %s: self info status %ld, pid %u, max_pages %u\n", me, (long)st,
			     st == CAPOS_OK ? (unsigned)pi.pid : 0u,
			     st == CAPOS_OK ? (unsigned)pi.limits.max_pages : 0u);
	}
	capos_cap_t spawner = capos_cap_lookup("spawner");
	if (spawner != CAPOS_NO_CAP)
		try_spawner(spawner, console);
	capos_cap_t svc = capos_cap_lookup("svc");
	if (svc != CAPOS_NO_CAP) {
		if (svc_rights & CAPOS_RIGHT_RECV)
			serve(svc, 2);
		else
			call_svc(svc);
	}
	capos_printf("demo %s: done\n", me);
	return 0;
}
