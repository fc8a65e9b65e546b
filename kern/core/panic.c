/*
 * panic.c - the kernel's last words.
 *
 * A panic prints what a developer needs to find the bug (vector, error
 * code, rip, cr2, the running process, the registers and a frame-pointer
 * backtrace) and leaves QEMU with a failure status, so a test can never
 * mistake a dead kernel for a pass. It must work from any state: it only
 * uses polled serial output and never allocates.
 */
#include <stdarg.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/sched.h"
#include "object/process.h"

static int panicking;

void machine_exit(uint8_t code)
{
	cli();
	outb(0xf4, code);
	outw(0x604, 0x2000);
	for (;;)
		hlt();
}

static void print_running(void)
{
	struct thread *t = sched_current();
	if (t && t->proc)
		kprintf("  process: %s (pid %u)\n", t->proc->name, t->proc->pid);
	else
		kprintf("  process: none (kernel context)\n");
}

static int kernel_text_address(uint64_t a)
{
	return a >= 0xffffffff80000000ull;
}

static void backtrace(uint64_t rbp)
{
	kprintf("  backtrace:");
	for (int i = 0; i < 16 && kernel_text_address(rbp) && (rbp & 7) == 0; i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t ret = frame[1];
		if (!kernel_text_address(ret))
			break;
		kprintf(" %lx", ret);
		rbp = frame[0];
	}
	kprintf("\n");
}

static void enter_panic(void)
{
	cli();
	if (panicking) /* a panic inside the panic: just leave */
		machine_exit(EXIT_KERNEL_PANIC);
	panicking = 1;
}

void panic(const char *fmt, ...)
{
	enter_panic();
	kprintf("\nKERNEL PANIC: ");
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	print_running();
	backtrace((uint64_t)(uintptr_t)__builtin_frame_address(0));
	machine_exit(EXIT_KERNEL_PANIC);
}

void panic_trap(const struct trapframe *tf)
{
	enter_panic();
	kprintf("\nKERNEL PANIC: %s in kernel mode\n", trap_name(tf->vector));
	kprintf("  vector %lu error 0x%lx rip 0x%lx cr2 0x%lx\n", tf->vector,
		tf->error, tf->rip, read_cr2());
	print_running();
	uint64_t cr2 = read_cr2();
	if ((tf->vector == 8 || tf->vector == 14) && cr2 >= KSTACK_REGION &&
	    cr2 < MMIO_REGION &&
	    ((cr2 - KSTACK_REGION) / PAGE_SIZE) % (KSTACK_PAGES + 1) == 0)
		kprintf("  cr2 is in a kernel stack guard page: kernel stack overflow\n");
	kprintf("  cs 0x%lx rflags 0x%lx rsp 0x%lx ss 0x%lx\n", tf->cs, tf->rflags,
		tf->rsp, tf->ss);
	kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax, tf->rbx,
		tf->rcx, tf->rdx);
	kprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", tf->rsi, tf->rdi,
		tf->rbp, tf->r8);
	kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", tf->r9, tf->r10,
		tf->r11, tf->r12);
	kprintf("  r13 %016lx r14 %016lx r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	backtrace(tf->rbp);
	machine_exit(EXIT_KERNEL_PANIC);
}
