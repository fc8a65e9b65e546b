/*
 * logd - the log server (idl/log.proto) on the target. Serves LogSink on
 * the endpoint under the local name `sink` (or the start argument's slot,
 * from a parent). Timestamps come from a `kernel_info` cap when it has one,
 * else they are 0.
 *
 * Not yet: LogReader on a second endpoint, the badge -> name table and the
 * ring size / level floor from the manifest, forwarding to the console.
 */
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "log_service.h"

int main(uint64_t arg);

static uint64_t kinfo_clock(void *arg)
{
	struct capos_kinfo_stats st;
	capos_cap_t kinfo = (capos_cap_t)(uintptr_t)arg;
	if (capos_kinfo_stats(kinfo, &st) != CAPOS_OK)
		return 0;
	return st.now_ns;
}

int main(uint64_t arg)
{
	capos_cap_t ep = (capos_cap_t)arg;
	if (arg == 0)
		ep = capos_cap_lookup("sink");
	if (ep == CAPOS_NO_CAP)
		return 0;
	static struct log_state state;
	capos_cap_t kinfo = capos_cap_lookup("kernel_info");
	if (kinfo != CAPOS_NO_CAP)
		log_init(&state, LOG_RING_DEFAULT, capos_LogLevel_LOG_LEVEL_TRACE, kinfo_clock,
			 (void *)(uintptr_t)kinfo);
	else
		log_init(&state, LOG_RING_DEFAULT, capos_LogLevel_LOG_LEVEL_TRACE, NULL, NULL);
	struct capos_service s = {
		.endpoint = ep,
		.dispatch = logsink_dispatch,
		.ops = &log_sink_ops,
		.ctx = &state,
	};
	capos_status_t st = capos_service_serve(&s);
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
