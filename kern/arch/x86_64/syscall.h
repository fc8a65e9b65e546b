#ifndef KERN_ARCH_SYSCALL_H
#define KERN_ARCH_SYSCALL_H

#include "arch/x86_64/trapframe.h"

void syscall_init(void);
/* From syscall.S, on the kernel stack; each returns the frame to resume.
 * Call, ReplyRecv, Signal and Wait have their own entries (the fast path
 * where it applies, else syscall_dispatch); syscall_dispatch takes the
 * rest. */
struct trapframe *syscall_dispatch(struct trapframe *tf);
struct trapframe *syscall_call(struct trapframe *tf);
struct trapframe *syscall_reply_recv(struct trapframe *tf);
struct trapframe *syscall_signal(struct trapframe *tf);
struct trapframe *syscall_wait(struct trapframe *tf);

#endif
