/*
 * method.c - the two ways a kernel object method answers: a result
 * struct, or a new cap. The checks before a handler runs are
 * kmethod_invoke's (object/method.h).
 */
#include <stddef.h>

#include "core/kstring.h"
#include "object/method.h"
#include "object/process.h"
#include "object/thread.h"

capos_status_t kmethod_reply(struct thread *t, const void *res, uint32_t len)
{
	memcpy(t->ipc->body, res, len);
	t->ipc->len = len;
	return CAPOS_OK;
}

capos_status_t kmethod_new_cap(struct thread *t, struct kobj *obj, uint16_t type,
			       uint16_t rights)
{
	uint32_t slot = ct_find_free(&t->proc->ct);
	capos_status_t st = slot == CAPOS_NO_CAP ? CAPOS_LIMIT_EXCEEDED :
			    ct_insert(&t->proc->ct, slot, obj, type, rights, 0);
	kobj_unref(obj); /* the creation reference: the cap holds its own */
	if (st != CAPOS_OK)
		return st;
	struct capos_new_cap r = { slot, 0 };
	return kmethod_reply(t, &r, sizeof(r));
}
