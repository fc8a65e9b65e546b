/* IPC test 1: two clients call one server through an endpoint; each
 * client's cap carries its own badge. The server answers
 * label * 1000 + badge + 2 * body with reply label = label + 100; every
 * value is printed (by the server: what it received, by each client: what
 * came back) and the expectation file checks them.
 * Also a root task of the fuzz image: it runs after ipc_fuzz to show the
 * kernel still serves IPC. */
#include "ipc_common.h"

#define EP_SERVER 4

int main(uint64_t arg)
{
	(void)arg;
	uint32_t sleeper = ipc_sleeper();
	uint32_t ep = CAPOS_NO_CAP;
	capos_status_t st = capos_endpoint_create(CAPOS_ROOT_PROCESS, 0x1234, &ep);
	capos_printf("pingpong: endpoint -> status %ld\n", (long)st);

	struct capos_spawned srv = ipc_spawn("ipc_pp_server", 100, 1);
	struct capos_spawned a = ipc_spawn("ipc_pp_client", 200, 1);
	struct capos_spawned b = ipc_spawn("ipc_pp_client", 200, 2);
	capos_status_t s1 = capos_install_cap(srv.process, ep, EP_SERVER, CAPOS_RIGHT_RECV, 0, 0);
	capos_status_t s2 = capos_install_cap(a.process, ep, EP_SERVER, CAPOS_RIGHT_SEND, 1, 0x77);
	capos_status_t s3 = capos_install_cap(b.process, ep, EP_SERVER, CAPOS_RIGHT_SEND, 1, 0x88);
	capos_printf("pingpong: install recv %ld send/0x77 %ld send/0x88 %ld\n", (long)s1,
		     (long)s2, (long)s3);
	capos_thread_start(srv.thread);
	capos_thread_start(a.thread);
	capos_thread_start(b.thread);

	int64_t ca = -1, cb = -1, cs = -1;
	uint32_t sa = ipc_wait_exit(a.process, sleeper, 5000, &ca);
	uint32_t sb = ipc_wait_exit(b.process, sleeper, 5000, &cb);
	capos_printf("pingpong: clients ended: state %u code %ld, state %u code %ld\n", sa,
		     (long)ca, sb, (long)cb);

	/* Tell the server to stop: a Send (no reply), label 0xdead, unbadged. */
	struct capos_ipc_buffer *m = capos_ipc();
	m->label = 0xdead;
	m->len = 0;
	m->ncaps = 0;
	st = capos_send(ep);
	uint32_t ss = ipc_wait_exit(srv.process, sleeper, 5000, &cs);
	capos_printf("pingpong: quit send -> status %ld; server state %u code %ld\n", (long)st,
		     ss, (long)cs);
	return 0;
}
