#ifndef KERN_ARCH_FPU_H
#define KERN_ARCH_FPU_H

#include <stdint.h>

/* Enables x87/SSE (and AVX state when present) for user mode, chooses
 * xsave or fxsave, and records a clean initial state. */
void fpu_init(void);

/* Bytes of a save area (<= 4096, 64-byte aligned storage required). */
uint32_t fpu_area_size(void);

void fpu_init_area(void *area); /* the clean state: nothing leaks in */
void fpu_save(void *area);
void fpu_restore(const void *area);

#endif
