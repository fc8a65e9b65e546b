/*
 * endpoint.h - synchronous IPC. Invariants in object/endpoint.c.
 */
#ifndef KERN_OBJECT_ENDPOINT_H
#define KERN_OBJECT_ENDPOINT_H

#include <stdint.h>

#include <capos/abi.h>

#include "object/captable.h"
#include "object/objects.h"

struct endpoint *endpoint_create(struct process *owner, uint64_t interface_id,
				 capos_status_t *st);

/* The syscalls. Each returns the status for the calling thread, or
 * IPC_BLOCKED when the thread now waits (its status arrives later). */
#define IPC_BLOCKED ((capos_status_t)-1)

capos_status_t ipc_send(struct thread *t, struct cap *c, int is_call, int block);
capos_status_t ipc_recv(struct thread *t, struct cap *c);
/* Recv that gives up: CAPOS_WAIT_POLL -> WOULD_BLOCK when nothing is
 * there, a finite timeout -> TIMEOUT (through the scheduler's timeout list),
 * CAPOS_WAIT_FOREVER -> ipc_recv. */
capos_status_t ipc_recv_timeout(struct thread *t, struct cap *c, uint64_t timeout_ns);
/* The reply half of ReplyRecv: answers t's current caller, if any. */
void ipc_reply_current(struct thread *t);
/* Send on a Reply cap (slot): answers and deletes the cap. */
capos_status_t ipc_reply_cap(struct thread *t, uint32_t slot);
capos_status_t ipc_save_reply(struct thread *t, uint32_t dst);

/* A Reply cap was deleted: its caller, if still waiting, is DISCONNECTED. */
void reply_cap_dropped(struct kobj *caller, uint64_t seq);

/* Process teardown: every endpoint p served is dead; its queued callers
 * wake with DISCONNECTED. */
void endpoints_server_died(struct process *p);

/* The endpoint methods the CapabilityManager table (object/capmgr.c)
 * reaches: WATCH_DEATH, UNWATCH_DEATH, NOTIFY_ARRIVAL (capos/abi.h); args
 * is a struct capos_endpoint_watch. */
capos_status_t endpoint_m_watch_death(struct thread *t, struct cap *c, void *args);
capos_status_t endpoint_m_unwatch_death(struct thread *t, struct cap *c, void *args);
capos_status_t endpoint_m_notify_arrival(struct thread *t, struct cap *c, void *args);

/* Moves ep's serving side to np (ProcessControl.retarget). */
capos_status_t endpoint_retarget(struct endpoint *ep, struct process *np);

/* A crash record for ep: give hands it to a thread waiting in Recv on ep
 * (returns 1) or does nothing (0); queue gives it, or queues it as a page
 * charged to `dead` (the process it reports). A record that cannot queue
 * (ENDPOINT_MAX_CRASH_QUEUED waiting, or no page within dead's quota) is
 * counted in ep->crash_dropped, which the next record received carries. */
int endpoint_give_crash(struct endpoint *ep, uint64_t badge,
			const struct capos_crash_record *rec);
void endpoint_queue_crash(struct endpoint *ep, uint64_t badge,
			  const struct capos_crash_record *rec, struct process *dead);

/* Validates the message in t's IPC buffer before it is queued. */
capos_status_t ipc_check_message(struct thread *t, uint16_t rights);

/* The caps of src's message (n of them, n <= CAPOS_MSG_MAX_CAPS) moved or
 * copied into free slots of dst's table, their slots in dst's IPC buffer
 * caps[]. All or nothing: on an error nothing has changed. The slow path
 * and the fast path (core/fastpath.c) both transfer through this. */
capos_status_t ipc_transfer_caps(struct thread *src, struct thread *dst, uint32_t n);

#endif
