/*
 * stop_driver - asks ShutdownControl (its `shutdown` grant) to power the
 * machine off once the other components had time to start, so init's
 * orderly stop runs (tests/qemu/stop_notice.expect). ShutdownControl
 * answers before it asks init for the stop; then this waits for its own
 * stop notice and ends, acknowledging it (the runtime's answer as main
 * returns), as the shell does after `shutdown`.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/syscall.h>

#include "broker.capos.h"

int main(uint64_t arg);

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t sd = capos_cap_lookup("shutdown"), tick = capos_cap_lookup("tick");
	if (sd == CAPOS_NO_CAP || tick == CAPOS_NO_CAP) {
		capos_printf("stop_driver: needs caps shutdown and tick\n");
		return 1;
	}
	(void)capos_wait(tick, 300000000ull); /* nobody signals it: 300 ms */
	capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
	rq.mode = capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF;
	strcpy(rq.reason, "stop test");
	capos_Empty e;
	capos_printf("stop_driver: asking for a power-off\n");
	capos_status_t st = shutdowncontrol_shutdown(sd, &rq, &e);
	capos_printf("stop_driver: shutdown answered %ld\n", (long)st);
	if (st != CAPOS_OK)
		return 1;
	st = capos_stop_wait(10000000000ull);
	return st == CAPOS_OK ? 0 : 2;
}
