/*
 * stop_ignore - a component that ignores init's stop notice: it blocks
 * forever on a notification of its own (`sleep`). init nudges that one too
 * when it tells the component to stop (docs/init.md, "Orderly stop"), so it
 * wakes, says so, and goes back to waiting; init kills it after grace_ms
 * (tests/qemu/stop_notice.expect).
 */
#include <capos/debug.h>
#include <capos/startup.h>
#include <capos/syscall.h>

int main(uint64_t arg);

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t sleep = capos_cap_lookup("sleep");
	if (sleep == CAPOS_NO_CAP) {
		capos_printf("stop_ignore: needs a notification `sleep`\n");
		return 1;
	}
	capos_printf("stop_ignore: blocking forever\n");
	for (unsigned long woken = 1;; woken++) {
		if (capos_wait(sleep, CAPOS_WAIT_FOREVER) != CAPOS_OK)
			continue;
		capos_printf("stop_ignore: woken (%lu), waiting again\n", woken);
	}
}
