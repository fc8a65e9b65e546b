/* Kernel entry flags (issue 12): a process may set any flag popfq lets
 * ring 3 change - NT, DF, AC - and then make system calls. The syscall
 * entry must clear them (MSR_FMASK) before the kernel runs: with NT left
 * set, the kernel's own iretq to a thread that was interrupted (here the
 * spinning worker) is a "return to a nested task", a #GP in ring 0 and a
 * kernel panic. Each call must also hand the flags back as they were
 * (sysret restores the caller's RFLAGS). Prints how many calls kept the
 * flags and that the worker ran in between. */
#include "ipc_common.h"

#define STACK_W 0x40000000ull
#define IPC_W   0x40200000ull
#define STACK_PAGES 4u
#define CALLS 200

#define FL_DF (1ull << 10)
#define FL_NT (1ull << 14)
#define FL_AC (1ull << 18)
#define FL_SET (FL_DF | FL_NT | FL_AC)

static volatile uint64_t spins;

__attribute__((noreturn)) static void worker(void *ipc, uint64_t arg)
{
	(void)ipc;
	(void)arg;
	for (;;)
		spins++;
}

/* Wait(ntfn, timeout) with NT, DF and AC set across the syscall; returns
 * the status, *after gets RFLAGS right after the call (before the flags
 * are cleared again, so the compiler's code never runs with DF set). */
static capos_status_t wait_flagged(uint32_t ntfn, uint64_t timeout, uint64_t *after)
{
	capos_status_t ret;
	uint64_t fl;
	__asm__ volatile("pushfq\n\t"
			 "orq %[set], (%%rsp)\n\t"
			 "popfq\n\t"
			 "syscall\n\t"
			 "pushfq\n\t"
			 "popq %[fl]\n\t"
			 "pushfq\n\t"
			 "andq %[clr], (%%rsp)\n\t"
			 "popfq"
			 : "=a"(ret), [fl] "=&r"(fl)
			 : "a"((uint64_t)CAPOS_SYS_WAIT), "D"((uint64_t)ntfn), "S"(timeout),
			   [set] "r"(FL_SET), [clr] "r"(~FL_SET)
			 : "rcx", "r11", "memory", "cc");
	*after = fl;
	return ret;
}

int main(uint64_t arg)
{
	(void)arg;
	uint32_t sleeper = ipc_sleeper();
	capos_status_t ms = capos_map_anon(CAPOS_ROOT_PROCESS, STACK_W, STACK_PAGES,
					   CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	struct capos_thread_create tc = {
		.entry = (uint64_t)(uintptr_t)worker,
		.stack = STACK_W + STACK_PAGES * CAPOS_PAGE_SIZE - 8,
		.ipc_buffer = IPC_W,
		.tls_base = 0,
		.arg = 0,
		.priority = 100,
		.time_slice_us = 0,
	};
	uint32_t t = CAPOS_NO_CAP;
	capos_status_t ct = capos_thread_create(CAPOS_ROOT_PROCESS, &tc, &t);
	capos_status_t ss = capos_thread_start(t);
	capos_printf("kentry: worker: map %ld, create %ld, start %ld\n", (long)ms, (long)ct,
		     (long)ss);

	int timed_out = 0, kept = 0;
	uint64_t s0 = spins;
	for (int i = 0; i < CALLS; i++) {
		uint64_t after = 0;
		capos_status_t st = wait_flagged(sleeper, 200000, &after);
		timed_out += st == CAPOS_TIMEOUT;
		kept += (after & FL_SET) == FL_SET;
	}
	capos_printf("kentry: %d waits with NT DF AC set: timed out %d, flags kept %d, worker ran %d\n",
		     CALLS, timed_out, kept, spins > s0);
	return 0;
}
