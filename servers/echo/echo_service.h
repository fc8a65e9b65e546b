/*
 * echo_service.h - the echo server's logic, free of system calls, so the
 * same code serves on the target and in host component tests.
 */
#ifndef SERVERS_ECHO_SERVICE_H
#define SERVERS_ECHO_SERVICE_H

#include <stdint.h>

#include "echo.capos.h"

struct echo_state {
	uint64_t count; /* Echo calls answered by this instance */
	int has_kept;   /* Exchange with keep: the cap it holds */
	capos_cap_t kept;
};

extern const struct echo_ops echo_service_ops;

#endif
