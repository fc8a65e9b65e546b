/* Writer of ipc_shmem (arg 1): fills the shared pages at 0x10000000. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	volatile uint8_t *p = (volatile uint8_t *)0x10000000ull;
	uint64_t sum = 0;
	for (uint32_t i = 0; i < 2 * CAPOS_PAGE_SIZE; i++) {
		p[i] = (uint8_t)(i * 7 + 3);
		sum = sum * 31 + p[i];
	}
	capos_printf("shm writer: wrote %u bytes, checksum 0x%lx\n", 2 * CAPOS_PAGE_SIZE,
		     (unsigned long)sum);
	return 0;
}
