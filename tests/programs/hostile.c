/*
 * hostile - a component that attacks what init and the shell trust
 * (manifests/test-hostile.textproto, tests/qemu/hostile.expect,
 * docs/security.md). Two roles, by the `role` param:
 *
 *  forger  tries to announce others ready: rings init's doorbell with
 *          every bit, signals every slot of its table with every bit, and
 *          its own `ready` three times; then writes a log record made to
 *          clear the operator's screen and forge an "init:" line, for the
 *          shell's `log` to show escaped.
 *  victim  prints that it is up, then (only then) says it is ready: the
 *          transcript proves init's "victim ready" came after.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>

int main(uint64_t arg);

static int forger(void)
{
	capos_printf("hostile forger: up\n");
	capos_cap_t bell = capos_cap_lookup(CAPOS_READY_BELL_NAME);
	capos_status_t st = bell != CAPOS_NO_CAP ? capos_signal(bell, ~0ull) : CAPOS_INVALID_CAP;
	capos_printf("hostile forger: rang the bell with every bit: status %ld\n", (long)st);
	/* Whatever it holds: every slot, every bit (other components' bits
	 * included, on any notification it can reach). */
	unsigned ok = 0;
	for (capos_cap_t slot = 0; slot < 64; slot++)
		if (capos_signal(slot, ~0ull) == CAPOS_OK)
			ok++;
	capos_printf("hostile forger: signalled %u of 64 slots with every bit\n", ok);
	/* Its own readiness, three times: init says "forger ready" once. */
	capos_cap_t ready = capos_cap_lookup("ready");
	for (int i = 0; i < 3; i++)
		capos_service_ready(ready, ~0ull);
	capos_printf("hostile forger: said ready 3 times\n");
	/* Clear screen, carriage return, a forged line of init's. */
	capos_log(capos_LogLevel_LOG_LEVEL_WARNING, "%s",
		  "boom\x1b[2J\r\ninit: forged: every component has ended; halting");
	capos_printf("hostile forger: done\n");
	return 0;
}

static int victim(void)
{
	capos_printf("hostile victim: up\n");
	capos_service_ready(capos_cap_lookup("ready"), 1);
	return 0;
}

int main(uint64_t arg)
{
	(void)arg;
	const char *role = capos_param("role");
	if (role && !strcmp(role, "forger"))
		return forger();
	if (role && !strcmp(role, "victim"))
		return victim();
	capos_printf("hostile: no role\n");
	return 1;
}
