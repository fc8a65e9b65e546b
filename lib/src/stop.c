/*
 * stop.c - the stop notice on the component's side (capos/stop.h).
 *
 * One process-wide state: the hook, whether the notice arrived, and
 * whether `stop` is still the first thread's bound notification. The
 * notice is honoured only from `stop`, whose signalling side only init
 * holds: a bit on `stop` delivered through the bound Recv, or, once
 * another notification is bound, a poll of `stop` itself.
 */
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/syscall.h>

static void (*hook)(void *);
static void *hook_arg;
static int told;
static int rebound;

void capos_on_stop(void (*fn)(void *arg), void *arg)
{
	hook = fn;
	hook_arg = arg;
}

int capos_stop_told(void)
{
	return told;
}

void capos_stop_rebound(void)
{
	rebound = 1;
}

/* The notice arrived: the hook, once. */
static void notice(void)
{
	if (told)
		return;
	told = 1;
	if (hook)
		hook(hook_arg);
}

int capos_stop_check(uint64_t bits)
{
	if (!(bits & CAPOS_STOP_BIT))
		return 0;
	capos_cap_t stop = capos_cap_lookup(CAPOS_STOP_NAME);
	if (stop == CAPOS_NO_CAP)
		return 0; /* not started by init: no one may stop it this way */
	if (rebound) {
		/* A nudge on another notification: only `stop` says so. */
		if (capos_wait(stop, CAPOS_WAIT_POLL) != CAPOS_OK ||
		    !(capos_ipc()->signals & CAPOS_STOP_BIT))
			return told;
	}
	notice();
	return 1;
}

capos_status_t capos_stop_wait(uint64_t timeout_ns)
{
	capos_cap_t stop = capos_cap_lookup(CAPOS_STOP_NAME);
	if (stop == CAPOS_NO_CAP)
		return CAPOS_NOT_FOUND;
	while (!told) {
		capos_status_t st = capos_wait(stop, timeout_ns);
		if (st != CAPOS_OK)
			return st;
		if (capos_ipc()->signals & CAPOS_STOP_BIT)
			notice();
	}
	return CAPOS_OK;
}

void capos_stop_acknowledge(void)
{
	if (!told)
		return;
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		(void)capos_signal(ready, CAPOS_STOPPED_BIT);
}
