/*
 * soak_server - the Echo server (servers/echo/echo_service.c) that takes a
 * real CPU fault, a write through a null pointer, when an Echo call
 * carries the bytes "fault": the crash soak's fault injection
 * (tests/qemu/crash_soak.expect). Any other call is the plain echo.
 */
#include <string.h>

#include <capos/service.h>
#include <capos/startup.h>

#include "echo_service.h"

int main(uint64_t arg);

static capos_status_t echo_or_fault(void *ctx, struct capos_rpc_request *rq,
				    const capos_EchoRequest *req, capos_EchoReply *resp)
{
	if (req->data.size == 5 && memcmp(req->data.bytes, "fault", 5) == 0)
		*(volatile int *)(uintptr_t)0 = 1; /* page fault: the process dies */
	return echo_service_ops.echo(ctx, rq, req, resp);
}

int main(uint64_t arg)
{
	capos_cap_t ep = capos_service_endpoint(arg, "echo");
	if (ep == CAPOS_NO_CAP)
		return 0;
	static struct echo_state state;
	static struct echo_ops ops;
	ops = echo_service_ops;
	ops.echo = echo_or_fault;
	static struct capos_server srv;
	capos_server_init(&srv, capos_cap_lookup("capmgr"), &state);
	capos_server_add(&srv, ep, echo_service(&ops, &state));
	return capos_service_main(&srv);
}
