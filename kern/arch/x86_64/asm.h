/* asm.h - constants shared by the assembly files. Keep in step with C. */
#ifndef KERN_ARCH_ASM_H
#define KERN_ARCH_ASM_H

#define MSR_GS_BASE 0xc0000101

/* struct cpu (percpu.h) field offsets */
#define CPU_TF_TOP   0  /* &current->tf + 1: where syscall entry saves */
#define CPU_USER_RSP 8  /* syscall entry scratch */
#define CPU_KSTACK   16 /* top of this CPU's kernel stack */

#define TRAP_SYSCALL 0x100

#include "arch/x86_64/syscall_fast.h"

/* struct trapframe offsets */
#define TF_VECTOR 120
#define TF_RIP    136
#define TF_CS     144

#endif
