/*
 * isr.S - interrupt and exception entry and the common return path.
 *
 * Every vector gets a stub that pushes a dummy error code when the CPU does
 * not, then its vector number, and jumps to the common path, which saves the
 * general registers as a struct trapframe and calls trap_dispatch(tf).
 *
 * GS: entries from ring 3 run swapgs (the saved CS tells). NMI, double fault
 * and machine check can interrupt the kernel between an entry and its swapgs,
 * so they use the paranoid path: the sign of MSR_GS_BASE tells whether the
 * kernel's GS is already live.
 */
#include "arch/x86_64/asm.h"

.section .text

/* Vectors where the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
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

/* Table of stub addresses for idt.c. */
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
	cld
	testb $3, 24(%rsp)          /* CS of the interrupted context */
	jz 1f
	swapgs
1:	SAVE_REGS
	movq %rsp, %rdi
	call trap_dispatch
	/* fall through */

/* Return to the context described by the trapframe at %rsp. */
.globl trap_return
trap_return:
	RESTORE_REGS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp              /* vector and error code */
	iretq

isr_paranoid:
	cld
	SAVE_REGS
	movl $MSR_GS_BASE, %ecx
	rdmsr
	xorl %ebx, %ebx
	testl %edx, %edx            /* kernel GS base is a negative address */
	js 3f
	swapgs
	movl $1, %ebx
3:	movq %rsp, %rdi
	call trap_dispatch
	testl %ebx, %ebx
	jz 4f
	swapgs
4:	RESTORE_REGS
	addq $16, %rsp
	iretq

/* First return of a new thread: switch_context "returns" here with the
 * thread's initial trapframe at the top of its kernel stack. */
.globl thread_trampoline
thread_trampoline:
	jmp trap_return
