/*
 * echo_service.c - Echo (idl/echo.proto): answers with the same bytes and
 * counts calls. Used to test stubs, dispatchers, error paths and restarts.
 */
#include <string.h>

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

const struct echo_ops echo_service_ops = {
	.echo = do_echo,
	.count = do_count,
	.fail = do_fail,
};
