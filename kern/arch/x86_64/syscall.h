#ifndef KERN_ARCH_SYSCALL_H
#define KERN_ARCH_SYSCALL_H

#include "arch/x86_64/trapframe.h"

void syscall_init(void);
struct trapframe *syscall_dispatch(struct trapframe *tf);

#endif
