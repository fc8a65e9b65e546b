/*
 * hostile - a component that attacks what init and the shell trust
 * (manifests/test-hostile.textproto, tests/qemu/hostile.expect,
 * docs/security.md). Two roles, by the `role` param:
 *
 *  forger  tries to announce others ready: rings init's doorbell with
 *          every bit, signals every slot of its table with every bit, and
 *          its own `ready` three times; tries to Read the console it was
 *          granted for output, and to mint itself the input badge; then
 *          writes a log record made to
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

#include "console.capos.h"
#include "process.capos.h"

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
	/* The operator's keys: its console grant is for output only. Both
	 * reads would wait for a key if they were allowed at all. */
	capos_cap_t con = capos_cap_lookup("console");
	capos_ConsoleRead rd = { .max = 0, .timeout_ms = 0 };
	capos_ConsoleReadLine rl = { .max = 0, .echo = false, .timeout_ms = 0 };
	capos_ConsoleInput in;
	st = console_read(con, &rd, &in);
	capos_printf("hostile forger: console Read -> status %ld\n", (long)st);
	st = console_read_line(con, &rl, &in);
	capos_printf("hostile forger: console ReadLine -> status %ld\n", (long)st);
	/* Mint itself the input badge: init badged its cap, so it may not. */
	capos_cap_t mgr = capos_cap_lookup("capmgr");
	st = capos_cap_mint(mgr, con, 12, CAPOS_RIGHT_SEND, 1, CAPOS_BADGE_INPUT);
	capos_printf("hostile forger: mint the input badge -> status %ld\n", (long)st);
	if (st == CAPOS_OK) {
		st = console_read(12, &rd, &in);
		capos_printf("hostile forger: console Read through the mint -> status %ld\n",
			     (long)st);
	}
	/* A child named to clear the screen and forge a line of init's: init
	 * names it in its own lines, escaped. It has no role: it exits 1. */
	static capos_SpawnRequest req;
	capos_SpawnResult res = capos_SpawnResult_init_zero;
	strlcpy(req.name, "kid\x1b[2J\r\ninit: forged", sizeof(req.name));
	strlcpy(req.binary, "hostile", sizeof(req.binary));
	req.has_limits = true;
	req.limits = (capos_ResourceLimits){ .max_slots = 8, .max_threads = 1, .max_pages = 100,
					     .max_endpoints = 1 };
	req.priority = 120; /* after the forger, before the victim */
	struct capos_cap_list none = { .count = 0 }, got;
	st = processspawner_spawn(capos_cap_lookup("spawner"), &req, &none, &res, &got);
	capos_printf("hostile forger: spawned a child with a forged name -> status %ld\n",
		     (long)st);
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
