/* UMIP (issue 12): one of sgdt, sidt, smsw, str in ring 3 (built four
 * times, UMIP_INSN picks which). With CR4.UMIP on it is a general
 * protection fault and the kernel kills the process; without it the
 * instruction tells a process where the kernel keeps its tables and the
 * program exits with code 1. */
#include <stdint.h>

int main(void);
int main(void)
{
	uint8_t buf[16];
	uint64_t r = 0;
	(void)buf;
	(void)r;
#if UMIP_INSN == 0
	__asm__ volatile("sgdt %0" : "=m"(buf));
#elif UMIP_INSN == 1
	__asm__ volatile("sidt %0" : "=m"(buf));
#elif UMIP_INSN == 2
	__asm__ volatile("smsw %0" : "=r"(r));
#else
	__asm__ volatile("str %0" : "=r"(r));
#endif
	return 1;
}
