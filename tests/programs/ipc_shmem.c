/* IPC test 7: a SharedBuffer written by one process and read by another.
 * The root creates a 2-page buffer, maps it read-write into the writer
 * child and read-only into the reader child (and read-only into itself).
 * The writer fills it with a pattern; the reader prints the checksum it
 * reads, then writes into its read-only mapping and is killed by the page
 * fault. The reader also holds its own Process cap and a READ-only cap on
 * the buffer: mapping it writable is DENIED, and so must be writing it
 * through Process.WRITE_MEMORY. */
#include "ipc_common.h"

#define SHM_VA  0x10000000ull
#define ROOT_VA 0x20000000ull
#define PAGES   2u

int main(uint64_t arg)
{
	(void)arg;
	uint32_t sleeper = ipc_sleeper();
	uint32_t sb = CAPOS_NO_CAP;
	capos_status_t st = capos_shared_buffer_create(CAPOS_ROOT_PROCESS, PAGES, &sb);
	struct capos_shared_buffer_info info = { 0, 0 };
	capos_shared_buffer_info(sb, &info);
	capos_printf("shmem: create -> status %ld pages %u bytes %u\n", (long)st, info.pages,
		     info.bytes);

	struct capos_spawned w = ipc_spawn("ipc_shm_writer", 100, 1);
	struct capos_spawned r = ipc_spawn("ipc_shm_reader", 100, 1);
	capos_status_t mw = capos_map_shared(w.process, SHM_VA, sb, 0, PAGES,
					     CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	capos_status_t mr = capos_map_shared(r.process, SHM_VA, sb, 0, PAGES, CAPOS_PROT_READ);
	capos_status_t wx = capos_map_shared(r.process, SHM_VA + 0x100000, sb, 0, 1,
					     CAPOS_PROT_WRITE | CAPOS_PROT_EXEC);
	capos_status_t i1 = capos_install_cap(r.process, r.process, 1, CAPOS_RIGHTS_ALL, 0, 0);
	capos_status_t i2 = capos_install_cap(r.process, sb, 4, CAPOS_RIGHT_READ, 0, 0);
	capos_printf("shmem: map rw into writer %ld, r into reader %ld, w+x %ld; reader gets its process %ld, a read-only buffer cap %ld\n",
		     (long)mw, (long)mr, (long)wx, (long)i1, (long)i2);

	capos_thread_start(w.thread);
	int64_t code = -1;
	uint32_t state = ipc_wait_exit(w.process, sleeper, 5000, &code);
	capos_printf("shmem: writer state %u code %ld\n", state, (long)code);

	st = capos_map_shared(CAPOS_ROOT_PROCESS, ROOT_VA, sb, 0, PAGES, CAPOS_PROT_READ);
	const volatile uint8_t *p = (const volatile uint8_t *)ROOT_VA;
	uint64_t sum = 0;
	for (uint32_t i = 0; i < PAGES * CAPOS_PAGE_SIZE; i++)
		sum = sum * 31 + p[i];
	capos_printf("shmem: root maps it read-only -> status %ld; checksum 0x%lx\n", (long)st,
		     (unsigned long)sum);

	capos_thread_start(r.thread);
	state = ipc_wait_exit(r.process, sleeper, 5000, &code);
	capos_printf("shmem: reader state %u\n", state);
	sum = 0;
	for (uint32_t i = 0; i < PAGES * CAPOS_PAGE_SIZE; i++)
		sum = sum * 31 + p[i];
	capos_printf("shmem: checksum afterwards 0x%lx, first byte 0x%x\n", (unsigned long)sum,
		     p[0]);
	return 0;
}
