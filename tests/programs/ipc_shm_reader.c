/* Reader of ipc_shmem (arg 1): the shared pages at 0x10000000 read-only;
 * slot 1: its own Process; slot 4: the buffer, READ only. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	volatile uint8_t *p = (volatile uint8_t *)0x10000000ull;
	uint64_t sum = 0;
	for (uint32_t i = 0; i < 2 * CAPOS_PAGE_SIZE; i++)
		sum = sum * 31 + p[i];
	capos_printf("shm reader: read %u bytes, checksum 0x%lx\n", 2 * CAPOS_PAGE_SIZE,
		     (unsigned long)sum);

	capos_status_t rw = capos_map_shared(1, 0x11000000ull, 4, 0, 1,
					     CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	capos_status_t ro = capos_map_shared(1, 0x11000000ull, 4, 0, 1, CAPOS_PROT_READ);
	uint8_t x = 0xee;
	capos_status_t wm = capos_write_memory(1, 0x11000000ull, &x, 1);
	capos_status_t wm2 = capos_write_memory(1, 0x10000000ull, &x, 1);
	capos_printf("shm reader: map read-write with a read-only cap -> status %ld; read-only -> status %ld; write_memory into it -> status %ld, into the first mapping -> status %ld; byte now 0x%x\n",
		     (long)rw, (long)ro, (long)wm, (long)wm2, p[0]);

	p[1] = 0x55; /* read-only: a page fault kills this process */
	capos_printf("shm reader: wrote into a read-only page!\n");
	return 9;
}
