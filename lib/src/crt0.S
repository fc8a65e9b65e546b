/*
 * crt0.S - process entry. The kernel starts a thread at _start with
 * %rdi = its IPC buffer, %rsi = its start argument, a 16-byte aligned
 * stack. main(arg)'s return value becomes the Exit code.
 */
.section .text.entry, "ax"
.globl _start
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	movq %rdi, capos_ipc_buffer_ptr(%rip)
	movq %rsi, %rdi
	call main
	movq %rax, %rdi
	call capos_exit
	ud2
