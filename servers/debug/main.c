/*
 * debug - the DebugSession server (idl/debug.proto) on the target, over the
 * logic in debug_service.c. docs/servers/debug.md has the interface, the
 * authority rules and the caps.
 *
 * Startup page:
 *   debug    the served endpoint (RECV), granted with badge: true;
 *   procs    ProcessControl at init (READ): Status, and CapTable, which
 *            init answers for a component running this binary only;
 *   audit    AuditLog: every attach, refusal and detach;
 *   capmgr   its own table (WRITE): what an offered cap is (LIST), and
 *            the framework deletes every offered cap after the call;
 *   params   badge.N: the clients; the one named "broker" is the broker
 *            forwarding a "maintenance" grant's calls.
 */
#include <string.h>

#include <capos/client_names.h>
#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "debug_service.h"

int main(uint64_t arg);

static capos_cap_t capmgr = CAPOS_NO_CAP;

static capos_status_t process_cap(void *ctx, capos_cap_t cap, uint32_t *rights, uint32_t *pid)
{
	(void)ctx;
	static struct capos_capmgr_list_result r; /* 2 KiB: not on the stack */
	if (capmgr == CAPOS_NO_CAP || capos_cap_list(capmgr, cap, 1, &r) != CAPOS_OK ||
	    r.count != 1 || r.entries[0].slot != cap)
		return CAPOS_INVALID_CAP;
	if (r.entries[0].type != CAPOS_CAP_PROCESS)
		return CAPOS_WRONG_TYPE;
	*rights = r.entries[0].rights;
	struct capos_process_info info;
	capos_status_t st = capos_process_info(cap, &info);
	if (st != CAPOS_OK)
		return st;
	*pid = info.pid;
	return CAPOS_OK;
}

static const char *param(void *a, const char *key)
{
	(void)a;
	return capos_param(key);
}

int main(uint64_t arg)
{
	capos_cap_t ep = capos_service_endpoint(arg, "debug");
	if (ep == CAPOS_NO_CAP)
		return 0;
	capmgr = capos_cap_lookup("capmgr");
	static struct capos_client_names clients;
	capos_client_names_load(&clients, param, NULL);
	uint64_t broker = 0;
	for (size_t k = 0; k < clients.count; k++)
		if (strcmp(clients.entries[k].name, "broker") == 0)
			broker = clients.entries[k].badge;
	struct debug_env env = {
		.process_cap = process_cap,
		.procs = capos_cap_lookup("procs"),
		.audit = capos_cap_lookup("audit"),
		.broker_badge = broker,
	};
	static struct debug_state state;
	debug_init(&state, &env);
	static struct capos_server srv;
	capos_server_init(&srv, capmgr, &state);
	capos_server_add(&srv, ep, debugsession_service(&debug_service_ops, &state));
	return capos_service_main(&srv);
}
