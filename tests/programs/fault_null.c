/* Reads through a null pointer: must be killed with a page fault at 0. */
#include <stdint.h>
int main(void);
int main(void)
{
	volatile uint64_t *p = (volatile uint64_t *)0;
	return (int)*p;
}
