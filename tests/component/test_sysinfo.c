/*
 * Component test: the sysinfo server's real dispatcher (generated) with the
 * real generated client stubs, over the host loopback transport, and a fake
 * monotonic clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/abi.h>
#include <capos/transport.h>

#include "sysinfo.capos.h"
#include "sysinfo_service.h"

#define SI_CAP 6

static struct sysinfo_state state;
static uint64_t fake_now;

static uint64_t fake_clock(void *ctx)
{
	assert_ptr_equal(ctx, &fake_now);
	return *(uint64_t *)ctx;
}

static int setup(void **st)
{
	(void)st;
	memset(&state, 0, sizeof(state));
	fake_now = 1000;
	state.now_ns = fake_clock;
	state.clock_ctx = &fake_now;
	capos_loopback_reset();
	capos_loopback_register(SI_CAP, systeminfo_service(&sysinfo_service_ops, &state), 0x77);
	return 0;
}

static void hostname(capos_HostnameInfo *h)
{
	capos_Empty e = capos_Empty_init_zero;
	memset(h, 0x5a, sizeof(*h)); /* the stub must not leave junk */
	assert_int_equal(systeminfo_hostname(SI_CAP, &e, h), CAPOS_OK);
}

static void test_default_hostname(void **st)
{
	(void)st;
	capos_HostnameInfo h;
	hostname(&h);
	assert_string_equal(h.hostname, "capos");
	sysinfo_set_hostname(&state, NULL);
	hostname(&h);
	assert_string_equal(h.hostname, "capos");
	sysinfo_set_hostname(&state, "");
	hostname(&h);
	assert_string_equal(h.hostname, "capos");
}

static void test_manifest_hostname(void **st)
{
	(void)st;
	capos_HostnameInfo h;
	sysinfo_set_hostname(&state, "lab-node-7");
	hostname(&h);
	assert_string_equal(h.hostname, "lab-node-7");

	/* longer than the wire bound (63 + NUL): cut at the bound */
	char longname[100];
	memset(longname, 'h', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	sysinfo_set_hostname(&state, longname);
	hostname(&h);
	assert_int_equal(strlen(h.hostname), 63);
	assert_memory_equal(h.hostname, longname, 63);

	/* a state array filled by hand without a NUL is still bounded */
	memset(state.hostname, 'z', sizeof(state.hostname));
	hostname(&h);
	assert_int_equal(strlen(h.hostname), 63);
}

static void test_version(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero;
	capos_VersionInfo v;
	memset(&v, 0x5a, sizeof(v));
	assert_int_equal(systeminfo_version(SI_CAP, &e, &v), CAPOS_OK);
	assert_string_equal(v.system, "capOS-C");
	assert_string_equal(v.version, SYSINFO_RELEASE);
	assert_true(v.version[0] != '\0');
	assert_true(v.build[0] != '\0');
	assert_int_equal(v.abi_version, CAPOS_ABI_VERSION);

	char buf[64], want[64];
	snprintf(want, sizeof(want), "capOS-C %s (ABI %u)", SYSINFO_RELEASE,
		 (unsigned)CAPOS_ABI_VERSION);
	assert_int_equal(sysinfo_version_string(buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	/* truncation keeps a NUL */
	char tiny[4];
	assert_int_equal(sysinfo_version_string(tiny, sizeof(tiny)), (int)strlen(want));
	assert_string_equal(tiny, "cap");
}

static void test_uptime(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero;
	capos_UptimeInfo u;
	assert_int_equal(systeminfo_uptime(SI_CAP, &e, &u), CAPOS_OK);
	assert_int_equal(u.nanoseconds, 1000);
	fake_now += 2500000000ull;
	assert_int_equal(systeminfo_uptime(SI_CAP, &e, &u), CAPOS_OK);
	assert_int_equal(u.nanoseconds, 2500001000ull);
	uint64_t before = u.nanoseconds;
	fake_now += 1;
	assert_int_equal(systeminfo_uptime(SI_CAP, &e, &u), CAPOS_OK);
	assert_true(u.nanoseconds > before);
	/* no clock: refused, not a made-up number */
	state.now_ns = NULL;
	assert_int_equal(systeminfo_uptime(SI_CAP, &e, &u), CAPOS_UNSUPPORTED);
}

static capos_status_t raw_call(uint64_t label, const void *body, uint32_t len,
			       uint64_t *reply_label, uint32_t *reply_len)
{
	memcpy(capos_transport_buffer(), body, len);
	return capos_transport_call(SI_CAP, label, len, NULL, reply_label, reply_len, NULL);
}

static void test_malformed_and_unknown(void **st)
{
	(void)st;
	uint64_t rl;
	uint32_t rn;
	static const uint32_t methods[] = { SYSTEMINFO_HOSTNAME_METHOD_ID,
					    SYSTEMINFO_VERSION_METHOD_ID,
					    SYSTEMINFO_UPTIME_METHOD_ID };
	/* an unknown field claiming 200 bytes with 1 present: truncated */
	const uint8_t truncated[] = { 0x0a, 0xc8, 0x01, 'a' };
	/* an invalid wire type */
	const uint8_t badwire[] = { 0x0f, 0x01 };
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		uint64_t label = CAPOS_RPC_LABEL(SYSTEMINFO_INTERFACE_ID, methods[i]);
		assert_int_equal(raw_call(label, truncated, sizeof(truncated), &rl, &rn),
				 CAPOS_OK);
		assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
		assert_int_equal(rn, 0);
		assert_int_equal(raw_call(label, badwire, sizeof(badwire), &rl, &rn), CAPOS_OK);
		assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
		assert_int_equal(rn, 0);
	}
	/* an unknown method, and another interface's label */
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(SYSTEMINFO_INTERFACE_ID, 99), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(0x0200, SYSTEMINFO_HOSTNAME_METHOD_ID), "", 0,
				  &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* and the server still serves */
	sysinfo_set_hostname(&state, "after");
	capos_HostnameInfo h;
	hostname(&h);
	assert_string_equal(h.hostname, "after");
	capos_Empty e = capos_Empty_init_zero;
	capos_UptimeInfo u;
	assert_int_equal(systeminfo_uptime(SI_CAP, &e, &u), CAPOS_OK);
	assert_int_equal(u.nanoseconds, 1000);
}

static void test_idempotent_retry(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero;
	capos_VersionInfo v;
	/* every SystemInfo method is idempotent: a DISCONNECTED is retried */
	capos_loopback_fail_next(SI_CAP, CAPOS_DISCONNECTED, 1);
	assert_int_equal(systeminfo_version(SI_CAP, &e, &v), CAPOS_OK);
	assert_int_equal(capos_loopback_delivered(SI_CAP), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_default_hostname, setup),
		cmocka_unit_test_setup(test_manifest_hostname, setup),
		cmocka_unit_test_setup(test_version, setup),
		cmocka_unit_test_setup(test_uptime, setup),
		cmocka_unit_test_setup(test_malformed_and_unknown, setup),
		cmocka_unit_test_setup(test_idempotent_retry, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
