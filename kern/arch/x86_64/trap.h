#ifndef KERN_ARCH_TRAP_H
#define KERN_ARCH_TRAP_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

/* Interrupts taken per vector since boot; readable through KernelInfo. */
extern uint64_t trap_counts[256];

struct trapframe *trap_dispatch(struct trapframe *tf);
const char *trap_name(uint64_t vector);
uint64_t irq_count_for(uint32_t vector);

#endif
