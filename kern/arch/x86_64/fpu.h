#ifndef KERN_ARCH_FPU_H
#define KERN_ARCH_FPU_H

#include <stdint.h>

/* Enables x87/SSE (and AVX state when present) for user mode, chooses
 * xsave or fxsave, and records a clean initial state. */
void fpu_init(void);

/* Bytes of a save area (<= 4096, 64-byte aligned storage required). */
uint32_t fpu_area_size(void);

void fpu_init_area(void *area); /* the clean state: nothing leaks in */

/* Set by fpu_init, read-only after: xsave (else fxsave), and XCR0. */
extern int fpu_use_xsave;
extern uint64_t fpu_xcr0;

/* Inline: every thread switch does one of each. */
static inline void fpu_save(void *area)
{
	if (fpu_use_xsave)
		__asm__ volatile("xsave64 (%0)"
				 : : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void fpu_restore(const void *area)
{
	if (fpu_use_xsave)
		__asm__ volatile("xrstor64 (%0)"
				 : : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

#endif
