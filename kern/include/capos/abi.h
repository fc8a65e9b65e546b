/*
 * capos/abi.h - the user-visible kernel ABI: the one header a userspace
 * program needs to talk to the kernel.
 *
 * System calls use the syscall instruction:
 *   rax = syscall number, arguments in rdi, rsi, rdx, r10, r8, r9;
 *   on return rax = capos_status_t; rcx and r11 are clobbered (as the
 *   instruction defines), every other register is preserved.
 *
 * Only the calls listed in enum capos_syscall exist. Every kernel object
 * method will be a Call on that object's capability (issue 3 adds them);
 * until then Call/Send/Recv/... return CAPOS_UNSUPPORTED.
 */
#ifndef CAPOS_ABI_H
#define CAPOS_ABI_H

#include <stdint.h>

#define CAPOS_ABI_VERSION 1

typedef int64_t capos_status_t;

/* One status enum for kernel objects and userspace services alike. */
enum capos_status {
	CAPOS_OK = 0,
	CAPOS_INVALID_CAP = 1,      /* slot empty or out of range */
	CAPOS_WRONG_TYPE = 2,       /* the cap's object has no such method */
	CAPOS_DENIED = 3,           /* the cap lacks the right */
	CAPOS_INVALID_ARGUMENT = 4, /* bad pointer, length, label or body */
	CAPOS_NO_MEMORY = 5,
	CAPOS_LIMIT_EXCEEDED = 6,   /* a resource profile limit */
	CAPOS_DISCONNECTED = 7,     /* the serving process died */
	CAPOS_TIMEOUT = 8,
	CAPOS_WOULD_BLOCK = 9,
	CAPOS_UNSUPPORTED = 10,     /* unknown syscall or method */
	CAPOS_RETARGETED = 11,      /* the endpoint moved to another server */
};

enum capos_syscall {
	CAPOS_SYS_CALL = 0,
	CAPOS_SYS_SEND = 1,
	CAPOS_SYS_NBSEND = 2,
	CAPOS_SYS_RECV = 3,
	CAPOS_SYS_REPLY_RECV = 4,
	CAPOS_SYS_SIGNAL = 5,
	CAPOS_SYS_WAIT = 6,
	CAPOS_SYS_YIELD = 7,
	CAPOS_SYS_EXIT = 8, /* rdi = exit code (int64); never returns */
	CAPOS_SYS_COUNT = 9,
};

/* User address space: programs are linked at CAPOS_USER_BASE; the initial
 * stack is CAPOS_USER_STACK_PAGES below CAPOS_USER_STACK_TOP, with an
 * unmapped guard page under it. */
#define CAPOS_USER_BASE        0x0000000000400000ull
#define CAPOS_USER_STACK_TOP   0x00007fffffff0000ull
#define CAPOS_USER_STACK_PAGES 16u

#endif
