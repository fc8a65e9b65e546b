/* The ping-pong server (spawned by ipc_pingpong with arg 1; exits at once
 * when the kernel starts it as a root task). Slot 4: the endpoint, RECV. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	struct capos_ipc_buffer *b = capos_ipc();
	uint32_t served = 0;
	capos_status_t st = capos_recv(4);
	for (;;) {
		if (st != CAPOS_OK) {
			capos_printf("server: recv -> status %ld\n", (long)st);
			return 50;
		}
		uint64_t body = 0;
		if (b->len >= 8)
			__builtin_memcpy(&body, b->body, 8);
		if (b->label == 0xdead) {
			capos_printf("server: quit (label 0x%lx badge 0x%lx kind %u) after %u calls\n",
				     (unsigned long)b->label, (unsigned long)b->badge, b->kind, served);
			return (int)served;
		}
		served++;
		/* Everything is read before printing: capos_printf is a Call
		 * and reuses this IPC buffer. */
		uint64_t label = b->label, badge = b->badge;
		uint32_t kind = b->kind, len = b->len, ncaps = b->ncaps;
		uint64_t reply = label * 1000 + badge + 2 * body;
		capos_printf("server: call %u kind %u label %lu badge 0x%lx len %u ncaps %u body %lu -> %lu\n",
			     served, kind, (unsigned long)label, (unsigned long)badge, len, ncaps,
			     (unsigned long)body, (unsigned long)reply);
		b->label = label + 100;
		b->len = 8;
		b->ncaps = 0;
		__builtin_memcpy(b->body, &reply, 8);
		st = capos_reply_recv(4);
	}
}
