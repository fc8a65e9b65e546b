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
	struct capos_cap_list got = { .count = 0 };
	if (st == CAPOS_OK) {
		*reply_label = b->label;
		*reply_len = b->len;
		/* The kernel wrote ncaps and caps[] with the reply (0 when it
		 * carried none); never more than CAPOS_MSG_MAX_CAPS. */
		got.count = b->ncaps <= CAPOS_MSG_MAX_CAPS ? b->ncaps : 0;
		for (uint32_t i = 0; i < got.count; i++)
			got.cap[i] = b->caps[i];
	}
	if (received)
		*received = got;
	else if (got.count)
		capos_transport_drop(&got);
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
