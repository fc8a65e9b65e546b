/*
 * bench_recovery - cost of the recovery primitives in guest instructions
 * (QEMU -icount shift=0: one TSC tick per guest instruction).
 *
 * As a root task (arg 0):
 *   - retarget with N queued calls (N = 0, 10, 100): a client process
 *     (this program, arg 1 | N << 8) starts N threads, each with its own
 *     stack and IPC buffer page, each blocked in Call on an endpoint E
 *     that has a serving process which never receives. The figure is the
 *     mean of REPS retargets of E back and forth between two idle
 *     processes. Afterwards the server is killed and all N callers must
 *     come back DISCONNECTED (checked, printed).
 *   - Process.KILL of a process holding 64 caps and 256 mapped pages
 *     (mean over KILLS processes), and the Delete of the last cap to it.
 */
#include <stdint.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>

#define REPS 100u
#define KILLS 10u
#define C_SELF 1     /* slots in the client */
#define C_EP 4
#define C_READY 5
#define C_DONE 6
#define STACKS 0x10000000ull
#define IPCS   0x20000000ull
#define HEAP   0x30000000ull

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* ---- the client process ---- */

static uint32_t nthreads, park;
static volatile uint32_t returned, disconnected;

__attribute__((noreturn)) static void caller(struct capos_ipc_buffer *b, uint64_t i)
{
	b->label = i;
	b->len = 0;
	b->ncaps = 0;
	capos_status_t st = capos_syscall1(CAPOS_SYS_CALL, C_EP);
	if (st == CAPOS_DISCONNECTED)
		__atomic_add_fetch(&disconnected, 1, __ATOMIC_SEQ_CST);
	if (__atomic_add_fetch(&returned, 1, __ATOMIC_SEQ_CST) == nthreads)
		capos_syscall2(CAPOS_SYS_SIGNAL, C_DONE, disconnected);
	for (;;)
		capos_syscall2(CAPOS_SYS_WAIT, park, CAPOS_WAIT_FOREVER);
}

static int client(uint32_t n)
{
	nthreads = n;
	if (capos_notification_create(C_SELF, &park) != CAPOS_OK)
		return 1;
	if (n && capos_map_anon(C_SELF, STACKS, n, CAPOS_PROT_READ | CAPOS_PROT_WRITE) != CAPOS_OK)
		return 2;
	for (uint32_t i = 0; i < n; i++) {
		struct capos_thread_create tc = {
			.entry = (uint64_t)(uintptr_t)caller,
			.stack = STACKS + (uint64_t)(i + 1) * CAPOS_PAGE_SIZE - 8,
			.ipc_buffer = IPCS + (uint64_t)i * 2 * CAPOS_PAGE_SIZE,
			.arg = i,
			.priority = 100,
		};
		uint32_t t;
		if (capos_thread_create(C_SELF, &tc, &t) != CAPOS_OK || capos_thread_start(t) != CAPOS_OK)
			return 3;
	}
	capos_signal(C_READY, 1);
	for (;;)
		capos_wait(park, CAPOS_WAIT_FOREVER);
}

/* ---- the root ---- */

static uint32_t sleeper;

static void fail(const char *what, capos_status_t st)
{
	capos_printf("bench-recovery: %s failed: status %ld\n", what, (long)st);
	capos_exit(1);
}

