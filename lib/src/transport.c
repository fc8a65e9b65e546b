/*
 * transport.c - the target transport: one Call system call, the message
 * in this thread's IPC buffer, caps in its caps[] (moved or copied by the
 * kernel, all or none).
 */
#include <capos/kernel.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/transport.h>

uint8_t *capos_transport_buffer(void)
{
	return capos_ipc()->body;
}

/* Caps that came with a reply (rare): into *received, or dropped. */
static __attribute__((noinline)) void take_caps(const struct capos_ipc_buffer *b, uint32_t n,
						struct capos_cap_list *received)
{
	struct capos_cap_list dropped;
	struct capos_cap_list *got = received ? received : &dropped;
	got->count = n;
	got->move = 0;
	for (uint32_t i = 0; i < n; i++)
		got->cap[i] = b->caps[i];
	if (!received)
		capos_transport_drop(got);
}

capos_status_t capos_transport_call(capos_cap_t cap, uint64_t label, uint32_t len,
				    const struct capos_cap_list *send, uint64_t *reply_label,
				    uint32_t *reply_len, struct capos_cap_list *received)
{
	struct capos_ipc_buffer *b = capos_ipc();
	uint32_t n = send ? send->count : 0;
	if (n > CAPOS_MSG_MAX_CAPS)
		return CAPOS_INVALID_ARGUMENT;
	b->label = label;
	b->len = len;
	b->ncaps = n;
	b->cap_move = n ? send->move & ((1u << n) - 1u) : 0;
	for (uint32_t i = 0; i < n; i++)
		b->caps[i] = send->cap[i];
	capos_status_t st = capos_call(cap);
	if (received)
		received->count = 0;
	if (st != CAPOS_OK)
		return st;
	*reply_label = b->label;
	*reply_len = b->len;
	/* The kernel wrote ncaps and caps[] with the reply (0 when it carried
	 * none); never more than CAPOS_MSG_MAX_CAPS. */
	n = b->ncaps;
	if (n && n <= CAPOS_MSG_MAX_CAPS)
		take_caps(b, n, received);
	return st;
}

void capos_transport_drop(const struct capos_cap_list *caps)
{
	/* The startup page never changes: look the name up once. */
	static capos_cap_t mgr;
	static int looked;
	if (!looked) {
		mgr = capos_cap_lookup("capmgr");
		looked = 1;
	}
	if (mgr == CAPOS_NO_CAP)
		return; /* no way to delete: they stay (capos/transport.h) */
	uint32_t n = caps->count <= CAPOS_MSG_MAX_CAPS ? caps->count : CAPOS_MSG_MAX_CAPS;
	for (uint32_t i = 0; i < n; i++)
		if (caps->cap[i] != CAPOS_NO_CAP)
			(void)capos_cap_delete(mgr, caps->cap[i]);
}
