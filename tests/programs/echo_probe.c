/*
 * echo_probe - a client component: finds the Echo endpoint the manifest
 * granted it under the name "echo", calls it through the generated stubs
 * and prints what came back. Used by the boot test's manifest.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>

#include "echo.capos.h"

int main(uint64_t arg);

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t ep = capos_cap_lookup("echo");
	if (ep == CAPOS_NO_CAP) {
		capos_printf("echo_probe: no cap named echo\n");
		return 1;
	}
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = 5;
	memcpy(req.data.bytes, "probe", 5);
	capos_EchoReply r;
	capos_status_t st = echo_echo(ep, &req, &r);
	char text[8] = { 0 };
	if (st == CAPOS_OK && r.data.size < sizeof(text))
		memcpy(text, r.data.bytes, r.data.size);
	capos_printf("echo_probe: echo -> status %ld, '%s', count %lu\n", (long)st, text,
		     (unsigned long)r.count);
	return st == CAPOS_OK ? 0 : 2;
}
