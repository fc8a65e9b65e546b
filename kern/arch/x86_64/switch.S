/*
 * switch.S - kernel context switch between threads.
 *
 * switch_context(uint64_t *save_rsp, uint64_t new_rsp): pushes the
 * callee-saved registers, stores rsp in *save_rsp, loads new_rsp, pops the
 * new thread's callee-saved registers and returns on its stack. Everything
 * else is caller-saved by the C ABI, so this is the whole kernel context.
 */
.section .text
.globl switch_context
switch_context:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
