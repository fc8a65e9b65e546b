#ifndef KERN_OBJECT_SHARED_BUFFER_H
#define KERN_OBJECT_SHARED_BUFFER_H

#include <stdint.h>

#include <capos/abi.h>

#include "object/objects.h"

struct shared_buffer *shared_buffer_create(struct process *owner, uint32_t pages,
					   capos_status_t *st);
struct shared_buffer *shared_buffer_borrow(void *const *frames, uint32_t pages,
					   uint32_t bytes, capos_status_t *st);

#endif
