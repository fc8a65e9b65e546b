/*
 * syscall.c - syscall MSR set-up and the system call dispatcher.
 *
 * The dispatcher reads the number and arguments from the trapframe and
 * writes the status to tf->rax. An unknown number is an error code, never a
 * fault. Interrupts stay off for the whole call (FMASK clears IF): the
 * kernel is not preemptible, as in seL4.
 */
#include <stdint.h>

#include <capos/abi.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/syscall.h"
#include "core/panic.h"
#include "core/sched.h"
#include "object/process.h"

extern char syscall_entry[];

void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* sysret: CS = 0x10 + 16 | 3, SS = 0x10 + 8 | 3; syscall: CS 0x08, SS 0x10 */
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
}

#ifdef CAPOS_PANIC_TEST
/* Only in the panic-test kernel: a syscall that makes the kernel fault,
 * so the test sees a real ring-0 page fault with a process running. */
#define SYS_TEST_PANIC 0x7e
static void test_panic(void)
{
	volatile uint64_t *bad = (volatile uint64_t *)(uintptr_t)0xffffffffffe00000ull;
	*bad = 0xdead;
}
#endif

void syscall_dispatch(struct trapframe *tf)
{
	struct thread *t = sched_current();
	switch (tf->rax) {
	case CAPOS_SYS_EXIT:
		process_exit(t->proc, (int64_t)tf->rdi);
	case CAPOS_SYS_YIELD:
		tf->rax = CAPOS_OK;
		sched_yield();
		return;
#ifdef CAPOS_PANIC_TEST
	case SYS_TEST_PANIC:
		test_panic();
		tf->rax = CAPOS_OK;
		return;
#endif
	default:
		/* Not yet implemented (issue 3) or not a syscall at all. */
		tf->rax = (uint64_t)CAPOS_UNSUPPORTED;
		return;
	}
}
