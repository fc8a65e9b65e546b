/*
 * fastpath.h - Call and ReplyRecv without the general machinery, for the
 * common case of a plain message to a thread that is already waiting.
 */
#ifndef KERN_CORE_FASTPATH_H
#define KERN_CORE_FASTPATH_H

#include "object/thread.h"

/* If the fast path applies, performs the whole syscall for t and returns
 * the thread to run next (already made current); else returns NULL having
 * changed nothing, and the slow path (syscall_handle) runs. */
struct thread *fastpath_call(struct thread *t);
struct thread *fastpath_reply_recv(struct thread *t);

#endif
