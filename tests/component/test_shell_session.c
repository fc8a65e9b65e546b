/*
 * Component test: the shell's session commands (servers/shell/
 * cmd_session.c) against the real authority broker logic (servers/broker)
 * and the real audit server over the host loopback, as a person would use
 * them: the anonymous session at start, a refused shutdown, a wrong and a
 * right passphrase, a grant that goes stale at logout, and a shutdown that
 * reaches ShutdownControl, is answered before the stop and ends the shell
 * at its stop notice. broker_fixture.c puts the real audit, log, crypto
 * and shutdown servers behind the broker; the shutdown server's platform
 * hooks record the stop and the port write instead (the QEMU test powers
 * off).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <argon2.h>

#include <capos/transport.h>

#include "avatar.h"
#include "broker_fixture.h"
#include "cmd_session.h"
#include "commands.h"
#include "log.capos.h"
#include "shell_console.h"

static char verifier[112];
static struct shell sh;

static int setup(void **st)
{
	(void)st;
	if (!verifier[0]) {
		static const uint8_t salt[16] = "saltsaltsaltsalt";
		assert_int_equal(argon2id_hash_encoded(1, 64, 1, "correct horse", 13, salt, 16, 32,
						       verifier, sizeof(verifier)),
				 ARGON2_OK);
	}
	static const char *const grants[] = { "shutdown", "log-reader", NULL };
	bfx_setup();
	int i = bfx_add_principal("operator", verifier, NULL, grants);
	strcpy(bfx.policy.principals[i].avatar, avatar_at(0)->name);
	bfx.policy.backoff_ms = 50;
	bfx.now_ms = 1;
	bfx_start_broker(77);
	console_attach(&sh);
	sh.broker = BFX_BROKER_CAP;
	assert_int_equal(sh_session_start(&sh), 0);
	return 0;
}

static int run(const char *line)
{
	return console_run(&sh, line);
}

static int secret(const char *pass)
{
	console_clear();
	assert_true(sh_session_wants_secret(&sh));
	int rc = sh_session_secret(&sh, pass, strlen(pass));
	assert_false(sh_session_wants_secret(&sh));
	return rc;
}

static void test_anonymous_at_start(void **st)
{
	(void)st;
	assert_int_equal(run("whoami"), 0);
	assert_string_equal(console, "anonymous\r\n");
	assert_int_equal(run("session"), 0);
	const struct avatar *a = avatar_for("anonymous");
	char want[256];
	snprintf(want, sizeof(want), "principal: anonymous\r\nsession: anonymous\r\navatar: %s\r\n",
		 a->name);
	assert_memory_equal(console, want, strlen(want));
	assert_non_null(strstr(console, "\r\nsession id: 1\r\n"));
	/* the broker recorded the open */
	assert_int_equal(bfx.audit.count, 1);
	assert_int_equal(bfx.records[0].kind, capos_AuditKind_AUDIT_KIND_SESSION_OPEN);
}

static void test_anonymous_shutdown_refused(void **st)
{
	(void)st;
	assert_int_equal(run("shutdown poweroff test"), 1);
	assert_string_equal(console, "shutdown: denied for an anonymous session\r\n");
	assert_int_equal(bfx.stops, 0);
	const capos_AuditRecord *r = &bfx.records[bfx.audit.count - 1];
	assert_int_equal(r->kind, capos_AuditKind_AUDIT_KIND_GRANT);
	assert_int_equal(r->outcome, CAPOS_DENIED);
	assert_string_equal(r->principal, "anonymous");
	assert_int_equal(run("shutdown"), 1);
	assert_string_equal(console, "usage: shutdown [poweroff|reboot|halt] REASON\r\n");
	assert_int_equal(run("logout"), 1);
	assert_string_equal(console, "logout: not logged in\r\n");
}

static void test_login_grant_logout(void **st)
{
	(void)st;
	assert_int_equal(run("login operator"), 0);
	assert_string_equal(console, "passphrase for operator: ");
	assert_int_equal(secret("wrong"), 1);
	assert_string_equal(console, "login: denied\r\n");
	assert_int_equal(run("whoami"), 0);
	assert_string_equal(console, "anonymous\r\n");
	bfx.now_ms += 50; /* the back-off */
	run("login operator");
	assert_int_equal(secret("correct horse"), 0);
	assert_string_equal(console, "login: operator (authenticated session 2)\r\n");
	assert_int_equal(run("whoami"), 0);
	assert_string_equal(console, "operator\r\n");
	assert_int_equal(run("session"), 0);
	char want[128];
	snprintf(want, sizeof(want), "principal: operator\r\nsession: authenticated\r\navatar: %s\r\n",
		 avatar_at(0)->name);
	assert_memory_equal(console, want, strlen(want));
	/* the anonymous session was closed at login */
	assert_int_equal(bfx.broker.sessions[0].live, 0);

	assert_int_equal(run("grant log-reader checking"), 0);
	assert_string_equal(console, "grant: log-reader (grant 1, interface 0x0201)\r\n");
	assert_int_equal(run("grant shutdown"), 0);
	assert_int_equal(run("grants"), 0);
	assert_string_equal(console, "log-reader: answers\r\nshutdown: answers\r\n");
	assert_int_equal(bfx.stops, 0); /* the probe does not shut down */
	assert_int_equal(run("grant maintenance"), 1);
	assert_string_equal(console, "grant: denied by the policy for operator\r\n");

	assert_int_equal(run("logout"), 0);
	assert_string_equal(console, "logout: operator session 2 closed (OK)\r\n");
	assert_int_equal(run("grants"), 0);
	assert_string_equal(console, "log-reader: INVALID_CAP\r\nshutdown: INVALID_CAP\r\n");
	assert_int_equal(run("whoami"), 0);
	assert_string_equal(console, "anonymous\r\n");
}

