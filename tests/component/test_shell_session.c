/*
 * Component test: the shell's session commands (servers/shell/
 * cmd_session.c) against the real authority broker logic (servers/broker)
 * and the real audit server over the host loopback, as a person would use
 * them: the anonymous session at start, a refused shutdown, a wrong and a
 * right passphrase, a grant that goes stale at logout, and a shutdown that
 * reaches ShutdownControl (a fake here: the QEMU test powers off).
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

#include "audit_service.h"
#include "avatar.h"
#include "broker_service.h"
#include "cmd_session.h"
#include "commands.h"
#include "log.capos.h"

#define BROKER_CAP 1
#define AUDIT_CAP 2
#define SHUTDOWN_CAP 3
#define LOGS_CAP 4

static struct broker_state bst;
static capos_BrokerPolicy policy;
static capos_AuditRecord records[128];
static struct audit_state audit;
static uint64_t now_ms;
static char verifier[112];
static int shutdowns;
static capos_ShutdownRequest last;
static char console[16384];
static size_t console_len;
static struct sh_out out;
static struct shell sh;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return now_ms;
}

static capos_cap_t fake_mint(void *ctx, uint64_t badge)
{
	(void)ctx;
	return capos_loopback_mint(BROKER_CAP, badge);
}

static capos_status_t fake_shutdown(void *ctx, struct capos_rpc_request *rq,
				    const capos_ShutdownRequest *req, capos_Empty *resp)
{
	(void)ctx;
	(void)rq;
	(void)resp;
	last = *req;
	shutdowns++;
	return CAPOS_OK;
}
static const struct shutdowncontrol_ops shutdown_ops = { .shutdown = fake_shutdown };

static capos_status_t fake_read(void *ctx, struct capos_rpc_request *rq,
				const capos_LogFilter *req, capos_LogReadResult *resp)
{
	(void)ctx;
	(void)rq;
	(void)req;
	(void)resp;
	return CAPOS_OK;
}
static const struct logreader_ops logs_ops = { .read = fake_read };

static capos_status_t fake_write(void *ctx, const char *data, size_t n)
{
	(void)ctx;
	assert_true(console_len + n < sizeof(console));
	memcpy(console + console_len, data, n);
	console_len += n;
	console[console_len] = '\0';
	return CAPOS_OK;
}

static int setup(void **st)
{
	(void)st;
	if (!verifier[0]) {
		static const uint8_t salt[16] = "saltsaltsaltsalt";
		assert_int_equal(argon2id_hash_encoded(1, 64, 1, "correct horse", 13, salt, 16, 32,
						       verifier, sizeof(verifier)),
				 ARGON2_OK);
	}
	policy = (capos_BrokerPolicy)capos_BrokerPolicy_init_zero;
	capos_Principal *p = &policy.principals[policy.principals_count++];
	strcpy(p->name, "operator");
	strcpy(p->verifier, verifier);
	strcpy(p->avatar, avatar_at(0)->name);
	strcpy(p->grants[p->grants_count++], "shutdown");
	strcpy(p->grants[p->grants_count++], "log-reader");
	policy.backoff_ms = 50;
	now_ms = 1;
	shutdowns = 0;
	capos_loopback_reset();
	audit_init(&audit, records, 128, NULL, NULL, NULL, 0);
	capos_loopback_register(AUDIT_CAP, auditlog_service(&audit_service_ops, &audit), 1);
	capos_loopback_register(SHUTDOWN_CAP, shutdowncontrol_service(&shutdown_ops, NULL), 0);
	capos_loopback_register(LOGS_CAP, logreader_service(&logs_ops, NULL), 0);
	struct broker_env env = { .now_ms = fake_now, .mint = fake_mint, .audit = AUDIT_CAP,
				  .grant_cap = { SHUTDOWN_CAP, CAPOS_NO_CAP, LOGS_CAP,
						 CAPOS_NO_CAP } };
	broker_init(&bst, &policy, &env, 77);
	capos_loopback_register(BROKER_CAP, broker_endpoint_service(&bst), 5);
	memset(&out, 0, sizeof(out));
	out.write = fake_write;
	sh_init(&sh, &out);
	sh.broker = BROKER_CAP;
	console_len = 0;
	assert_int_equal(sh_session_start(&sh), 0);
	return 0;
}

static int run(const char *line)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", line);
	console_len = 0;
	console[0] = '\0';
	return sh_run(&sh, buf);
}

static int secret(const char *pass)
{
	console_len = 0;
	console[0] = '\0';
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
	assert_int_equal(audit.count, 1);
	assert_int_equal(records[0].kind, capos_AuditKind_AUDIT_KIND_SESSION_OPEN);
}

static void test_anonymous_shutdown_refused(void **st)
{
	(void)st;
	assert_int_equal(run("shutdown poweroff test"), 1);
	assert_string_equal(console, "shutdown: denied for an anonymous session\r\n");
	assert_int_equal(shutdowns, 0);
	const capos_AuditRecord *r = &records[audit.count - 1];
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
	now_ms += 50; /* the back-off */
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
	assert_int_equal(bst.sessions[0].live, 0);

	assert_int_equal(run("grant log-reader checking"), 0);
	assert_string_equal(console, "grant: log-reader (grant 1, interface 0x0201)\r\n");
	assert_int_equal(run("grant shutdown"), 0);
	assert_int_equal(run("grants"), 0);
	assert_string_equal(console, "log-reader: answers\r\nshutdown: answers\r\n");
	assert_int_equal(shutdowns, 0); /* the probe does not shut down */
	assert_int_equal(run("grant maintenance"), 1);
	assert_string_equal(console, "grant: denied by the policy for operator\r\n");

	assert_int_equal(run("logout"), 0);
	assert_string_equal(console, "logout: operator session 2 closed (OK)\r\n");
	assert_int_equal(run("grants"), 0);
	assert_string_equal(console, "log-reader: INVALID_CAP\r\nshutdown: INVALID_CAP\r\n");
	assert_int_equal(run("whoami"), 0);
	assert_string_equal(console, "anonymous\r\n");
}

static void test_shutdown_after_login(void **st)
{
	(void)st;
	run("login operator");
	assert_int_equal(secret("correct horse"), 0);
	assert_int_equal(run("shutdown poweroff done for today"), 0);
	assert_string_equal(console, "shutdown: poweroff (done for today), grant 1\r\n");
	assert_int_equal(shutdowns, 1);
	assert_int_equal(last.mode, capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF);
	assert_string_equal(last.reason, "done for today");
	assert_int_equal(run("shutdown reboot x"), 0);
	assert_int_equal(last.mode, capos_ShutdownMode_SHUTDOWN_MODE_REBOOT);
	assert_int_equal(run("shutdown y"), 0); /* poweroff by default */
	assert_int_equal(last.mode, capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF);
	assert_string_equal(last.reason, "y");
}

static void test_no_broker(void **st)
{
	(void)st;
	sh_init(&sh, &out);
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
		cmocka_unit_test_setup(test_no_broker, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
