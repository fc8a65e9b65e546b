/*
 * fastpath.c - the IPC fast path, in the manner of seL4's.
 *
 * It applies only when the outcome is fully predictable: a message through
 * a cap with the right (and GRANT when it carries caps), to a partner that
 * is already blocked waiting for exactly this, and whose priority is at
 * least that of every runnable thread - so switching straight to it is what
 * the scheduler would choose anyway. The result is the same state the slow
 * path would produce (endpoint.c): same statuses, messages, cap tables,
 * queues, reply bookkeeping and references; the run queues and the timer
 * are not touched, and the partner runs on the remainder of the caller's
 * time slice. Any other case returns NULL before changing anything.
 *
 * Caps travel through ipc_transfer_caps, the slow path's own transfer,
 * which checks everything before changing anything: when it refuses, the
 * fast path declines and the slow path meets the same refusal. Every check
 * the slow path makes on the user's message is made here too, or the fast
 * path declines and leaves it to the slow path (tests/unit/test_fastpath.c
 * runs random message sequences through both and compares every result).
 *
 * Cost: the checks read a handful of fields and nothing calls out except
 * the cap transfer (only when caps travel). The code is in fastpath.h, as
 * inline functions the syscall entry compiles in place; the switch that
 * follows is arch/x86_64/switch.h.
 */
#include "core/fastpath.h"

struct thread *fastpath_call(struct thread *t)
{
	return fastpath_call_inline(t);
}

struct thread *fastpath_reply_recv(struct thread *t)
{
	return fastpath_reply_recv_inline(t);
}

int fastpath_ntfn(struct thread *t, uint64_t nr)
{
	return fastpath_ntfn_inline(t, nr);
}
