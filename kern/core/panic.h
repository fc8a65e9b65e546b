#ifndef KERN_CORE_PANIC_H
#define KERN_CORE_PANIC_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

/* Values written to QEMU's isa-debug-exit (QEMU exits (v << 1) | 1). */
#define EXIT_CLEAN_SHUTDOWN 0x10 /* status 33 */
#define EXIT_KERNEL_PANIC   0x11 /* status 35 */

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn)) void panic_trap(const struct trapframe *tf);

/* Leaves the machine: isa-debug-exit under QEMU, else ACPI power-off
 * (q35's PM1a control), else halt forever. */
__attribute__((noreturn)) void machine_exit(uint8_t code);

#define KASSERT(cond)                                                         \
	do {                                                                  \
		if (!(cond))                                                  \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, \
			      __LINE__);                                      \
	} while (0)

#endif
