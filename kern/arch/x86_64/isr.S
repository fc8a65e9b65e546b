/*
 * isr.S - interrupt and exception entry, and the one way back to user mode.
 *
 * Entry from ring 3: the CPU pushes its frame at TSS.rsp0, which is the end
 * of the running thread's struct trapframe (inside struct thread), so the
 * stub completes the trapframe in place - nothing is copied - then moves to
 * the per-CPU kernel stack to run C. Entry from ring 0 (only the idle loop
 * has interrupts enabled) builds the frame on the kernel stack it is on.
 *
 * trap_dispatch returns the trapframe to resume: the same kernel frame
 * (idle goes on), or some thread's frame. exit_to_tf resumes it: sysret for
 * a frame saved by the syscall instruction, iretq for everything else (an
 * interrupted thread needs its rcx and r11 back).
 *
 * Flags: an interrupt gate clears IF, TF, NT and RF, but not DF or AC,
 * which ring 3 sets with popfq. Every entry therefore loads RFLAGS with
 * only its reserved bit (pushq $2; popfq): DF clear for C, AC clear so
 * SMAP stays on. The pushed word lands in the slot SAVE_REGS fills next.
 *
 * NMI, double fault and machine check use IST stacks and the paranoid GS
 * check (MSR_GS_BASE's sign), since they can arrive around a swapgs. They
 * only ever panic, so they never return to a thread.
 */
#include "arch/x86_64/asm.h"

.section .text

.macro STUB vec
	.align 16
isr_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	.if (\vec == 2) || (\vec == 8) || (\vec == 18)
	jmp isr_paranoid
	.else
	jmp isr_common
	.endif
.endm

.altmacro
.set i, 0
.rept 256
	STUB %i
	.set i, i + 1
.endr

.macro STUB_ADDR vec
	.quad isr_stub_\vec
.endm
.section .rodata
.globl isr_stub_table
isr_stub_table:
.set i, 0
.rept 256
	STUB_ADDR %i
	.set i, i + 1
.endr
.section .text

.macro SAVE_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro RESTORE_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

isr_common:
	pushq $2                    /* RFLAGS: all clear (DF, AC), see above */
	popfq
	testb $3, 24(%rsp)          /* CS of the interrupted context */
	jz 1f
	swapgs
	SAVE_REGS
	movq %rsp, %rdi
	movq %gs:CPU_KSTACK, %rsp   /* leave the thread struct for C */
	call trap_dispatch
	movq %rax, %rsp
	jmp exit_to_tf
1:	SAVE_REGS
	movq %rsp, %rdi
	call trap_dispatch
	movq %rax, %rsp
	/* fall through */

/* Resume the context whose trapframe is at %rsp. */
.globl exit_to_tf
exit_to_tf:
	cmpq $TRAP_SYSCALL, TF_VECTOR(%rsp)
	je syscall_return
.globl trap_return
trap_return:
	RESTORE_REGS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp              /* vector and error code */
	iretq

isr_paranoid:
	pushq $2
	popfq
	SAVE_REGS
	movl $MSR_GS_BASE, %ecx
	rdmsr
	testl %edx, %edx            /* kernel GS base is a negative address */
	js 3f
	swapgs
3:	movq %rsp, %rdi
	call trap_dispatch          /* panics: never returns */
	ud2

/* The idle loop: on the kernel stack, interrupts on, halted until one
 * arrives. Entered afresh whenever nothing can run. */
.globl idle_enter
idle_enter:
	movq %gs:CPU_KSTACK, %rsp
	xorl %ebp, %ebp
4:	sti
	hlt
	jmp 4b

/* enter_first_thread(tf): leave kmain for good and resume tf. */
.globl enter_first_thread
enter_first_thread:
	movq %rdi, %rsp
	jmp exit_to_tf
