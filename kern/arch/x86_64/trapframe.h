/*
 * trapframe.h - registers saved on kernel entry from an interrupt,
 * exception or syscall. isr.S and syscall.S build it in this exact order
 * (lowest address first); TF_* offsets are used by the assembly.
 */
#ifndef KERN_ARCH_TRAPFRAME_H
#define KERN_ARCH_TRAPFRAME_H

#include <stdint.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector; /* TRAP_SYSCALL for the syscall instruction */
	uint64_t error;
	/* What the CPU pushes for an interrupt (or syscall.S fakes). */
	uint64_t rip, cs, rflags, rsp, ss;
};

#define TRAP_SYSCALL 0x100

_Static_assert(sizeof(struct trapframe) == 22 * 8, "isr.S depends on this layout");

#endif
