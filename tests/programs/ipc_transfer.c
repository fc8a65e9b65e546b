/* IPC test 2: caps in messages. Through an endpoint cap with GRANT the root
 * sends a notification by copy (both keep it: the child signals its copy,
 * the root sees the bits), then another by move (the root's slot is empty
 * afterwards; the child signals it and moves it back in the reply). Through
 * a cap without GRANT the transfer is refused with DENIED and nothing
 * moves. Malformed transfers fail without reaching the child. Last, the
 * root serves one call from the child, saves the Reply cap and deletes it:
 * the child must wake with DISCONNECTED, never hang. */
#include "ipc_common.h"

static struct capos_ipc_buffer *m;

static capos_status_t call_with(uint32_t ep, uint64_t label, uint32_t ncaps,
				const uint32_t *caps, uint32_t move)
{
	m->label = label;
	m->len = 0;
	m->ncaps = ncaps;
	for (uint32_t i = 0; i < ncaps && i < CAPOS_MSG_MAX_CAPS; i++)
		m->caps[i] = caps[i];
	m->cap_move = move;
	return capos_call(ep);
}

static uint32_t used_slots(void)
{
	struct capos_capmgr_list_result r;
	if (capos_cap_list(CAPOS_ROOT_CAP_MANAGER, 0, 0, &r) != CAPOS_OK)
		return 0;
	return r.used;
}

int main(uint64_t arg)
{
	(void)arg;
	m = capos_ipc();
	uint32_t sleeper = ipc_sleeper();
	uint32_t ep = CAPOS_NO_CAP, ep2 = CAPOS_NO_CAP, n1, n2, n3;
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep);
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep2);
	capos_notification_create(CAPOS_ROOT_PROCESS, &n1);
	capos_notification_create(CAPOS_ROOT_PROCESS, &n2);
	capos_notification_create(CAPOS_ROOT_PROCESS, &n3);

	struct capos_spawned c = ipc_spawn("ipc_xfer_child", 100, 1);
	capos_install_cap(c.process, ep, 4, CAPOS_RIGHT_RECV, 0, 0);
	capos_install_cap(c.process, ep2, 5, CAPOS_RIGHT_SEND, 0, 0);
	capos_thread_start(c.thread);

	/* 1: copy. */
	capos_status_t st = call_with(ep, 1, 1, &n1, 0);
	capos_printf("transfer: copy call -> status %ld reply label %lu ncaps %u\n", (long)st,
		     (unsigned long)m->label, m->ncaps);
	st = capos_wait(n1, CAPOS_WAIT_POLL);
	capos_printf("transfer: after copy the sender's cap waits -> status %ld bits 0x%lx\n",
		     (long)st, (unsigned long)m->signals);

	/* 2: move: the root's slot is empty afterwards. */
	uint32_t before = used_slots();
	st = call_with(ep, 2, 1, &n2, 1);
	uint64_t rl = m->label;
	capos_status_t old = capos_signal(n2, 1);
	uint32_t after = used_slots();
	capos_printf("transfer: move call -> status %ld reply label %lu; the old slot then signals -> status %ld; slots used %u -> %u (%d)\n",
		     (long)st, (unsigned long)rl, (long)old, before, after, (int)(after - before));
	/* 3: the child moves it back in its reply: the same object. */
	st = call_with(ep, 3, 0, NULL, 0);
	uint32_t back = m->ncaps ? m->caps[0] : CAPOS_NO_CAP;
	capos_printf("transfer: give-back call -> status %ld ncaps %u\n", (long)st, m->ncaps);
	st = capos_wait(back, CAPOS_WAIT_POLL);
	capos_printf("transfer: the returned cap waits -> status %ld bits 0x%lx\n", (long)st,
		     (unsigned long)m->signals);
	st = call_with(ep, 6, 0, NULL, 0); /* the child checks its slot is empty */

	/* 3: no GRANT on the endpoint cap: DENIED, nothing moved. */
	uint32_t nogrant = CAPOS_NO_CAP;
	for (uint32_t s = 20; s < 64 && nogrant == CAPOS_NO_CAP; s++)
		if (capos_cap_mint(CAPOS_ROOT_CAP_MANAGER, ep, s, CAPOS_RIGHT_SEND, 0, 0) ==
		    CAPOS_OK)
			nogrant = s;
	before = used_slots();
	st = call_with(nogrant, 5, 1, &n3, 1);
	capos_status_t kept = capos_signal(n3, 0x4);
	capos_status_t w = capos_wait(n3, CAPOS_WAIT_POLL);
	uint64_t bits = m->signals;
	after = used_slots();
	capos_printf("transfer: move without GRANT -> status %ld; cap kept: signal %ld wait %ld bits 0x%lx; slots used %u -> %u (%d)\n",
		     (long)st, (long)kept, (long)w, (unsigned long)bits, before, after,
		     (int)(after - before));

	/* 4: malformed transfers. */
	uint32_t five[5] = { n1, n1, n1, n1, n1 };
	st = call_with(ep, 4, 5, five, 0);
	capos_printf("transfer: 5 caps -> status %ld\n", (long)st);
	uint32_t bad = 999;
	st = call_with(ep, 4, 1, &bad, 0);
	capos_printf("transfer: empty slot -> status %ld\n", (long)st);
	uint32_t twice[2] = { n1, n1 };
	st = call_with(ep, 4, 2, twice, 3);
	capos_printf("transfer: one slot moved twice -> status %ld\n", (long)st);
	st = call_with(ep, 4, 2, twice, 0);
	capos_printf("transfer: one slot copied twice -> status %ld reply label %lu ncaps %u\n",
		     (long)st, (unsigned long)m->label, m->ncaps);

	/* 5: stop the child's receive loop; it then calls ep2 once. The
	 * root saves the Reply cap and deletes it unanswered. */
	m->label = 9;
	m->len = 0;
	m->ncaps = 0;
	st = capos_send(ep);
	capos_printf("transfer: stop send -> status %ld\n", (long)st);
	st = capos_recv(ep2);
	capos_printf("transfer: served call label %lu -> status %ld\n", (unsigned long)m->label,
		     (long)st);
	uint32_t rslot = 60;
	st = capos_cap_save_reply(CAPOS_ROOT_CAP_MANAGER, rslot);
	capos_status_t del = capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, rslot);
	capos_printf("transfer: save reply -> status %ld, delete it -> status %ld\n", (long)st,
		     (long)del);
	int64_t code = -1;
	uint32_t state = ipc_wait_exit(c.process, sleeper, 2000, &code);
	capos_printf("transfer: child state %u code %ld\n", state, (long)code);
	if (state == CAPOS_PROCESS_ALIVE)
		capos_process_kill(c.process);
	return 0;
}
