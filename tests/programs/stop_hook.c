/*
 * stop_hook - a component that serves nothing and waits for init's stop
 * notice (capos/stop.h) with capos_stop_wait. Its stop hook says so; main
 * then returns and the runtime acknowledges as the process exits
 * (tests/qemu/stop_notice.expect).
 */
#include <capos/debug.h>
#include <capos/stop.h>
#include <capos/syscall.h>

int main(uint64_t arg);

static unsigned hook_runs;

static void on_stop(void *arg)
{
	const char *who = arg;
	hook_runs++;
	capos_printf("%s: stop hook ran (%u)\n", who, hook_runs);
}

int main(uint64_t arg)
{
	(void)arg;
	capos_on_stop(on_stop, "stop_hook");
	capos_printf("stop_hook: waiting for the stop notice\n");
	capos_status_t st = capos_stop_wait(CAPOS_WAIT_FOREVER);
	capos_printf("stop_hook: wait ended with status %ld, told %d\n", (long)st,
		     capos_stop_told());
	return 0;
}
