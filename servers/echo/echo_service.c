/*
 * echo_service.c - Echo (idl/echo.proto): answers with the same bytes and
 * counts calls. Used to test stubs, dispatchers, error paths, restarts and
 * caps through the generated code (Exchange).
 */
#include <string.h>

#include <capos/transport.h>

#include "echo_service.h"

static capos_status_t do_echo(void *ctx, struct capos_rpc_request *rq,
			      const capos_EchoRequest *req, capos_EchoReply *resp)
{
	struct echo_state *s = ctx;
	(void)rq;
	s->count++;
	resp->data.size = req->data.size;
	memcpy(resp->data.bytes, req->data.bytes, req->data.size);
	resp->count = s->count;
	return CAPOS_OK;
}

static capos_status_t do_count(void *ctx, struct capos_rpc_request *rq,
			       const capos_Empty *req, capos_EchoCount *resp)
{
	struct echo_state *s = ctx;
	(void)rq;
	(void)req;
	resp->count = s->count;
	return CAPOS_OK;
}

static capos_status_t do_fail(void *ctx, struct capos_rpc_request *rq,
			      const capos_EchoFail *req, capos_Empty *resp)
{
	(void)ctx;
	(void)rq;
	(void)resp;
	return (capos_status_t)req->status;
}

/* The cap named by give_back goes back in caps_out. Moved: its caps_in
 * entry stays, so the framework deletes it if the reply does not carry it
 * (an error status). Kept: its entry is cleared (echo holds it) and a copy
 * goes out. Every other cap is a leftover the framework deletes. */
static capos_status_t do_exchange(void *ctx, struct capos_rpc_request *rq,
				  const capos_EchoExchange *req, struct capos_cap_list *caps_in,
				  capos_EchoExchangeResult *resp, struct capos_cap_list *caps_out)
{
	struct echo_state *s = ctx;
	(void)rq;
	resp->received = caps_in->count;
	if (req->no_cap)
		return CAPOS_OK; /* broken on purpose: the dispatcher refuses it */
	if (req->give_back >= caps_in->count)
		return CAPOS_INVALID_ARGUMENT;
	capos_cap_t c = caps_in->cap[req->give_back];
	caps_out->count = 1;
	caps_out->cap[0] = c;
	if (req->keep) {
		if (s->has_kept) {
			/* One kept cap at a time: the older one goes (it stays in
			 * the table when there is no capmgr to delete it with). */
			struct capos_cap_list old = { .count = 1, .cap = { s->kept } };
			capos_transport_drop(&old);
		}
		s->has_kept = 1;
		s->kept = c;
		caps_in->cap[req->give_back] = CAPOS_NO_CAP;
	} else {
		caps_out->move = 1;
	}
	return (capos_status_t)req->status;
}

const struct echo_ops echo_service_ops = {
	.echo = do_echo,
	.count = do_count,
	.fail = do_fail,
	.exchange = do_exchange,
};
