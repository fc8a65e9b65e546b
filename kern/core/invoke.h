#ifndef KERN_CORE_INVOKE_H
#define KERN_CORE_INVOKE_H

#include <capos/abi.h>

#include "object/captable.h"
#include "object/thread.h"

/* A Call on a kernel object's cap: method in ipc->label, arguments in the
 * body, result written back to the body. */
capos_status_t invoke_kernel_object(struct thread *t, struct cap *c);

#endif
