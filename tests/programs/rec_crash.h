/*
 * rec_crash.h - the body of the crash-propagation tests rec_kill and
 * rec_fault. A server (rec_child, role HOLD) receives one call and never
 * answers it; three clients call the same endpoint E (one call is in
 * flight at the server, two queue). Then the server dies - killed by the
 * root, or by its own null write. Printed for the expectation file: each
 * client's pending and next Call status, the death watch's bits, the
 * crash record from the supervisor endpoint (label, badge, name, pid,
 * cause, vector, addresses), the server's state, and the invariant check.
 */
#include "rec_common.h"

#define WATCH_BITS 0x5aull
#define SUPERVISOR_BADGE 0xc0ffeeull
#define SUP_SLOT 900
#define NCLIENTS 3

static int run(int fault)
{
	const char *tag = fault ? "fault" : "kill";
	struct capos_ipc_buffer *m = capos_ipc();
	uint32_t sleeper = ipc_sleeper();
	uint32_t e = CAPOS_NO_CAP, w = CAPOS_NO_CAP, s = CAPOS_NO_CAP, ready = CAPOS_NO_CAP;
	uint32_t go = CAPOS_NO_CAP;
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0xe, &e);
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0x5, &s);
	capos_notification_create(CAPOS_ROOT_PROCESS, &w);
	capos_notification_create(CAPOS_ROOT_PROCESS, &ready);
	capos_notification_create(CAPOS_ROOT_PROCESS, &go);
	capos_status_t wst = capos_watch_death(CAPOS_ROOT_CAP_MANAGER, e, w, WATCH_BITS);
	capos_status_t mst = capos_cap_mint(CAPOS_ROOT_CAP_MANAGER, s, SUP_SLOT, CAPOS_RIGHT_SEND,
					    1, SUPERVISOR_BADGE);

	struct capos_spawned srv = rec_spawn("rec_server", &ipc_child_limits, 100,
					     rec_arg(REC_ROLE_HOLD, fault ? 1 : 0, 0));
	rec_install(&srv, e, REC_EP, CAPOS_RIGHT_RECV, 0);
	rec_install(&srv, ready, REC_NTFN, CAPOS_RIGHT_SEND, 0);
	rec_install(&srv, go, REC_WAIT, CAPOS_RIGHT_RECV, 0);
	capos_status_t sst = capos_set_supervisor(srv.process, SUP_SLOT);
	struct capos_process_info pi;
	capos_process_info(srv.process, &pi);
	capos_printf("crash: %s: watch -> status %ld, mint -> status %ld, set supervisor -> status %ld; server pid %u\n",
		     tag, (long)wst, (long)mst, (long)sst, pi.pid);
	capos_thread_start(srv.thread);

	struct capos_spawned cl[NCLIENTS];
	for (uint32_t i = 0; i < NCLIENTS; i++) {
		cl[i] = rec_spawn("rec_client", &ipc_child_limits, 100,
				  rec_arg(REC_ROLE_CLIENT, i + 1, 0));
		rec_install(&cl[i], e, REC_EP, CAPOS_RIGHT_SEND, 0x100 + i + 1);
		rec_install(&cl[i], ready, REC_NTFN, CAPOS_RIGHT_SEND, 0);
		capos_thread_start(cl[i].thread);
	}
	/* Each signals just before its Call (the server after its Recv);
	 * a further 20 ms lets the last ones block. */
	uint64_t bits = rec_collect(ready, 0xf, 3000);
	rec_sleep_ms(sleeper, 20);
	capos_status_t pre = capos_wait(w, CAPOS_WAIT_POLL);
	capos_printf("crash: %s: all blocked: ready bits 0x%lx; watch before the death -> status %ld\n",
		     tag, (unsigned long)bits, (long)pre);

	capos_status_t st;
	if (fault) {
		st = capos_signal(go, 1);
		capos_printf("crash: fault: go -> status %ld\n", (long)st);
	} else {
		st = capos_process_kill(srv.process);
		capos_printf("crash: kill: kill -> status %ld\n", (long)st);
	}
	/* The record: queued (kill) or delivered to this waiting Recv (fault). */
	st = capos_recv(s);
	struct capos_crash_record rec;
	memcpy(&rec, m->body, sizeof(rec));
	rec.name[sizeof(rec.name) - 1] = '\0';
	capos_printf("crash: %s: supervisor recv -> status %ld label 0x%lx badge 0x%lx len %u\n", tag,
		     (long)st, (unsigned long)m->label, (unsigned long)m->badge, m->len);
	capos_printf("crash: %s: record: name %s pid %u cause %u vector %lu error 0x%lx fault_addr 0x%lx rip 0x%lx exit_code %ld\n",
		     tag, rec.name, rec.pid, rec.cause, (unsigned long)rec.vector,
		     (unsigned long)rec.error_code, (unsigned long)rec.fault_addr,
		     (unsigned long)rec.rip, (long)rec.exit_code);

	/* Each client reports its own two statuses; here, how each ended. */
	uint32_t states[NCLIENTS];
	int64_t codes[NCLIENTS];
	for (uint32_t i = 0; i < NCLIENTS; i++)
		states[i] = ipc_wait_exit(cl[i].process, sleeper, 3000, &codes[i]);
	capos_printf("crash: %s: clients ended: state %u code %ld, state %u code %ld, state %u code %ld\n",
		     tag, states[0], (long)codes[0], states[1], (long)codes[1], states[2],
		     (long)codes[2]);
	st = capos_wait(w, CAPOS_WAIT_POLL);
	capos_printf("crash: %s: death watch -> status %ld bits 0x%lx\n", tag, (long)st,
		     (unsigned long)m->signals);
	capos_process_info(srv.process, &pi);
	capos_printf("crash: %s: server state %u\n", tag, pi.state);
	/* A later Call on the dead endpoint, from here too: at once. */
	m->label = 1;
	m->len = 0;
	m->ncaps = 0;
	st = capos_call(e);
	capos_printf("crash: %s: root call on the dead endpoint -> status %ld\n", tag, (long)st);

	for (uint32_t i = 0; i < NCLIENTS; i++)
		rec_forget(&cl[i]);
	rec_forget(&srv);
	rec_check(fault ? "crash: fault" : "crash: kill");
	return 0;
}
