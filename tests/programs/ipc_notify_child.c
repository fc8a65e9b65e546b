/* The client of ipc_notify (arg 1; exits at once as a root task).
 * Slot 4: endpoint SEND (badge 0x99); slot 5: notification SEND (badge 0x400). */
#include "ipc_common.h"

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	struct capos_ipc_buffer *b = capos_ipc();
	uint64_t body = 42;
	b->label = 7;
	b->len = 8;
	b->ncaps = 0;
	__builtin_memcpy(b->body, &body, 8);
	capos_status_t c = capos_call(4);
	capos_status_t s1 = capos_signal(5, 0x30);
	capos_status_t s2 = capos_signal(5, 0x1);
	b->label = 9;
	b->len = 0;
	b->ncaps = 0;
	capos_status_t s3 = capos_send(4);
	capos_status_t s4 = capos_signal(5, 0x2);
	capos_printf("notify child: call %ld, signal %ld, signal %ld, send %ld, signal %ld\n",
		     (long)c, (long)s1, (long)s2, (long)s3, (long)s4);
	return 3;
}
