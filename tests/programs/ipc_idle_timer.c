/* IPC test 5: tickless. With one thread blocked in a 1 s Wait and nothing
 * else to run, the only timer interrupt is the Wait's own deadline: the
 * KernelInfo timer count goes up by exactly 1 while at least 1 s of guest
 * time passes. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	(void)arg;
	uint32_t n = ipc_sleeper();
	struct capos_kinfo_stats a, b;
	uint64_t v0 = 0, v1 = 0;
	capos_kinfo_irq_count(CAPOS_ROOT_KERNEL_INFO, 0x20, &v0);
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &a);
	capos_status_t st = capos_wait(n, 1000000000ull);
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &b);
	capos_kinfo_irq_count(CAPOS_ROOT_KERNEL_INFO, 0x20, &v1);
	uint64_t el = b.now_ns - a.now_ns;
	capos_printf("idle: wait 1 s -> status %ld; timer interrupts delta %lu (vector 0x20 count delta %lu); elapsed %lu ms; elapsed >= 1 s: %d\n",
		     (long)st, (unsigned long)(b.timer_interrupts - a.timer_interrupts),
		     (unsigned long)(v1 - v0), (unsigned long)(el / 1000000), el >= 1000000000ull);
	return 0;
}
