/*
 * upgrade_client - live upgrade seen from a client
 * (manifests/test-upgrade.textproto, tests/qemu/upgrade.expect). It calls
 * Echo (the count says which instance answers: each starts at 0), asks
 * init to upgrade the echo component, and calls on with the same cap: no
 * call fails, and the count starts again, so a new instance answers. Then
 * the refusals - an unknown component (NOT_FOUND), a binary not in the
 * package and a component that serves nothing (INVALID_ARGUMENT) - which
 * leave the running instance alone; Status shows the new pid.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>

#include "echo.capos.h"
#include "process.capos.h"

int main(uint64_t arg);

static capos_cap_t echo, procs;

static void call(const char *what)
{
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = (pb_size_t)strlen(what);
	memcpy(req.data.bytes, what, req.data.size);
	capos_EchoReply r = capos_EchoReply_init_zero;
	capos_status_t st = echo_echo(echo, &req, &r);
	capos_printf("upgrader: echo '%s' -> status %ld, count %lu\n", what, (long)st,
		     (unsigned long)r.count);
}

static void upgrade(const char *component, const char *binary)
{
	capos_UpgradeRequest req = capos_UpgradeRequest_init_zero;
	strlcpy(req.component, component, sizeof(req.component));
	strlcpy(req.binary, binary, sizeof(req.binary));
	capos_UpgradeResult r = capos_UpgradeResult_init_zero;
	capos_status_t st = processcontrol_upgrade(procs, &req, &r);
	capos_printf("upgrader: upgrade %s to '%s' -> status %ld, old pid %u, new pid %u, "
		     "%u endpoints moved\n", component, binary, (long)st, (unsigned)r.old_pid,
		     (unsigned)r.new_pid, (unsigned)r.endpoints_moved);
}

int main(uint64_t arg)
{
	(void)arg;
	echo = capos_cap_lookup("echo");
	procs = capos_cap_lookup("procs");
	if (echo == CAPOS_NO_CAP || procs == CAPOS_NO_CAP)
		return 1;
	call("one");
	call("two");
	upgrade("echo", "");
	call("three");
	call("four");
	upgrade("nosuch", "");
	upgrade("echo", "no-such-binary");
	upgrade("upgrader", "");
	call("five");
	static capos_ProcessStatus ps;
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	strlcpy(ref.name, "echo", sizeof(ref.name));
	capos_status_t st = processcontrol_status(procs, &ref, &ps);
	capos_printf("upgrader: echo status -> %ld, pid %u, state %d, restarts %u, binary %s\n",
		     (long)st, (unsigned)ps.pid, (int)ps.state, (unsigned)ps.restarts, ps.binary);
	return 0;
}
