/* Checks it starts with a clean FPU: xmm0/xmm7/xmm15 zero, MXCSR and the x87
 * control word at their defaults. Exit code: 0 when clean, else a bit per
 * leak (1 xmm0, 2 xmm7, 4 xmm15, 8 MXCSR, 16 FCW). */
#include <stdint.h>
int main(void);
int main(void)
{
	uint64_t x0[2], x7[2], x15[2];
	uint32_t mxcsr;
	uint16_t fcw;
	__asm__ volatile("movdqu %%xmm0, %0\n movdqu %%xmm7, %1\n movdqu %%xmm15, %2\n"
			 "stmxcsr %3\n fnstcw %4"
			 : "=m"(x0), "=m"(x7), "=m"(x15), "=m"(mxcsr), "=m"(fcw));
	int leaks = 0;
	if (x0[0] | x0[1])
		leaks |= 1;
	if (x7[0] | x7[1])
		leaks |= 2;
	if (x15[0] | x15[1])
		leaks |= 4;
	if (mxcsr != 0x1f80)
		leaks |= 8;
	if (fcw != 0x037f)
		leaks |= 16;
	return leaks;
}
