/*
 * echo_client - two processes talking through generated stubs: this root
 * task starts the echo server (servers/echo) as a child and calls it with
 * the generated client functions; a malformed body and an unknown method
 * are answered INVALID_ARGUMENT and UNSUPPORTED and the server keeps
 * serving; after the server is killed an idempotent call gives up with
 * DISCONNECTED after its bounded retries.
 *
 * Caps through the stubs (Exchange): a notification moved to echo comes
 * back in the reply and still signals; an OK without the promised cap is
 * PROTOCOL_ERROR, an error reply carries no cap, and more caps than the
 * method takes never leave (INVALID_ARGUMENT from the stub).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>
#include <capos/syscall.h>
#include <capos/transport.h>

#include "echo.capos.h"

#define CHILD_EP 4

int main(uint64_t arg);

static const char *text_of(const capos_EchoReply *r)
{
	static char t[sizeof(r->data.bytes) + 1];
	memcpy(t, r->data.bytes, r->data.size);
	t[r->data.size] = '\0';
	return t;
}

static capos_status_t echo_text(capos_cap_t ep, const char *text, capos_EchoReply *r)
{
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = (pb_size_t)strlen(text);
	memcpy(req.data.bytes, text, req.data.size);
	return echo_echo(ep, &req, r);
}

static capos_status_t exchange(capos_cap_t ep, int no_cap, capos_status_t status,
			       const struct capos_cap_list *send, struct capos_cap_list *got)
{
	capos_EchoExchange req = capos_EchoExchange_init_zero;
	capos_EchoExchangeResult res = capos_EchoExchangeResult_init_zero;
	req.no_cap = no_cap;
	req.status = (capos_Status)status;
	got->count = 99;
	return echo_exchange(ep, &req, send, &res, got);
}

static void exchange_caps(capos_cap_t ep)
{
	uint32_t n;
	if (capos_notification_create(CAPOS_ROOT_PROCESS, &n) != CAPOS_OK) {
		capos_printf("echo_client: no notification\n");
		return;
	}
	/* Moved there and back: the cap that returns is the notification. */
	struct capos_cap_list send = { .count = 1, .move = 1, .cap = { n } };
	struct capos_cap_list got;
	capos_status_t st = exchange(ep, 0, CAPOS_OK, &send, &got);
	capos_printf("echo_client: exchange (moved) -> status %ld, %u cap back\n", (long)st,
		     (unsigned)got.count);
	if (st != CAPOS_OK)
		return;
	capos_cap_t back = got.cap[0];
	capos_status_t sig = capos_signal(back, 0x5);
	capos_status_t wst = capos_wait(back, CAPOS_WAIT_POLL);
	capos_printf("echo_client: the cap back: signal %ld, wait %ld, bits %#lx\n", (long)sig,
		     (long)wst, (unsigned long)capos_ipc()->signals);

	/* Copied this time (ours stays); the server answers OK with no cap. */
	send = (struct capos_cap_list){ .count = 1, .move = 0, .cap = { back } };
	st = exchange(ep, 1, CAPOS_OK, &send, &got);
	capos_printf("echo_client: exchange (no cap) -> status %ld, %u caps\n", (long)st,
		     (unsigned)got.count);
	st = exchange(ep, 0, CAPOS_DENIED, &send, &got);
	capos_printf("echo_client: exchange (DENIED) -> status %ld, %u caps\n", (long)st,
		     (unsigned)got.count);
	send = (struct capos_cap_list){ .count = 3, .move = 0, .cap = { back, back, back } };
	st = exchange(ep, 0, CAPOS_OK, &send, &got);
	capos_printf("echo_client: exchange (3 caps) -> status %ld, %u caps\n", (long)st,
		     (unsigned)got.count);
	/* Still ours after all that: the copies went, not the cap. */
	sig = capos_signal(back, 0x2);
	wst = capos_wait(back, CAPOS_WAIT_POLL);
	capos_printf("echo_client: ours still: signal %ld, wait %ld, bits %#lx\n", (long)sig,
		     (long)wst, (unsigned long)capos_ipc()->signals);
}

int main(uint64_t arg)
{
	(void)arg;
	uint32_t ep;
	struct capos_spawned srv;
	struct capos_limits lim = { 32, 2, 256, 4 };
	if (capos_endpoint_create(CAPOS_ROOT_PROCESS, ECHO_INTERFACE_ID, &ep) != CAPOS_OK ||
	    capos_spawn("echo", "echo", &lim, 200, CHILD_EP, &srv) != CAPOS_OK ||
	    capos_install_cap(srv.process, ep, CHILD_EP, CAPOS_RIGHT_RECV, 0, 0) != CAPOS_OK ||
	    capos_install_cap(srv.process, CAPOS_ROOT_IOPORT, 3, CAPOS_RIGHTS_ALL, 0, 0) != CAPOS_OK ||
	    capos_thread_start(srv.thread) != CAPOS_OK) {
		capos_printf("echo_client: set-up failed\n");
		return 1;
	}

	capos_EchoReply r;
	capos_status_t st = echo_text(ep, "hello through stubs", &r);
	capos_printf("echo_client: echo -> status %ld, %u bytes '%s', count %lu\n", (long)st,
		     (unsigned)r.data.size, text_of(&r), (unsigned long)r.count);

	/* A body that does not decode: bytes field claiming more than is there. */
	uint64_t rl = 99;
	uint32_t rn = 99;
	uint8_t *buf = capos_transport_buffer();
	buf[0] = 0x0a;
	buf[1] = 0x7f;
	buf[2] = 'x';
	st = capos_transport_call(ep, CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID), 3,
				  NULL, &rl, &rn, NULL);
	capos_printf("echo_client: malformed body -> status %ld, reply label %lu, len %u\n",
		     (long)st, (unsigned long)rl, rn);
	st = capos_transport_call(ep, CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, 77), 0, NULL, &rl, &rn, NULL);
	capos_printf("echo_client: unknown method -> status %ld, reply label %lu\n", (long)st,
		     (unsigned long)rl);

	st = echo_text(ep, "second", &r);
	capos_printf("echo_client: echo -> status %ld, %u bytes '%s', count %lu\n", (long)st,
		     (unsigned)r.data.size, text_of(&r), (unsigned long)r.count);
	capos_Empty e = capos_Empty_init_zero;
	capos_EchoCount c;
	st = echo_count(ep, &e, &c);
	capos_printf("echo_client: count -> status %ld, count %lu\n", (long)st,
		     (unsigned long)c.count);
	capos_EchoFail f = capos_EchoFail_init_zero;
	f.status = (capos_Status)CAPOS_DENIED;
	st = echo_fail(ep, &f, &e);
	capos_printf("echo_client: fail(DENIED) -> status %ld\n", (long)st);

	exchange_caps(ep);

	capos_process_kill(srv.process);
	st = echo_count(ep, &e, &c);
	capos_printf("echo_client: count after the server died -> status %ld\n", (long)st);
	return 0;
}
