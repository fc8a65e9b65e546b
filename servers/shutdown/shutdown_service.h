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
 * audit log refuses, so does Shutdown: nothing goes down unrecorded), and
 * the caller is answered OK. Only then (shutdown_finish, after the reply
 * went out) init stops every other component (ProcessControl.Stop), then
 * the platform write: ACPI PM1a control SLP_TYP|SLP_EN (power off), the
 * reset register (reboot), or nothing (halt: the machine stays on,
 * everything stopped).
 *
 * Why the answer comes first: the caller (the shell) and the broker that
 * forwarded its call are themselves among the components init stops. A
 * caller still inside Shutdown cannot see its stop notice; it would be
 * killed at the end of its bound, and every such bound would be spent
 * before the power-off. Answered, each returns to its loop and
 * acknowledges. What can still fail after the answer (init refuses the
 * stop, the platform ignores the write) is said through the `report` hook.
 *
 * One shutdown at a time: from the accepted request on, another Shutdown
 * with the same mode is answered OK (it is under way: its caller waits
 * for its stop notice like the first) without a second record or stop,
 * one with another mode WOULD_BLOCK. A stop init refused lets the next
 * request through again.
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
	/* The request is accepted: have shutdown_finish run once the reply is
	 * out (the target: the service framework's after_reply). Optional:
	 * without it the owner calls shutdown_finish itself (the host tests). */
	void (*answer_first)(void *ctx);
	/* init's orderly stop of every other component; its status. */
	capos_status_t (*stop_system)(void *ctx, const char *reason);
	/* One port write (width 1 or 2 bytes); its status. */
	capos_status_t (*port_out)(void *ctx, uint16_t port, uint8_t width, uint32_t value);
	/* Marks where the request arrived and where the platform write goes
	 * (the bench). Optional. */
	void (*mark)(void *ctx, int which);
	/* What failed after the caller had its answer. Optional. */
	void (*report)(void *ctx, const char *what, capos_status_t st);
};

struct shutdown_state {
	struct shutdown_hooks h;
	capos_ShutdownMode going_down; /* the accepted request's mode, or 0 */
	int pending;                   /* accepted, shutdown_finish not run yet */
	char reason[sizeof(((capos_ShutdownRequest *)0)->reason)];
};

extern const struct shutdowncontrol_ops shutdown_service_ops;

/* After the accepted request was answered: the orderly stop, then the
 * platform write. Returns what happened: the stop's status when init
 * refused it (the next request may try again), UNSUPPORTED when still
 * running after a power-off or reset write (the platform did not obey),
 * OK after a halt or with nothing pending. Each failure is reported. */
capos_status_t shutdown_finish(struct shutdown_state *s);

#endif
