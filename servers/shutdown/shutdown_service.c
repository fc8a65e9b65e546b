/*
 * shutdown_service.c - ShutdownControl.Shutdown: check, audit, stop,
 * power off (shutdown_service.h has the order and why).
 */
#include "shutdown_service.h"

static capos_status_t do_shutdown(void *ctx, struct capos_rpc_request *rq,
				  const capos_ShutdownRequest *req, capos_Empty *resp)
{
	struct shutdown_state *s = ctx;
	(void)rq;
	(void)resp;
	if (s->h.mark)
		s->h.mark(s->h.ctx, 0);
	if (req->mode < capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF ||
	    req->mode > capos_ShutdownMode_SHUTDOWN_MODE_HALT || !req->reason[0])
		return CAPOS_INVALID_ARGUMENT;
	if (s->going_down)
		return CAPOS_WOULD_BLOCK; /* one shutdown at a time */
	capos_status_t st = s->h.audit(s->h.ctx, req->mode, req->reason);
	if (st != CAPOS_OK)
		return st; /* nothing goes down unrecorded */
	s->going_down = 1;
	st = s->h.stop_system(s->h.ctx, req->reason);
	if (st != CAPOS_OK) {
		s->going_down = 0;
		return st;
	}
	if (s->h.mark)
		s->h.mark(s->h.ctx, 1);
	switch (req->mode) {
	case capos_ShutdownMode_SHUTDOWN_MODE_POWER_OFF:
		st = s->h.port_out(s->h.ctx, SHUTDOWN_PM1A_CNT, 2, SHUTDOWN_PM1A_S5);
		break;
	case capos_ShutdownMode_SHUTDOWN_MODE_REBOOT:
		st = s->h.port_out(s->h.ctx, SHUTDOWN_RESET_REG, 1, SHUTDOWN_RESET_FULL);
		break;
	default:
		st = CAPOS_OK; /* halt: everything else stopped, the machine on */
		break;
	}
	/* Still here after a power-off or reset write: the platform did not
	 * obey (or the port was refused). */
	return st == CAPOS_OK && req->mode != capos_ShutdownMode_SHUTDOWN_MODE_HALT
		       ? CAPOS_UNSUPPORTED
		       : st;
}

const struct shutdowncontrol_ops shutdown_service_ops = { .shutdown = do_shutdown };
