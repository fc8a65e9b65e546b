/*
 * percpu.c - the per-CPU block and GS.
 * In the kernel MSR_GS_BASE points at cpu0 and MSR_KERNEL_GS holds the user
 * GS base (0); swapgs on every ring change exchanges the two.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"

struct cpu cpu0;

void percpu_init(void)
{
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&cpu0);
	wrmsr(MSR_KERNEL_GS, 0);
	wrmsr(MSR_FS_BASE, 0); /* whatever the firmware left: cpu0.fs_base is 0 */
	cpu0.fs_base = 0;
}