static void retarget_bench(uint32_t n, const struct capos_spawned *a,
			   const struct capos_spawned *b)
{
	static const struct capos_limits lim = { 160, 128, 2048, 8 };
	uint32_t ep, ready, done;
	capos_status_t st;
	if ((st = capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep)) != CAPOS_OK ||
	    (st = capos_notification_create(CAPOS_ROOT_PROCESS, &ready)) != CAPOS_OK ||
	    (st = capos_notification_create(CAPOS_ROOT_PROCESS, &done)) != CAPOS_OK)
		fail("set-up", st);
	/* E's serving process: a, which never runs, so nobody receives. */
	if ((st = capos_retarget(CAPOS_ROOT_PROCESS_CONTROL, ep, a->process)) != CAPOS_OK)
		fail("first retarget", st);
	struct capos_spawned c;
	if ((st = capos_spawn("bench_recovery", "bench_callers", &lim, 100,
			      1 | ((uint64_t)n << 8), &c)) != CAPOS_OK ||
	    (st = capos_install_cap(c.process, c.process, C_SELF, CAPOS_RIGHTS_ALL, 0, 0)) != CAPOS_OK ||
	    (st = capos_install_cap(c.process, ep, C_EP, CAPOS_RIGHT_SEND, 0, 0)) != CAPOS_OK ||
	    (st = capos_install_cap(c.process, ready, C_READY, CAPOS_RIGHT_SEND, 0, 0)) != CAPOS_OK ||
	    (st = capos_install_cap(c.process, done, C_DONE, CAPOS_RIGHT_SEND, 0, 0)) != CAPOS_OK ||
	    (st = capos_thread_start(c.thread)) != CAPOS_OK)
		fail("client", st);
	if ((st = capos_wait(ready, 5000000000ull)) != CAPOS_OK)
		fail("client ready", st);
	capos_wait(sleeper, 20000000); /* the N threads run and block in Call */

	uint64_t total = 0;
	for (uint32_t r = 0; r < REPS; r++) {
		uint32_t to = (r & 1) ? a->process : b->process;
		uint64_t t0 = rdtsc();
		st = capos_retarget(CAPOS_ROOT_PROCESS_CONTROL, ep, to);
		uint64_t t1 = rdtsc();
		if (st != CAPOS_OK)
			fail("retarget", st);
		total += t1 - t0;
	}
	/* REPS is even: a serves E again. Kill it: every queued caller must
	 * come back DISCONNECTED. A stand-in takes a's place for the next N. */
	uint64_t t0 = rdtsc();
	capos_process_kill(a->process);
	uint64_t t1 = rdtsc();
	uint64_t bits = 0;
	if (n) {
		st = capos_wait(done, 5000000000ull);
		bits = st == CAPOS_OK ? capos_ipc()->signals : 0;
	}
	capos_printf("bench-recovery: retarget with %u queued calls: %lu guest instructions (mean of %u)\n",
		     n, (unsigned long)(total / REPS), REPS);
	capos_printf("bench-recovery: (check: killing the server woke %lu of %u callers with DISCONNECTED, in %lu guest instructions)\n",
		     (unsigned long)bits, n, (unsigned long)(t1 - t0));
	capos_process_kill(c.process);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, c.process);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, c.thread);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, ep);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, ready);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, done);
}

static void kill_bench(void)
{
	static const struct capos_limits lim = { 128, 4, 1024, 8 };
	uint32_t ep;
	capos_status_t st;
	if ((st = capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep)) != CAPOS_OK)
		fail("kill set-up", st);
	uint64_t kill_total = 0, del_total = 0;
	struct capos_kinfo_stats k0, k1;
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k0);
	for (uint32_t r = 0; r < KILLS; r++) {
		uint32_t p;
		if ((st = capos_process_create(CAPOS_ROOT_PROCESS, "bench_victim", &lim, &p)) != CAPOS_OK ||
		    (st = capos_map_anon(p, HEAP, 256, CAPOS_PROT_READ | CAPOS_PROT_WRITE)) != CAPOS_OK)
			fail("victim", st);
		for (uint32_t s = 0; s < 64; s++)
			if ((st = capos_install_cap(p, ep, s, CAPOS_RIGHTS_ALL, 0, 0)) != CAPOS_OK)
				fail("victim caps", st);
		struct capos_process_info pi;
		capos_process_info(p, &pi);
		if (pi.usage.slots != 64)
			fail("victim slot count", (capos_status_t)pi.usage.slots);
		uint64_t t0 = rdtsc();
		st = capos_process_kill(p);
		uint64_t t1 = rdtsc();
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, p);
		uint64_t t2 = rdtsc();
		if (st != CAPOS_OK)
			fail("kill", st);
		kill_total += t1 - t0;
		del_total += t2 - t1;
	}
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k1);
	capos_printf("bench-recovery: Process.KILL of a process with 64 caps and 256 mapped pages: %lu guest instructions (mean of %u)\n",
		     (unsigned long)(kill_total / KILLS), KILLS);
	capos_printf("bench-recovery: then deleting the last cap to it: %lu guest instructions\n",
		     (unsigned long)(del_total / KILLS));
	capos_printf("bench-recovery: (check: free frames %lu before, %lu after)\n",
		     (unsigned long)k0.free_frames, (unsigned long)k1.free_frames);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, ep);
}

int main(uint64_t arg)
{
	if ((arg & 0xff) == 1)
		return client((uint32_t)(arg >> 8));
	if (arg)
		return 0;
	if (capos_notification_create(CAPOS_ROOT_PROCESS, &sleeper) != CAPOS_OK)
		return 1;
	static const struct capos_limits idle = { 16, 1, 128, 1 };
	static const uint32_t ns[] = { 0, 10, 100 };
	for (uint32_t i = 0; i < 3; i++) {
		/* Two processes that never run: E's serving side moves between them. */
		struct capos_spawned a, b;
		capos_status_t st;
		if ((st = capos_spawn("bench_recovery", "bench_srv_a", &idle, 100, 2, &a)) != CAPOS_OK ||
		    (st = capos_spawn("bench_recovery", "bench_srv_b", &idle, 100, 2, &b)) != CAPOS_OK)
			fail("idle servers", st);
		retarget_bench(ns[i], &a, &b);
		capos_process_kill(b.process);
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, a.process);
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, a.thread);
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, b.process);
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, b.thread);
	}
	kill_bench();
	capos_printf("bench-recovery: done\n");
	return 0;
}
