/*
 * syscall_fast.h - the syscall numbers syscall.S sends to their own C entry
 * (capos/abi.h). Plain defines, for the assembly; syscall.c checks them
 * against capos/abi.h.
 */
#ifndef KERN_ARCH_SYSCALL_FAST_H
#define KERN_ARCH_SYSCALL_FAST_H

#define SYSCALL_NR_CALL       0
#define SYSCALL_NR_REPLY_RECV 4
#define SYSCALL_NR_SIGNAL     5
#define SYSCALL_NR_WAIT       6

#endif
