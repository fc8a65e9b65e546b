/*
 * echo - the Echo server (idl/echo.proto) on the target. Started by a
 * parent with its endpoint's slot as the start argument, or by init from a
 * manifest with the endpoint under the local name `echo`; as a root task
 * (argument 0, no such name) it has nothing to serve and exits at once.
 * With `capmgr` (its own table, WRITE) it deletes the caps of calls that
 * bring more than Exchange keeps. With `thread` (its own) and `wake` (a
 * notification) as well, it binds `wake` to its thread, so it can take over
 * another Echo endpoint while it runs (ProcessControl.Retarget: init's
 * serve notice, capos/service.h).
 */
#include <capos/service.h>
#include <capos/startup.h>

#include "echo_service.h"

int main(uint64_t arg);

int main(uint64_t arg)
{
	capos_cap_t ep = capos_service_endpoint(arg, "echo");
	if (ep == CAPOS_NO_CAP)
		return 0;
	static struct echo_state state;
	static struct capos_server srv;
	capos_server_init(&srv, capos_cap_lookup("capmgr"), &state);
	capos_server_add(&srv, ep, echo_service(&echo_service_ops, &state));
	capos_cap_t thread = capos_cap_lookup("thread"), wake = capos_cap_lookup("wake");
	/* Else no endpoint can be added later: notices stay ordinary calls. */
	if (thread != CAPOS_NO_CAP && wake != CAPOS_NO_CAP && srv.capmgr != CAPOS_NO_CAP &&
	    capos_server_bind(&srv, thread, wake) == CAPOS_OK)
		srv.take_endpoints = 1;
	return capos_service_main(&srv);
}
