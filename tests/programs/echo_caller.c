/*
 * echo_caller - a client component that calls Echo through the cap named
 * "echo" every millisecond (waiting on its `tick` notification) for as long
 * as it runs, and every 10000 calls prints how many calls it made and how
 * many failed. A live upgrade of the echo server must leave the error
 * count at 0 (tests/qemu/debug_shell.expect).
 *
 * Each reply says how many calls its server instance has answered; when
 * that does not follow the last one, another instance answered, and the
 * caller says so. With a `witness` cap (another instance's own Echo
 * endpoint) it then asks that instance's Count: equal to the reply's count
 * when the witness is the one that answered (tests/qemu/retarget.expect).
 *
 * Started by init, it pauses on its `stop` notification (capos/stop.h), so
 * init's stop notice ends the loop at the next pause: it prints its final
 * counts and returns, which acknowledges the notice. Without `stop` it
 * pauses on `tick`.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/syscall.h>

#include "echo.capos.h"

int main(uint64_t arg);

#define PAUSE_NS 1000000ull /* 1 ms between calls */

/* The pause between calls: 1 if init's stop notice arrived. */
static int pause_told(capos_cap_t tick)
{
	capos_status_t st = capos_stop_wait(PAUSE_NS);
	if (st == CAPOS_NOT_FOUND) /* not started by init: no notice comes */
		(void)capos_wait(tick, PAUSE_NS); /* nobody signals it */
	return st == CAPOS_OK;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t ep = capos_cap_lookup("echo");
	capos_cap_t tick = capos_cap_lookup("tick");
	if (ep == CAPOS_NO_CAP || tick == CAPOS_NO_CAP) {
		capos_printf("echo_caller: needs caps echo and tick\n");
		return 1;
	}
	capos_cap_t witness = capos_cap_lookup("witness");
	uint64_t calls = 0, errors = 0, last = 0;
	for (;;) {
		capos_EchoRequest req = capos_EchoRequest_init_zero;
		req.data.size = 4;
		memcpy(req.data.bytes, "ping", 4);
		capos_EchoReply r;
		capos_status_t st = echo_echo(ep, &req, &r);
		calls++;
		if (st != CAPOS_OK || r.data.size != 4 || memcmp(r.data.bytes, "ping", 4) != 0) {
			errors++;
			capos_printf("echo_caller: call %lu failed: status %ld\n",
				     (unsigned long)calls, (long)st);
		} else {
			if (last && r.count != last + 1u) {
				capos_EchoCount wc = { 0 };
				capos_Empty none = capos_Empty_init_zero;
				capos_status_t ws = witness != CAPOS_NO_CAP
							    ? echo_count(witness, &none, &wc)
							    : CAPOS_INVALID_CAP;
				capos_printf("echo_caller: call %lu answered by another instance: "
					     "count %lu after %lu; witness: status %ld, count %lu\n",
					     (unsigned long)calls, (unsigned long)r.count,
					     (unsigned long)last, (long)ws, (unsigned long)wc.count);
			}
			last = r.count;
		}
		if (calls % 10000 == 0)
			capos_printf("echo_caller: %lu calls, %lu errors\n", (unsigned long)calls,
				     (unsigned long)errors);
		if (pause_told(tick)) {
			capos_printf("echo_caller: stopping: %lu calls, %lu errors\n",
				     (unsigned long)calls, (unsigned long)errors);
			return 0;
		}
	}
}
