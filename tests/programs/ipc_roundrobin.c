/* IPC test 8: round robin. Two CPU-bound threads of one process at the same
 * priority (100, below the root thread) count in shared counters; the root
 * sleeps 50 ms at a time and samples. Time slices must rotate: both
 * counters grow in every window. */
#include "ipc_common.h"

#define STACK_A 0x40000000ull
#define STACK_B 0x40100000ull
#define IPC_A   0x40200000ull
#define IPC_B   0x40201000ull
#define STACK_PAGES 4u

static volatile uint64_t counters[2];

__attribute__((noreturn)) static void worker(void *ipc, uint64_t arg)
{
	(void)ipc;
	for (;;)
		counters[arg & 1]++;
}

static uint32_t make(uint64_t stack, uint64_t ipc, uint64_t arg)
{
	capos_status_t st = capos_map_anon(CAPOS_ROOT_PROCESS, stack, STACK_PAGES,
					   CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	struct capos_thread_create tc = {
		.entry = (uint64_t)(uintptr_t)worker,
		.stack = stack + STACK_PAGES * CAPOS_PAGE_SIZE - 8,
		.ipc_buffer = ipc,
		.tls_base = 0,
		.arg = arg,
		.priority = 100,
		.time_slice_us = 0,
	};
	uint32_t t = CAPOS_NO_CAP;
	capos_status_t ct = capos_thread_create(CAPOS_ROOT_PROCESS, &tc, &t);
	capos_status_t ss = capos_thread_start(t);
	capos_printf("roundrobin: thread %lu: stack map %ld, create %ld, start %ld\n",
		     (unsigned long)arg, (long)st, (long)ct, (long)ss);
	return t;
}

int main(uint64_t arg)
{
	(void)arg;
	uint32_t sleeper = ipc_sleeper();
	make(STACK_A, IPC_A, 0);
	make(STACK_B, IPC_B, 1);
	struct capos_kinfo_stats k0, k1;
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k0);
	uint64_t prev[2] = { counters[0], counters[1] };
	int both = 0;
	const int windows = 6;
	for (int w = 0; w < windows; w++) {
		capos_wait(sleeper, 50000000);
		uint64_t a = counters[0], b = counters[1];
		if (a > prev[0] && b > prev[1])
			both++;
		prev[0] = a;
		prev[1] = b;
	}
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k1);
	capos_printf("roundrobin: counters %lu %lu; both > 0: %d; windows where both advanced: %d of %d; %lu ms, %lu timer interrupts\n",
		     (unsigned long)prev[0], (unsigned long)prev[1], prev[0] > 0 && prev[1] > 0, both,
		     windows, (unsigned long)((k1.now_ns - k0.now_ns) / 1000000),
		     (unsigned long)(k1.timer_interrupts - k0.timer_interrupts));
	return 0; /* the exit ends both workers */
}
