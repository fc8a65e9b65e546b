/*
 * shutdown_service.c - ShutdownControl.Shutdown: check, audit, answer;
 * then stop and power off (shutdown_service.h has the order and why).
 */
#include <string.h>

#include "shutdown_service.h"

static capos_status_t do_shutdown(void *ctx, struct capos_rpc_request *rq,
				  const capos_ShutdownRequest *req, capos_Empty *resp)
{
	struct shutdown_state *s = ctx;
	(void)rq;
	(void)resp;
	if (s->h.mark && !s->going_down)
		s->h.mark(s->h.ctx, 0);
	if (req->mode < capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF ||
	    req->mode > capos_ShutdownMode_SHUTDOWN_MODE_HALT || !req->reason[0])
		return CAPOS_INVALID_ARGUMENT;
	if (s->going_down) /* one shutdown at a time: this one is under way */
		return req->mode == s->going_down ? CAPOS_OK : CAPOS_WOULD_BLOCK;
	capos_status_t st = s->h.audit(s->h.ctx, req->mode, req->reason);
	if (st != CAPOS_OK)
		return st; /* nothing goes down unrecorded */
	s->going_down = req->mode;
	s->pending = 1;
	strncpy(s->reason, req->reason, sizeof(s->reason) - 1);
	s->reason[sizeof(s->reason) - 1] = '\0';
	if (s->h.answer_first)
		s->h.answer_first(s->h.ctx);
	return CAPOS_OK; /* the stop comes after this answer */
}

static void report(struct shutdown_state *s, const char *what, capos_status_t st)
{
	if (s->h.report)
		s->h.report(s->h.ctx, what, st);
}

capos_status_t shutdown_finish(struct shutdown_state *s)
{
	if (!s->pending)
		return CAPOS_OK;
	s->pending = 0;
	capos_status_t st = s->h.stop_system(s->h.ctx, s->reason);
	if (st != CAPOS_OK) {
		/* Nothing was stopped: the system stays up, and may be asked
		 * again. */
		s->going_down = 0;
		report(s, "init refused the orderly stop", st);
		return st;
	}
	if (s->h.mark)
		s->h.mark(s->h.ctx, 1);
	switch (s->going_down) {
	case capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF:
		st = s->h.port_out(s->h.ctx, SHUTDOWN_PM1A_CNT, 2, SHUTDOWN_PM1A_S5);
		break;
	case capos_ShutdownMode_SHUTDOWN_MODE_REBOOT:
		st = s->h.port_out(s->h.ctx, SHUTDOWN_RESET_REG, 1, SHUTDOWN_RESET_FULL);
		break;
	default:
		return CAPOS_OK; /* halt: everything else stopped, the machine on */
	}
	/* Still here after a power-off or reset write: the platform did not
	 * obey (or the port was refused). Everything else is stopped: it
	 * stays going down. */
	if (st == CAPOS_OK)
		st = CAPOS_UNSUPPORTED;
	report(s, "still running after the platform write", st);
	return st;
}

const struct shutdowncontrol_ops shutdown_service_ops = { .shutdown = do_shutdown };
