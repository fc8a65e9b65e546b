/* Reads kernel memory: the page is supervisor-only, so a page fault. */
#include <stdint.h>
int main(void);
int main(void)
{
	volatile uint64_t *k = (volatile uint64_t *)0xffffffff80000000ull;
	return (int)*k;
}
