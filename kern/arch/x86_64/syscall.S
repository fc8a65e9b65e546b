/*
 * syscall.S - the syscall instruction's entry and the sysret return path.
 *
 * On entry: rcx = user rip, r11 = user rflags, rsp = user stack; IF, DF,
 * TF, AC, NT, RF, ID, IOPL and the arithmetic flags cleared by MSR_FMASK
 * (syscall.c). The entry saves a struct trapframe
 * straight into the current thread (gs:CPU_TF_TOP is &current->tf + 1),
 * then runs C on the per-CPU kernel stack: syscall_call, syscall_reply_recv,
 * syscall_signal, syscall_wait or syscall_dispatch (arch/x86_64/syscall.c),
 * which returns the trapframe to resume, possibly another thread's.
 *
 * sysret with a non-canonical rcx faults in ring 0 on Intel CPUs (with the
 * user's stack live): the return path checks and takes iretq instead.
 */
#include "arch/x86_64/asm.h"

.section .text
.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_TF_TOP, %rsp
	pushq $0x1b                 /* ss */
	pushq %gs:CPU_USER_RSP      /* rsp */
	pushq %r11                  /* rflags */
	pushq $0x23                 /* cs */
	pushq %rcx                  /* rip */
	pushq $0                    /* error */
	pushq $TRAP_SYSCALL         /* vector */
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
	movq %rsp, %rdi
	movq %gs:CPU_KSTACK, %rsp
	/* Call, ReplyRecv, Signal and Wait go to their own C entry (the IPC
	 * fast path, a lean decode of the notification calls), which passes
	 * whatever it declines on to syscall_dispatch; compare-and-branch,
	 * not a table: no indirect call on a user-chosen index. */
	testq %rax, %rax            /* SYSCALL_NR_CALL is 0 */
	jz 1f
	cmpq $SYSCALL_NR_REPLY_RECV, %rax
	je 2f
	cmpq $SYSCALL_NR_SIGNAL, %rax
	je 3f
	cmpq $SYSCALL_NR_WAIT, %rax
	je 4f
	call syscall_dispatch
	jmp 9f
1:	call syscall_call
	jmp 9f
2:	call syscall_reply_recv
	jmp 9f
3:	call syscall_signal
	jmp 9f
4:	call syscall_wait
9:	movq %rax, %rsp
	jmp exit_to_tf

/* Return to user mode from the syscall trapframe at %rsp, by sysret when safe. */
.globl syscall_return
syscall_return:
	cmpq $0x23, TF_CS(%rsp)     /* tf->cs must be user code */
	jne trap_return
	movq TF_RIP(%rsp), %rcx
	movq %rcx, %r11
	shlq $16, %r11
	sarq $16, %r11
	cmpq %rcx, %r11             /* canonical? */
	jne trap_return
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	addq $8, %rsp               /* r11: rflags below */
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	addq $8, %rsp               /* rcx: rip below */
	popq %rbx
	popq %rax
	/* rsp -> vector, error, rip, cs, rflags, rsp, ss */
	movq 16(%rsp), %rcx
	movq 32(%rsp), %r11
	movq 40(%rsp), %rsp
	swapgs
	sysretq
