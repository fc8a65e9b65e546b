/*
 * echo - the Echo server (idl/echo.proto) on the target. Started by a
 * parent with its endpoint's slot as the start argument, or by init from a
 * manifest with the endpoint under the local name `echo`; as a root task
 * (argument 0, no such name) it has nothing to serve and exits at once.
 */
#include <capos/service.h>
#include <capos/startup.h>

#include "echo_service.h"

int main(uint64_t arg);

int main(uint64_t arg)
{
	capos_cap_t ep = (capos_cap_t)arg;
	if (arg == 0) /* started by init from a manifest: the endpoint by name */
		ep = capos_cap_lookup("echo");
	if (ep == CAPOS_NO_CAP)
		return 0;
	static struct echo_state state;
	struct capos_service s = {
		.endpoint = ep,
		.service = echo_service(&echo_service_ops, &state),
	};
	capos_status_t st = capos_service_serve(&s);
	/* Retargeted away (live upgrade): done, cleanly. */
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
