/*
 * syscall.c - the eleven system calls, decoded from the trapframe.
 * Every slot, number and argument from user mode is checked here or in the
 * object it reaches; anything wrong is a status code, never a fault.
 */
#include <stddef.h>

#include "core/invoke.h"
#include "core/sched.h"
#include "core/syscall.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/process.h"

static capos_status_t do_call(struct thread *t, struct cap *c)
{
	if (c->type == CAPOS_CAP_ENDPOINT)
		return ipc_send(t, c, 1, 1);
	if (c->type == CAPOS_CAP_REPLY || c->type == CAPOS_CAP_NOTIFICATION)
		return CAPOS_WRONG_TYPE;
	return invoke_kernel_object(t, c);
}

static capos_status_t do_send(struct thread *t, struct cap *c, uint32_t slot, int block)
{
	if (c->type == CAPOS_CAP_ENDPOINT)
		return ipc_send(t, c, 0, block);
	if (c->type == CAPOS_CAP_REPLY)
		return ipc_reply_cap(t, slot);
	return CAPOS_WRONG_TYPE;
}

static capos_status_t handle(struct thread *t)
{
	struct trapframe *tf = &t->tf;
	uint64_t nr = tf->rax;
	struct captable *ct = &t->proc->ct;
	uint32_t slot = (uint32_t)tf->rdi;
	struct cap *c;

	if (nr == CAPOS_SYS_YIELD) {
		sched_yield();
		return CAPOS_OK;
	}
	if (nr == CAPOS_SYS_EXIT) {
		process_exit(t->proc, (int64_t)tf->rdi);
		return IPC_BLOCKED; /* never returns to the caller */
	}
	if (nr >= CAPOS_SYS_COUNT)
		return CAPOS_UNSUPPORTED;
	if (nr == CAPOS_SYS_REPLY_RECV || nr == CAPOS_SYS_REPLY_RECV_TIMEOUT)
		ipc_reply_current(t); /* the reply goes first, whatever follows */
	if (tf->rdi > 0xffffffffull || !(c = ct_lookup(ct, slot)))
		return CAPOS_INVALID_CAP;

	switch (nr) {
	case CAPOS_SYS_CALL:
		return do_call(t, c);
	case CAPOS_SYS_SEND:
		return do_send(t, c, slot, 1);
	case CAPOS_SYS_NBSEND:
		return do_send(t, c, slot, 0);
	case CAPOS_SYS_RECV:
	case CAPOS_SYS_REPLY_RECV:
		if (c->type != CAPOS_CAP_ENDPOINT)
			return CAPOS_WRONG_TYPE;
		return ipc_recv(t, c);
	case CAPOS_SYS_RECV_TIMEOUT:
	case CAPOS_SYS_REPLY_RECV_TIMEOUT:
		if (c->type != CAPOS_CAP_ENDPOINT)
			return CAPOS_WRONG_TYPE;
		return ipc_recv_timeout(t, c, tf->rsi);
	case CAPOS_SYS_SIGNAL:
		if (c->type != CAPOS_CAP_NOTIFICATION)
			return CAPOS_WRONG_TYPE;
		return ntfn_signal(c, tf->rsi);
	case CAPOS_SYS_WAIT:
		if (c->type != CAPOS_CAP_NOTIFICATION)
			return CAPOS_WRONG_TYPE;
		return ntfn_wait(t, c, tf->rsi);
	default:
		return CAPOS_UNSUPPORTED;
	}
}

void syscall_handle(struct thread *t)
{
	/* Hold t: the call may kill its own process and free the thread. */
	kobj_ref(&t->obj);
	capos_status_t st = handle(t);
	if (st != IPC_BLOCKED && t->state != THREAD_DEAD)
		t->tf.rax = (uint64_t)st;
	kobj_unref(&t->obj);
}
