/*
 * capos/syscall.h - the nine system calls (capos/abi.h) as C functions.
 * Messages travel in the calling thread's IPC buffer, capos_ipc().
 */
#ifndef CAPOS_USER_SYSCALL_H
#define CAPOS_USER_SYSCALL_H

#include <stdint.h>

#include <capos/abi.h>

static inline capos_status_t capos_syscall0(uint64_t nr)
{
	capos_status_t ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

static inline capos_status_t capos_syscall1(uint64_t nr, uint64_t a0)
{
	capos_status_t ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0) : "rcx", "r11", "memory");
	return ret;
}

static inline capos_status_t capos_syscall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	capos_status_t ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * This thread's IPC buffer. Every thread keeps its own in its TCB
 * (struct capos_tcb runtime[CAPOS_TCB_IPC], %fs:0x38): crt0 stores the
 * first thread's, capos_thread_spawn's entry the others'. A thread made by
 * hand with capos_thread_create must have a TCB (tls_base) and store the
 * IPC buffer address it starts with (rdi) there with capos_ipc_set()
 * before it uses any call that goes through capos_ipc().
 */
#define CAPOS_TCB_IPC 0 /* index in struct capos_tcb runtime[] */
#define CAPOS_TCB_IPC_OFFSET 0x38
_Static_assert(__builtin_offsetof(struct capos_tcb, runtime) == CAPOS_TCB_IPC_OFFSET,
	       "capos_ipc reads %fs:0x38");
static inline struct capos_ipc_buffer *capos_ipc(void)
{
	struct capos_ipc_buffer *b;
	__asm__ volatile("movq %%fs:0x38, %0" : "=r"(b));
	return b;
}

static inline void capos_ipc_set(struct capos_ipc_buffer *b)
{
	__asm__ volatile("movq %0, %%fs:0x38" : : "r"(b) : "memory");
}

static inline capos_status_t capos_call(capos_cap_t cap)
{
	return capos_syscall1(CAPOS_SYS_CALL, cap);
}

static inline capos_status_t capos_send(capos_cap_t cap)
{
	return capos_syscall1(CAPOS_SYS_SEND, cap);
}

static inline capos_status_t capos_nbsend(capos_cap_t cap)
{
	return capos_syscall1(CAPOS_SYS_NBSEND, cap);
}

static inline capos_status_t capos_recv(capos_cap_t ep)
{
	return capos_syscall1(CAPOS_SYS_RECV, ep);
}

static inline capos_status_t capos_reply_recv(capos_cap_t ep)
{
	return capos_syscall1(CAPOS_SYS_REPLY_RECV, ep);
}

/* Recv that gives up: CAPOS_WAIT_POLL -> CAPOS_WOULD_BLOCK when nothing
 * is queued, a finite timeout (ns) -> CAPOS_TIMEOUT, CAPOS_WAIT_FOREVER is
 * capos_recv. A bound notification's signal ends it like a message. */
static inline capos_status_t capos_recv_timeout(capos_cap_t ep, uint64_t timeout_ns)
{
	return capos_syscall2(CAPOS_SYS_RECV_TIMEOUT, ep, timeout_ns);
}

/* Reply to the call being served, then capos_recv_timeout. */
static inline capos_status_t capos_reply_recv_timeout(capos_cap_t ep, uint64_t timeout_ns)
{
	return capos_syscall2(CAPOS_SYS_REPLY_RECV_TIMEOUT, ep, timeout_ns);
}

static inline capos_status_t capos_signal(capos_cap_t ntfn, uint64_t bits)
{
	return capos_syscall2(CAPOS_SYS_SIGNAL, ntfn, bits);
}

/* On OK the bits are in capos_ipc()->signals. */
static inline capos_status_t capos_wait(capos_cap_t ntfn, uint64_t timeout_ns)
{
	return capos_syscall2(CAPOS_SYS_WAIT, ntfn, timeout_ns);
}

static inline capos_status_t capos_yield(void)
{
	return capos_syscall0(CAPOS_SYS_YIELD);
}

__attribute__((noreturn)) void capos_exit(int64_t code);

#endif
