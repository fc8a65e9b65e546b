/*
 * crt0.S - process entry. The kernel starts a thread at _start with
 * %rdi = its IPC buffer, %rsi = its start argument, a 16-byte aligned
 * stack and FS base = CAPOS_TLS_VA, whose TCB (self pointer, stack-protector
 * canary at %fs:0x28) and the startup page at CAPOS_STARTUP_VA its creator
 * wrote before the start (kernel boot runner or capos_spawn; see
 * docs/runtime.md). main(arg)'s return value becomes the Exit code.
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
