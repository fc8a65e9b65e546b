/* Kill and revive, 200 times: spawn a server, retarget E to it (which
 * revives E after the previous server's death), one Call is answered
 * n*10+3, kill the server, the next Call fails at once with DISCONNECTED,
 * drop the caps. Free frames and live objects must end where they began,
 * and the kernel's invariant walk must find nothing wrong. */
#include "rec_common.h"

#define CYCLES 200

static capos_status_t call_n(uint32_t e, uint64_t n, uint64_t *answer)
{
	struct capos_ipc_buffer *m = capos_ipc();
	m->label = 1;
	m->len = 8;
	m->ncaps = 0;
	*(uint64_t *)m->body = n;
	capos_status_t st = capos_call(e);
	*answer = m->len == 8 ? *(uint64_t *)m->body : ~0ull;
	return st;
}

static int cycle(uint32_t e, uint32_t i, int report)
{
	static const struct capos_limits lim = { 16, 2, 128, 2 };
	struct capos_spawned s = rec_spawn("rec_revived", &lim, 100,
					   rec_arg(REC_ROLE_SERVER, 3, 0));
	rec_install(&s, e, REC_EP, CAPOS_RIGHT_RECV, 0);
	capos_status_t rt = capos_retarget(CAPOS_ROOT_PROCESS_CONTROL, e, s.process);
	capos_thread_start(s.thread);
	uint64_t a = 0, b = 0;
	capos_status_t c1 = call_n(e, i, &a);
	capos_status_t k = capos_process_kill(s.process);
	capos_status_t c2 = call_n(e, i, &b);
	rec_forget(&s);
	int good = rt == CAPOS_OK && c1 == CAPOS_OK && a == (uint64_t)i * 10 + 3 &&
		   k == CAPOS_OK && c2 == CAPOS_DISCONNECTED;
	if (report || !good)
		capos_printf("revive: cycle %u: retarget %ld, call %ld answer %lu, kill %ld, next call %ld\n",
			     i, (long)rt, (long)c1, (unsigned long)a, (long)k, (long)c2);
	return good;
}

int main(uint64_t arg)
{
	(void)arg;
	uint32_t e = CAPOS_NO_CAP;
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0xe, &e);
	cycle(e, 0, 1); /* warm-up: maps the boot package, grows tables */
	struct capos_kinfo_stats k0 = rec_stats();
	uint32_t good = 0;
	for (uint32_t i = 1; i <= CYCLES; i++)
		good += (uint32_t)cycle(e, i, i == 1 || i == CYCLES);
	struct capos_kinfo_stats k1 = rec_stats();
	capos_printf("revive: %u cycles, %u good\n", CYCLES, good);
	capos_printf("revive: free frames %lu -> %lu, live objects %lu -> %lu\n",
		     (unsigned long)k0.free_frames, (unsigned long)k1.free_frames,
		     (unsigned long)k0.live_objects, (unsigned long)k1.live_objects);
	rec_check("revive");
	return 0;
}
