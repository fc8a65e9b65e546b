#ifndef KERN_CORE_SYSCALL_H
#define KERN_CORE_SYSCALL_H

#include "object/thread.h"

/* Performs the system call in t->tf. The status lands in t->tf.rax now or,
 * if t blocked, when it is woken. t may be dead afterwards. */
void syscall_handle(struct thread *t);

#endif
