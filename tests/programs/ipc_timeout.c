/* IPC test 4: timed Wait. Poll on an empty notification is WOULD_BLOCK;
 * a 5 ms and a 20 ms Wait end with TIMEOUT after at least that much guest
 * time (KernelInfo now_ns before and after); a Wait on a notification
 * already signalled returns at once with the bits. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	(void)arg;
	struct capos_ipc_buffer *m = capos_ipc();
	uint32_t n = ipc_sleeper();
	capos_status_t st = capos_wait(n, CAPOS_WAIT_POLL);
	capos_printf("timeout: poll -> status %ld\n", (long)st);

	static const uint64_t waits[] = { 5000000, 20000000 };
	for (int i = 0; i < 2; i++) {
		uint64_t t0 = ipc_now();
		st = capos_wait(n, waits[i]);
		uint64_t t1 = ipc_now();
		uint64_t el = t1 - t0;
		capos_printf("timeout: wait %lu ns -> status %ld signals %lu; elapsed %lu ns; elapsed >= timeout: %d\n",
			     (unsigned long)waits[i], (long)st, (unsigned long)m->signals,
			     (unsigned long)el, el >= waits[i]);
	}
	capos_signal(n, 0x3);
	uint64_t t0 = ipc_now();
	st = capos_wait(n, 5000000);
	uint64_t el = ipc_now() - t0;
	capos_printf("timeout: signalled first: wait -> status %ld bits 0x%lx; returned before the timeout: %d\n",
		     (long)st, (unsigned long)m->signals, el < 5000000);
	return 0;
}
