#ifndef KERN_OBJECT_NOTIFICATION_H
#define KERN_OBJECT_NOTIFICATION_H

#include <capos/abi.h>

#include "object/captable.h"
#include "object/objects.h"

struct notification *notification_create(struct process *owner, capos_status_t *st);

/* Syscalls; IPC_BLOCKED (object/endpoint.h) when the caller now waits. */
capos_status_t ntfn_signal(struct cap *c, uint64_t bits);
capos_status_t ntfn_wait(struct thread *t, struct cap *c, uint64_t timeout_ns);

/* Signals from the kernel itself (interrupts). */
void ntfn_deliver(struct notification *n, uint64_t bits);

capos_status_t ntfn_bind(struct notification *n, struct thread *t);
void ntfn_unbind(struct thread *t);

#endif
