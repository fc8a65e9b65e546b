/*
 * sysinfo - the SystemInfo server (idl/sysinfo.proto) on the target.
 * Started by init from a manifest with its endpoint under the local name
 * `sysinfo` (or by a parent with the endpoint's slot as the start
 * argument) and, for Uptime, the read-only kernel counters under the local
 * name `kinfo` (KERNEL_RESOURCE_KERNEL_INFO). Without an endpoint it exits
 * at once; without `kinfo`, Uptime answers UNSUPPORTED. The hostname is
 * the startup parameter `hostname` (init sets it from the manifest);
 * absent or empty, Hostname answers "capos". docs/servers/sysinfo.md.
 */
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "sysinfo_service.h"

int main(uint64_t arg);

static uint64_t kinfo_now(void *ctx)
{
	struct capos_kinfo_stats ks;
	capos_cap_t kinfo = (capos_cap_t)(uintptr_t)ctx;
	if (capos_kinfo_stats(kinfo, &ks) != CAPOS_OK)
		return 0;
	return ks.now_ns;
}

int main(uint64_t arg)
{
	capos_cap_t ep = (capos_cap_t)arg;
	if (arg == 0) /* started by init from a manifest: the endpoint by name */
		ep = capos_cap_lookup("sysinfo");
	if (ep == CAPOS_NO_CAP)
		return 0;
	static struct sysinfo_state state;
	sysinfo_set_hostname(&state, capos_param("hostname"));
	capos_cap_t kinfo = capos_cap_lookup("kinfo");
	if (kinfo != CAPOS_NO_CAP) {
		state.now_ns = kinfo_now;
		state.clock_ctx = (void *)(uintptr_t)kinfo;
	}
	struct capos_service s = {
		.endpoint = ep,
		.service = systeminfo_service(&sysinfo_service_ops, &state),
	};
	capos_status_t st = capos_service_serve(&s);
	/* Retargeted away (live upgrade): done, cleanly. */
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
