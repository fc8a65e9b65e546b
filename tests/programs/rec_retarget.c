/* Retarget mid-stream. A client makes 1000 numbered Calls on E; server v1
 * answers n*10+1, v2 (also holding RECV on E, refused until it becomes the
 * server) answers n*10+2. The root moves E from v1 to v2 part way:
 *  - round A: when the client signals that it reaches call 400 (v1 is then
 *    blocked in Recv: its Recv must return RETARGETED);
 *  - round B: after a timed wait while v1 spins inside each call (v1 most
 *    likely holds a received call: it answers it - drain - and its next
 *    Recv is refused, DENIED; or it was waiting and gets RETARGETED).
 * The client checks every answer's number, counts versions and switches;
 * the root learns that it finished from its crash record (cause EXIT). */
#include "rec_common.h"

#define SUP_SLOT 900
#define CLIENT_BADGE 0xc11e47ull
#define CALLS 1000

static void round_(const char *tag, uint32_t signal_at, uint32_t v1_spin)
{
	struct capos_ipc_buffer *m = capos_ipc();
	uint32_t sleeper = ipc_sleeper();
	uint32_t e = CAPOS_NO_CAP, s = CAPOS_NO_CAP, n = CAPOS_NO_CAP, w1 = CAPOS_NO_CAP,
		 w2 = CAPOS_NO_CAP;
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0xe, &e);
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0x5, &s);
	capos_notification_create(CAPOS_ROOT_PROCESS, &n);
	capos_notification_create(CAPOS_ROOT_PROCESS, &w1);
	capos_notification_create(CAPOS_ROOT_PROCESS, &w2);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, SUP_SLOT);
	capos_cap_mint(CAPOS_ROOT_CAP_MANAGER, s, SUP_SLOT, CAPOS_RIGHT_SEND, 1, CLIENT_BADGE);

	struct capos_spawned v1 = rec_spawn("rec_v1", &ipc_child_limits, 100,
					    rec_arg(REC_ROLE_SERVER, 1, v1_spin));
	struct capos_spawned v2 = rec_spawn("rec_v2", &ipc_child_limits, 100,
					    rec_arg(REC_ROLE_SERVER, 2, 0));
	struct capos_spawned c = rec_spawn("rec_rt_client", &ipc_child_limits, 100,
					   rec_arg(REC_ROLE_RT_CLIENT, CALLS, signal_at));
	rec_install(&v1, e, REC_EP, CAPOS_RIGHT_RECV, 0);
	rec_install(&v1, w1, REC_WAIT, CAPOS_RIGHT_RECV, 0);
	rec_install(&v2, e, REC_EP, CAPOS_RIGHT_RECV, 0);
	rec_install(&v2, w2, REC_WAIT, CAPOS_RIGHT_RECV, 0);
	rec_install(&c, e, REC_EP, CAPOS_RIGHT_SEND, 0);
	rec_install(&c, n, REC_NTFN, CAPOS_RIGHT_SEND, 0);
	capos_status_t sst = capos_set_supervisor(c.process, SUP_SLOT);
	/* v1 serves E from the start (not a race with v2's first Recv). */
	capos_status_t r1 = capos_retarget(CAPOS_ROOT_PROCESS_CONTROL, e, v1.process);
	capos_printf("retarget: %s: set supervisor -> status %ld; E to v1 -> status %ld\n", tag,
		     (long)sst, (long)r1);
	capos_thread_start(v1.thread);
	capos_thread_start(v2.thread);
	capos_thread_start(c.thread);

	capos_status_t ws;
	if (signal_at) {
		ws = capos_wait(n, 2000000000ull);
	} else {
		/* Calls are flowing; move E at a timer-chosen point. */
		rec_sleep_ms(sleeper, 30);
		ws = CAPOS_OK;
	}
	capos_status_t r2 = capos_retarget(CAPOS_ROOT_PROCESS_CONTROL, e, v2.process);
	capos_printf("retarget: %s: wait -> status %ld; E from v1 to v2 -> status %ld\n", tag,
		     (long)ws, (long)r2);

	capos_status_t st = capos_recv(s);
	struct capos_crash_record rec;
	memcpy(&rec, m->body, sizeof(rec));
	rec.name[sizeof(rec.name) - 1] = '\0';
	capos_printf("retarget: %s: supervisor recv -> status %ld label 0x%lx badge 0x%lx: %s cause %u exit_code %ld\n",
		     tag, (long)st, (unsigned long)m->label, (unsigned long)m->badge, rec.name,
		     rec.cause, (long)rec.exit_code);
	int64_t code = -1;
	uint32_t state = ipc_wait_exit(v1.process, sleeper, 3000, &code);
	capos_printf("retarget: %s: v1 ended: state %u, its last recv -> status %ld, served %ld\n",
		     tag, state, (long)(code >> 24), (long)(code & 0xffffff));
	capos_process_kill(v2.process);
	rec_forget(&v1);
	rec_forget(&v2);
	rec_forget(&c);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, e);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, s);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, n);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, w1);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, w2);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, sleeper);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, SUP_SLOT);
}

int main(uint64_t arg)
{
	(void)arg;
	round_("round A", 400, 0);
	round_("round B", 0, 20000);
	rec_check("retarget");
	return 0;
}
