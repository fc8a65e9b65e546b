/*
 * user_smoke - (formerly init before issue 6) proves that a user program
 * runs in ring 3 with working data, bss, stack and SSE: it computes a value
 * from all four and returns it as its exit code, which the kernel reports.
 * test-faults runs it after the faulting programs: the system still works.
 */
#include <stdint.h>

int main(void);

static uint64_t table[8] = { 3, 1, 4, 1, 5, 9, 2, 6 }; /* .data */
static uint64_t scratch[64];                           /* .bss, must be zero */

static double sqrt_newton(double x)
{
	double r = x;
	for (int i = 0; i < 30; i++)
		r = 0.5 * (r + x / r);
	return r;
}

int main(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < 8; i++)
		sum += table[i]; /* 31 */
	for (int i = 0; i < 64; i++)
		sum += scratch[i]; /* still 31 if .bss was zeroed */
	volatile double two = 2.0;
	int root = (int)(sqrt_newton(two) * 10000.0); /* 14142 */
	return (int)sum * 100000 + root;              /* 3114142 */
}