/* The shell's wait for init's stop notice after an accepted Shutdown:
 * the stop runs meanwhile (init is told to stop the system, which tells
 * the shell), as on the target once ShutdownControl has answered. */
static capos_status_t notice = CAPOS_OK; /* what the wait ends with */
static uint32_t stops_before_wait;
static uint32_t waits;
static capos_status_t stop_wait(uint64_t ns)
{
	assert_int_equal(ns, 10000ull * 1000000ull);
	waits++;
	stops_before_wait = bfx.stops;
	if (notice == CAPOS_OK)
		(void)shutdown_finish(&bfx.shutdown);
	return notice;
}

static void test_shutdown_after_login(void **st)
{
	(void)st;
	run("login operator");
	assert_int_equal(secret("correct horse"), 0);
	sh.stop_wait = stop_wait;
	notice = CAPOS_OK;
	waits = 0;
	/* ShutdownControl answered OK before the stop began (nothing was
	 * stopped when the shell started waiting); told to stop, the shell
	 * ends (its exit acknowledges the notice on the target). */
	assert_int_equal(run("shutdown poweroff done for today"), 0);
	assert_string_equal(console, "shutdown: poweroff (done for today), grant 1\r\n"
				     "shutdown: poweroff requested\r\n");
	assert_int_equal(waits, 1);
	assert_int_equal(stops_before_wait, 0);
	assert_true(sh.exit_requested);
	assert_int_equal(bfx.stops, 1);
	assert_string_equal(bfx.stop_reason, "done for today");
	assert_int_equal(bfx.port, SHUTDOWN_PM1A_CNT);
	assert_int_equal(bfx.port_value, SHUTDOWN_PM1A_S5);
	/* A second one while it is under way (the broker answers it): the
	 * same mode is what is happening, another is refused plainly. */
	sh.exit_requested = 0;
	notice = CAPOS_TIMEOUT; /* the stop is over: no notice comes again */
	assert_int_equal(run("shutdown poweroff again"), 1);
	assert_string_equal(console, "shutdown: poweroff (again), grant 2\r\n"
				     "shutdown: poweroff requested\r\n"
				     "shutdown: still running after 10000 ms\r\n");
	assert_false(sh.exit_requested);
	assert_int_equal(run("shutdown reboot x"), 1);
	assert_string_equal(console, "shutdown: reboot (x), grant 3\r\n"
				     "shutdown: another shutdown is under way\r\n");
	assert_int_equal(waits, 2);
	assert_int_equal(bfx.stops, 1);
	assert_int_equal(bfx.port_writes, 1);
}

/* A new machine each time: reboot, and poweroff by default; a shell with
 * no stop notice to wait for (not started by init) is back at its prompt. */
static void test_shutdown_modes(void **st)
{
	(void)st;
	run("login operator");
	assert_int_equal(secret("correct horse"), 0);
	assert_int_equal(run("shutdown reboot x"), 0);
	assert_string_equal(console, "shutdown: reboot (x), grant 1\r\n"
				     "shutdown: reboot requested\r\n");
	assert_false(sh.exit_requested);
	assert_int_equal(bfx.stops, 0); /* answered first: the stop comes after */
	assert_int_equal(shutdown_finish(&bfx.shutdown), CAPOS_UNSUPPORTED);
	assert_int_equal(bfx.stops, 1);
	assert_int_equal(bfx.port, SHUTDOWN_RESET_REG);
	assert_int_equal(bfx.port_value, SHUTDOWN_RESET_FULL);
	setup(NULL);
	run("login operator");
	assert_int_equal(secret("correct horse"), 0);
	assert_int_equal(run("shutdown y"), 0); /* poweroff by default */
	assert_int_equal(shutdown_finish(&bfx.shutdown), CAPOS_UNSUPPORTED);
	assert_int_equal(bfx.stops, 1);
	assert_string_equal(bfx.stop_reason, "y");
	assert_int_equal(bfx.port, SHUTDOWN_PM1A_CNT);
	assert_int_equal(bfx.port_writes, 1);
}

static void test_no_broker(void **st)
{
	(void)st;
	sh_init(&sh, &console_out);
	assert_int_equal(sh_session_start(&sh), 0);
	assert_int_equal(run("login operator"), 1);
	assert_string_equal(console, "login: no 'broker' capability (not granted to this session)\r\n");
	assert_int_equal(run("shutdown poweroff now"), 1);
	assert_string_equal(console,
			    "shutdown: no 'broker' capability (not granted to this session)\r\n");
	assert_int_equal(run("whoami"), 0);
	assert_string_equal(console, "anonymous\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_anonymous_at_start, setup),
		cmocka_unit_test_setup(test_anonymous_shutdown_refused, setup),
		cmocka_unit_test_setup(test_login_grant_logout, setup),
		cmocka_unit_test_setup(test_shutdown_after_login, setup),
		cmocka_unit_test_setup(test_shutdown_modes, setup),
		cmocka_unit_test_setup(test_no_broker, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
