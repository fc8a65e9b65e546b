/*
 * shutdown_service.h - ShutdownControl (idl/broker.proto): the only
 * component holding the ports that power off and reset the machine. The
 * logic is free of system calls (the ports and init are hooks), so the
 * host component test runs it unchanged.
 *
 * The manifest grants its endpoint to the broker alone, which forwards a
 * session's "shutdown" grant here after its own checks (an anonymous
 * session is refused there). Here, in this order: the request is checked
 * (mode and reason: INVALID_ARGUMENT), the audit record is appended (if the
 * audit log refuses, so does Shutdown: nothing goes down unrecorded), init
 * stops every other component (ProcessControl.Stop), then the platform
 * write: ACPI PM1a control SLP_TYP|SLP_EN (power off), the reset register
 * (reboot), or nothing (halt: the machine stays on, everything stopped).
 */
#ifndef SERVERS_SHUTDOWN_SERVICE_H
#define SERVERS_SHUTDOWN_SERVICE_H

#include <stdint.h>

#include "broker.capos.h"

/* q35 (ICH9): PM1a control block at 0x604, SLP_TYP 5 (S5) | SLP_EN. */
#define SHUTDOWN_PM1A_CNT 0x604u
#define SHUTDOWN_PM1A_S5 0x2000u
/* The reset control register: full reset (CPU reset + system reset). */
#define SHUTDOWN_RESET_REG 0xcf9u
#define SHUTDOWN_RESET_FULL 0x06u

struct shutdown_hooks {
	void *ctx;
	/* Appends the audit record first; its status (not OK: refused). */
	capos_status_t (*audit)(void *ctx, capos_ShutdownMode mode, const char *reason);
	/* init's orderly stop of every other component; its status. */
	capos_status_t (*stop_system)(void *ctx, const char *reason);
	/* One port write (width 1 or 2 bytes); its status. */
	capos_status_t (*port_out)(void *ctx, uint16_t port, uint8_t width, uint32_t value);
	/* Marks where the request arrived and where the platform write goes
	 * (the bench). Optional. */
	void (*mark)(void *ctx, int which);
};

struct shutdown_state {
	struct shutdown_hooks h;
	int going_down; /* a request got past the audit: no second one */
};

extern const struct shutdowncontrol_ops shutdown_service_ops;

#endif
