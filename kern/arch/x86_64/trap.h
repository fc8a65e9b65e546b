#ifndef KERN_ARCH_TRAP_H
#define KERN_ARCH_TRAP_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

/* Interrupts taken per vector since boot; readable for tests. */
extern uint64_t trap_counts[256];

void trap_dispatch(struct trapframe *tf);
const char *trap_name(uint64_t vector);

#endif
