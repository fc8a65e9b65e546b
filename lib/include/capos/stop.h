/*
 * capos/stop.h - the stop notice (docs/runtime.md, "Stopping"; docs/init.md,
 * "Orderly stop").
 *
 * init gives every instance of a component a notification of its own under
 * the startup name CAPOS_STOP_NAME, RECV only (init keeps the signalling
 * side, so no one else can tell it to stop), and binds it to the
 * component's first thread before that thread runs. To stop the system,
 * init signals CAPOS_STOP_BIT on it, and waits at most its grace period
 * for the acknowledgement: CAPOS_STOPPED_BIT on the component's own
 * `ready` notification, which the runtime signals as the process exits.
 * Then init kills the process either way.
 *
 * The service loop (capos/service.h) receives the notice through its Recv
 * and returns from capos_server_run / capos_service_main as a stopped
 * server does; a server that bound a notification of its own in place of
 * `stop` (an IRQ, a `wake`) is nudged by init with CAPOS_STOP_BIT on every
 * notification init made for it, and the runtime then asks `stop` itself
 * whether the notice is real. A program that serves nothing waits for the
 * notice with capos_stop_wait.
 *
 * Either way the hook registered with capos_on_stop runs once, before the
 * loop returns (or capos_stop_wait does): a component's last words - a
 * flush, its final counts. It must be short: init's bound counts it.
 */
#ifndef CAPOS_STOP_H
#define CAPOS_STOP_H

#include <stdint.h>

#include <capos/abi.h>

#define CAPOS_STOP_NAME "stop"
/* The notice on `stop` (and init's nudge on a component's other
 * notifications): below the service loop's arrival bits (63..61) and far
 * above IRQ and readiness bits. */
#define CAPOS_STOP_BIT (1ull << 59)
/* The acknowledgement on `ready` (readiness itself is any other bit). */
#define CAPOS_STOPPED_BIT (1ull << 58)

/* Registers the stop hook (one; a later call replaces it, NULL removes
 * it). fn runs once, when the notice arrives, with arg. */
void capos_on_stop(void (*fn)(void *arg), void *arg);

/* Whether bits received on this thread's bound notification carry the
 * notice: 1 once told (the hook has run), else 0. Bits without
 * CAPOS_STOP_BIT answer 0 at no cost. When the thread's bound notification
 * is no longer `stop` (capos_stop_rebound), `stop` itself is asked, so a
 * nudge or a forged bit changes nothing. */
int capos_stop_check(uint64_t bits);
/* The program's first thread was bound to `stop` by init, and now has
 * another notification bound instead (capos_server_bind does this). */
void capos_stop_rebound(void);
/* 1 once the notice arrived. */
int capos_stop_told(void);

/* For a program that serves nothing: waits up to timeout_ns
 * (CAPOS_WAIT_FOREVER: no bound) for the notice. OK once told (the hook
 * has run; return from main, or capos_exit), TIMEOUT, or NOT_FOUND when
 * the program has no `stop`. */
capos_status_t capos_stop_wait(uint64_t timeout_ns);

/* capos_exit calls this: once told, signals CAPOS_STOPPED_BIT on `ready`. */
void capos_stop_acknowledge(void);

#endif
