/*
 * capos/syscall.h - userspace system call wrappers (see capos/abi.h).
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

static inline capos_status_t capos_yield(void)
{
	return capos_syscall0(CAPOS_SYS_YIELD);
}

__attribute__((noreturn)) void capos_exit(int64_t code);

#endif
