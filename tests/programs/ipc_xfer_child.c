/* The receiver of ipc_transfer (arg 1; exits at once as a root task).
 * Slot 4: endpoint RECV; slot 5: a second endpoint, SEND. For each message
 * it prints what came, signals each received cap with label << 4 and
 * answers label = that status; for label 3 it moves the cap of label 2 back. */
#include "ipc_common.h"

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	struct capos_ipc_buffer *b = capos_ipc();
	uint32_t moved_back = CAPOS_NO_CAP, kept = CAPOS_NO_CAP;
	capos_status_t st = capos_recv(4);
	for (;;) {
		uint64_t label = b->label;
		uint32_t n = b->ncaps, caps[CAPOS_MSG_MAX_CAPS] = { 0 };
		for (uint32_t i = 0; i < n && i < CAPOS_MSG_MAX_CAPS; i++)
			caps[i] = b->caps[i];
		capos_printf("child: recv -> status %ld kind %u label %lu ncaps %u\n", (long)st,
			     b->kind, (unsigned long)label, n);
		if (moved_back != CAPOS_NO_CAP) {
			capos_printf("child: the cap it moved back now signals -> status %ld\n",
				     (long)capos_signal(moved_back, 1));
			moved_back = CAPOS_NO_CAP;
		}
		if (label == 9)
			break;
		capos_status_t sig = CAPOS_OK;
		for (uint32_t i = 0; i < n && i < CAPOS_MSG_MAX_CAPS; i++) {
			capos_status_t s = capos_signal(caps[i], label << 4);
			capos_printf("child: signal received cap %u -> status %ld\n", i, (long)s);
			if (s != CAPOS_OK)
				sig = s;
		}
		b->label = (uint64_t)sig;
		b->len = 0;
		b->ncaps = 0;
		if (label == 2 && n == 1)
			kept = caps[0];
		if (label == 3 && kept != CAPOS_NO_CAP) {
			b->ncaps = 1;
			b->caps[0] = kept;
			b->cap_move = 1;
			moved_back = kept;
			kept = CAPOS_NO_CAP;
		}
		st = capos_reply_recv(4);
	}
	b->label = 77;
	b->len = 0;
	b->ncaps = 0;
	st = capos_call(5);
	capos_printf("child: call whose reply cap was deleted -> status %ld\n", (long)st);
	return 5;
}
