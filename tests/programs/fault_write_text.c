/* Writes into its own code: W^X must make that a page fault. */
#include <stdint.h>
int main(void);
int main(void)
{
	volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)&main;
	*code = 0xc3;
	return 1;
}
