/* asm.h - constants shared by the assembly files. Keep in step with C. */
#ifndef KERN_ARCH_ASM_H
#define KERN_ARCH_ASM_H

#define MSR_GS_BASE 0xc0000101

/* struct cpu (percpu.h) field offsets */
#define CPU_KERNEL_RSP 0
#define CPU_USER_RSP   8

#define TRAP_SYSCALL 0x100

#endif
