/*
 * syscall.c - syscall MSR set-up and the architecture side of a syscall.
 * Interrupts stay off for the whole call (FMASK clears IF): the kernel is
 * not preemptible, as in seL4.
 */
#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/syscall_fast.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/switch.h"
#include "arch/x86_64/syscall.h"
#include "core/fastpath.h"
#include "core/sched.h"
#include "core/syscall.h"

extern char syscall_entry[];

void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* sysret: CS = 0x10 + 16 | 3, SS = 0x10 + 8 | 3; syscall: CS 0x08, SS 0x10 */
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	/* Every flag ring 3 can set and the kernel must not inherit, as Linux
	 * masks them: IF (the kernel is not preemptible), DF (the C ABI), AC
	 * (SMAP would be off), TF (a #DB in ring 0), NT (the kernel's own iretq
	 * to an interrupted thread would be a nested-task return: #GP in ring
	 * 0), RF, ID and the arithmetic flags (no user state leaks into
	 * kernel branches). sysret restores the caller's RFLAGS from r11. */
	wrmsr(MSR_FMASK, RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF |
				 RFLAGS_IF | RFLAGS_DF | RFLAGS_OF | RFLAGS_IOPL | RFLAGS_NT |
				 RFLAGS_RF | RFLAGS_AC | RFLAGS_ID);
}

#ifdef CAPOS_PANIC_TEST
/* Only in the panic-test kernel: syscalls that break the kernel on purpose,
 * so tests see the real panic path with a process running.
 * 0x7e writes to an unmapped kernel address (a ring-0 page fault);
 * 0x7f recurses until the kernel stack runs into its guard page, which must
 * end in a double fault reported from the IST stack. */
#define SYS_TEST_PANIC 0x7e
#define SYS_TEST_STACK_OVERFLOW 0x7f
static void test_panic(void)
{
	volatile uint64_t *bad = (volatile uint64_t *)(uintptr_t)0xffffffffffe00000ull;
	*bad = 0xdead;
}

/* The depth bound is far beyond any kernel stack; it only keeps the
 * compiler from proving the recursion infinite. */
uint64_t test_recurse(uint64_t n);
uint64_t test_recurse(uint64_t n)
{
	volatile uint8_t pad[256];
	pad[0] = (uint8_t)n;
	if (n > (1ull << 40))
		return n;
	return test_recurse(n + 1) + pad[0];
}
#endif

_Static_assert(SYSCALL_NR_CALL == CAPOS_SYS_CALL && SYSCALL_NR_REPLY_RECV == CAPOS_SYS_REPLY_RECV &&
		       SYSCALL_NR_SIGNAL == CAPOS_SYS_SIGNAL && SYSCALL_NR_WAIT == CAPOS_SYS_WAIT,
	       "syscall_fast.h out of step with capos/abi.h");

struct trapframe *syscall_dispatch(struct trapframe *tf)
{
	struct thread *t = sched_current();
#ifdef CAPOS_PANIC_TEST
	if (tf->rax == SYS_TEST_PANIC)
		test_panic();
	if (tf->rax == SYS_TEST_STACK_OVERFLOW)
		tf->rax = test_recurse(0);
#endif
	syscall_handle(t);
	return kernel_exit(NULL);
}

/* The entries syscall.S picks by number. Each does what it can without
 * the general dispatcher and hands the rest to it, having changed nothing. */
struct trapframe *syscall_call(struct trapframe *tf)
{
	struct thread *t = sched_current();
	struct thread *next = fastpath_call_inline(t);
	if (!next)
		return syscall_dispatch(tf);
	return switch_from_syscall(t, next);
}

struct trapframe *syscall_reply_recv(struct trapframe *tf)
{
	struct thread *t = sched_current();
	struct thread *next = fastpath_reply_recv_inline(t);
	if (!next)
		return syscall_dispatch(tf);
	return switch_from_syscall(t, next);
}

/* kernel_exit(NULL) after a syscall of t that cannot have ended t (so t
 * is on_cpu and alive): the same choice, without the checks whose answer
 * is known. */
static inline struct trapframe *exit_from(struct thread *t)
{
	if (boot_poll_wanted)
		return kernel_exit(NULL);
	struct thread *next = sched_choose();
	if (next == t)
		return &t->tf;
	if (!next)
		return kernel_exit(NULL); /* idle: chooses nobody again */
	return switch_from_syscall(t, next);
}

struct trapframe *syscall_signal(struct trapframe *tf)
{
	struct thread *t = sched_current();
	if (!fastpath_ntfn_inline(t, CAPOS_SYS_SIGNAL))
		return syscall_dispatch(tf);
	return exit_from(t);
}

struct trapframe *syscall_wait(struct trapframe *tf)
{
	struct thread *t = sched_current();
	if (!fastpath_ntfn_inline(t, CAPOS_SYS_WAIT))
		return syscall_dispatch(tf);
	return exit_from(t);
}
