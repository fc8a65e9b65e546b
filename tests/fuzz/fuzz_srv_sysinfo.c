/*
 * fuzz_srv_sysinfo: SystemInfo (servers/sysinfo/sysinfo_service.c) behind
 * its generated dispatcher. The check: Hostname answers the manifest's
 * name, Version the build's strings, Uptime the clock's time.
 */
#include <string.h>

#include "dispatch_fuzz.h"
#include "sysinfo.capos.h"
#include "sysinfo_service.h"

#define SYSINFO 5

static struct sysinfo_state state;
static uint64_t now;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return now += 1000;
}

static void setup(void)
{
	now = 0;
	memset(&state, 0, sizeof(state));
	sysinfo_set_hostname(&state, "fuzzhost");
	state.now_ns = fake_now;
	capos_loopback_register(SYSINFO, systeminfo_service(&sysinfo_service_ops, &state), 0x42);
}

static int check(void)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_HostnameInfo h = capos_HostnameInfo_init_zero;
	capos_VersionInfo v = capos_VersionInfo_init_zero;
	capos_UptimeInfo u = capos_UptimeInfo_init_zero;
	int bad = fuzz_expect(systeminfo_hostname(SYSINFO, &e, &h) == CAPOS_OK &&
				      !strcmp(h.hostname, "fuzzhost"),
			      "Hostname: not the manifest's");
	bad |= fuzz_expect(systeminfo_version(SYSINFO, &e, &v) == CAPOS_OK &&
				   !strcmp(v.system, SYSINFO_SYSTEM) &&
				   !strcmp(v.version, SYSINFO_RELEASE) &&
				   v.abi_version == CAPOS_ABI_VERSION,
			   "Version: not the build's");
	bad |= fuzz_expect(systeminfo_uptime(SYSINFO, &e, &u) == CAPOS_OK &&
				   u.nanoseconds == now,
			   "Uptime: not the clock's time");
	return bad;
}

static const capos_Empty empty = capos_Empty_init_zero;

static const struct fuzz_seed seeds[] = {
	{ 0, &systeminfo_hostname_method, &empty, 0 },
	{ 0, &systeminfo_version_method, &empty, 0 },
	{ 0, &systeminfo_uptime_method, &empty, 0 },
	{ 0, &systeminfo_uptime_method, &empty, 0x12 },
};

const struct fuzz_server fuzz_server = {
	.name = "sysinfo",
	.setup = setup,
	.endpoints = { SYSINFO },
	.nendpoints = 1,
	.methods = { &systeminfo_hostname_method, &systeminfo_version_method,
		     &systeminfo_uptime_method, NULL },
	.check = check,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
};
