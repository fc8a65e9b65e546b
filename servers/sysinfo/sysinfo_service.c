/*
 * sysinfo_service.c - SystemInfo (idl/sysinfo.proto): the manifest's
 * hostname (default "capos"), the compiled-in version with the kernel ABI
 * version, and the uptime from a monotonic clock callback.
 */
#include <stdio.h>
#include <string.h>

#include <capos/abi.h>

#include "sysinfo_service.h"

/* Copies src into dst[cap] (cap > 0), cutting at cap - 1; NUL-terminates. */
static void copy_bounded(char *dst, size_t cap, const char *src)
{
	size_t n = 0;
	if (src)
		while (n + 1 < cap && src[n])
			n++;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void sysinfo_set_hostname(struct sysinfo_state *s, const char *hostname)
{
	copy_bounded(s->hostname, sizeof(s->hostname), hostname);
}

int sysinfo_version_string(char *buf, size_t cap)
{
	return snprintf(buf, cap, "%s %s (ABI %u)", SYSINFO_SYSTEM, SYSINFO_RELEASE,
			(unsigned)CAPOS_ABI_VERSION);
}

static capos_status_t do_hostname(void *ctx, struct capos_rpc_request *rq,
				  const capos_Empty *req, capos_HostnameInfo *resp)
{
	const struct sysinfo_state *s = ctx;
	(void)rq;
	(void)req;
	const char *h = s->hostname[0] ? s->hostname : SYSINFO_DEFAULT_HOSTNAME;
	/* the state's array may be unterminated if filled by hand: bounded */
	size_t n = 0;
	while (n < sizeof(s->hostname) && n + 1 < sizeof(resp->hostname) && h[n])
		n++;
	memcpy(resp->hostname, h, n);
	resp->hostname[n] = '\0';
	return CAPOS_OK;
}

static capos_status_t do_version(void *ctx, struct capos_rpc_request *rq,
				 const capos_Empty *req, capos_VersionInfo *resp)
{
	(void)ctx;
	(void)rq;
	(void)req;
	copy_bounded(resp->system, sizeof(resp->system), SYSINFO_SYSTEM);
	copy_bounded(resp->version, sizeof(resp->version), SYSINFO_RELEASE);
	copy_bounded(resp->build, sizeof(resp->build), SYSINFO_BUILD);
	resp->abi_version = CAPOS_ABI_VERSION;
	return CAPOS_OK;
}

static capos_status_t do_uptime(void *ctx, struct capos_rpc_request *rq,
				const capos_Empty *req, capos_UptimeInfo *resp)
{
	const struct sysinfo_state *s = ctx;
	(void)rq;
	(void)req;
	if (!s->now_ns)
		return CAPOS_UNSUPPORTED;
	resp->nanoseconds = s->now_ns(s->clock_ctx);
	return CAPOS_OK;
}

const struct systeminfo_ops sysinfo_service_ops = {
	.hostname = do_hostname,
	.version = do_version,
	.uptime = do_uptime,
};
