/* Leaves junk in the SSE registers, MXCSR and the x87 control word, then
 * exits: fpu_clean, run after it, must not see any of it. */
#include <stdint.h>
int main(void);
int main(void)
{
	uint64_t junk[2] = { 0x1122334455667788ull, 0x99aabbccddeeff00ull };
	uint32_t mxcsr = 0x7f80; /* round toward zero */
	uint16_t fcw = 0x0c7f;   /* x87 round toward zero */
	__asm__ volatile("movdqu %0, %%xmm0\n movdqu %0, %%xmm7\n movdqu %0, %%xmm15\n"
			 "ldmxcsr %1\n fldcw %2"
			 : : "m"(junk), "m"(mxcsr), "m"(fcw) : "xmm0", "xmm7", "xmm15");
	return 7;
}
