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
	movq %rdi, %fs:0x38 /* this thread's IPC buffer (capos_ipc) */
	movq %rsi, %rdi
	call main
	movq %rax, %rdi
	call capos_exit
	ud2

/*
 * capos_thread_entry - where capos_thread_spawn's threads start: %rdi = the
 * thread's IPC buffer, FS base = its TCB, whose runtime[1] and [2]
 * (%fs:0x40, %fs:0x48) hold fn and arg. fn's return value ends the process.
 */
.text
.globl capos_thread_entry
capos_thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	movq %rdi, %fs:0x38
	movq %fs:0x40, %rax
	movq %fs:0x48, %rdi
	call *%rax
	movq %rax, %rdi
	call capos_exit
	ud2
