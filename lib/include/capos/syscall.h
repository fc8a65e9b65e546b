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

/* This thread's IPC buffer (set by crt0 for the first thread). */
extern struct capos_ipc_buffer *capos_ipc_buffer_ptr;
static inline struct capos_ipc_buffer *capos_ipc(void)
{
	return capos_ipc_buffer_ptr;
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
