/* IPC test 3: a notification bound to the receiving thread. The root binds
 * a notification to its own thread and Recvs on an endpoint: the child
 * wakes it once with a message (kind MESSAGE) and once with a Signal (kind
 * SIGNAL; the child's cap is badged 0x400, so the bits are 0x400 | sent).
 * Bits pending when Recv starts win over a queued message. After unbinding,
 * a plain Wait on the notification gets the signal. */
#include "ipc_common.h"

static void show(const char *what, capos_status_t st)
{
	struct capos_ipc_buffer *m = capos_ipc();
	uint64_t body = 0;
	if (m->kind == CAPOS_RECV_MESSAGE && m->len >= 8)
		__builtin_memcpy(&body, m->body, 8);
	if (m->kind == CAPOS_RECV_SIGNAL)
		capos_printf("notify: %s -> status %ld kind %u (signal) bits 0x%lx\n", what,
			     (long)st, m->kind, (unsigned long)m->signals);
	else
		capos_printf("notify: %s -> status %ld kind %u (message) label %lu badge 0x%lx body %lu\n",
			     what, (long)st, m->kind, (unsigned long)m->label,
			     (unsigned long)m->badge, (unsigned long)body);
}

int main(uint64_t arg)
{
	(void)arg;
	struct capos_ipc_buffer *m = capos_ipc();
	uint32_t sleeper = ipc_sleeper();
	uint32_t ep = CAPOS_NO_CAP, n = CAPOS_NO_CAP;
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep);
	capos_notification_create(CAPOS_ROOT_PROCESS, &n);
	capos_status_t b1 = capos_thread_bind(CAPOS_ROOT_THREAD, n);
	capos_status_t b2 = capos_thread_bind(CAPOS_ROOT_THREAD, n);
	capos_printf("notify: bind -> status %ld, bind again -> status %ld\n", (long)b1, (long)b2);

	struct capos_spawned c = ipc_spawn("ipc_notify_child", 100, 1);
	capos_install_cap(c.process, ep, 4, CAPOS_RIGHT_SEND, 1, 0x99);
	capos_install_cap(c.process, n, 5, CAPOS_RIGHT_SEND, 1, 0x400);
	capos_thread_start(c.thread);

	/* The child calls (label 7, body 42), then signals 0x30. */
	capos_status_t st = capos_recv(ep);
	show("recv 1", st);
	m->label = 0;
	m->len = 0;
	m->ncaps = 0;
	st = capos_reply_recv(ep);
	show("recv 2", st);

	/* Meanwhile the child signals 0x1 and queues a Send (label 9). */
	capos_wait(sleeper, 5000000);
	st = capos_recv(ep);
	show("recv 3 (bits pending and a message queued)", st);
	st = capos_recv(ep);
	show("recv 4", st);

	/* Unbound, the notification is waited on directly; the child's
	 * last signal is 0x2. */
	st = capos_thread_bind(CAPOS_ROOT_THREAD, CAPOS_NO_CAP);
	capos_printf("notify: unbind -> status %ld\n", (long)st);
	st = capos_wait(n, 100000000);
	capos_printf("notify: wait after unbind -> status %ld bits 0x%lx\n", (long)st,
		     (unsigned long)m->signals);

	int64_t code = -1;
	uint32_t state = ipc_wait_exit(c.process, sleeper, 2000, &code);
	capos_printf("notify: child state %u code %ld\n", state, (long)code);
	return 0;
}
