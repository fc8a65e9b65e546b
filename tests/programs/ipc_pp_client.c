/* A ping-pong client (spawned by ipc_pingpong with arg = client number;
 * exits at once as a root task). Slot 4: the endpoint, SEND only, badged. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	struct capos_ipc_buffer *b = capos_ipc();
	for (uint64_t i = 1; i <= 3; i++) {
		uint64_t label = arg * 10 + i, body = i * 7;
		b->label = label;
		b->len = 8;
		b->ncaps = 0;
		__builtin_memcpy(b->body, &body, 8);
		capos_status_t st = capos_call(4);
		uint64_t reply = 0;
		if (b->len >= 8)
			__builtin_memcpy(&reply, b->body, 8);
		capos_printf("client %lu: call label %lu body %lu -> status %ld label %lu badge %lu len %u reply %lu\n",
			     (unsigned long)arg, (unsigned long)label, (unsigned long)body, (long)st,
			     (unsigned long)b->label, (unsigned long)b->badge, b->len,
			     (unsigned long)reply);
	}
	/* A SEND-only cap cannot receive; an empty slot is no cap. */
	capos_status_t r = capos_recv(4);
	b->label = 1;
	b->len = 0;
	b->ncaps = 0;
	capos_status_t e = capos_call(5);
	capos_printf("client %lu: recv on send-only cap -> status %ld; call on empty slot -> status %ld\n",
		     (unsigned long)arg, (long)r, (long)e);
	return (int)arg;
}
