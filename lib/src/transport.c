/*
 * transport.c - the target transport: one Call system call, the message
 * in this thread's IPC buffer.
 */
#include <capos/syscall.h>
#include <capos/transport.h>

uint8_t *capos_transport_buffer(void)
{
	return capos_ipc()->body;
}

capos_status_t capos_transport_call(capos_cap_t cap, uint64_t label, uint32_t len,
				    uint64_t *reply_label, uint32_t *reply_len)
{
	struct capos_ipc_buffer *b = capos_ipc();
	b->label = label;
	b->len = len;
	b->ncaps = 0;
	capos_status_t st = capos_call(cap);
	if (st == CAPOS_OK) {
		*reply_label = b->label;
		*reply_len = b->len;
	}
	return st;
}
