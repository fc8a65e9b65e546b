/*
 * sysinfo_service.h - the sysinfo server's logic (SystemInfo,
 * idl/sysinfo.proto), free of system calls, so the same code serves on the
 * target and in host component tests.
 */
#ifndef SERVERS_SYSINFO_SERVICE_H
#define SERVERS_SYSINFO_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "sysinfo.capos.h"

#define SYSINFO_SYSTEM "capOS-C"
#define SYSINFO_RELEASE "0.6"
#define SYSINFO_DEFAULT_HOSTNAME "capos"
/* Build identity: a build may pass -DSYSINFO_BUILD="\"<commit> <date>\"". */
#ifndef SYSINFO_BUILD
#define SYSINFO_BUILD "dev"
#endif

/* Monotonic nanoseconds since the kernel started (the clock's source). */
typedef uint64_t (*sysinfo_now_fn)(void *clock_ctx);

struct sysinfo_state {
	/* The manifest's hostname; empty (or all NUL) answers "capos". Longer
	 * than the wire bound (63 bytes) is cut at the bound. */
	char hostname[64];
	sysinfo_now_fn now_ns; /* NULL: Uptime answers UNSUPPORTED */
	void *clock_ctx;
};

/* Sets s->hostname from a manifest value (NULL or "" for the default),
 * truncated to fit. */
void sysinfo_set_hostname(struct sysinfo_state *s, const char *hostname);

/* "capOS-C 0.6 (ABI 2)" into buf (always NUL-terminated when cap > 0);
 * returns the length it wanted, like snprintf. */
int sysinfo_version_string(char *buf, size_t cap);

extern const struct systeminfo_ops sysinfo_service_ops;

#endif
