/*
 * method.c - the checks every kernel object method gets before its handler
 * runs (order and reasons in object/method.h), and the two ways a handler
 * answers.
 */
#include <stddef.h>

#include "core/kstring.h"
#include "object/method.h"
#include "object/process.h"
#include "object/thread.h"

capos_status_t kmethod_invoke(const struct kmethod_table *tab, struct thread *t,
			      struct cap *c)
{
	uint64_t label = t->ipc->label;
	const struct kmethod *m = label < tab->count ? &tab->methods[label] : NULL;
	if (m && !m->run)
		m = NULL;
	uint16_t need = m ? m->rights : tab->unknown_rights;
	if ((c->rights & need) != need)
		return CAPOS_DENIED;
	if (tab->state && !(m && (m->flags & KM_ANY_STATE))) {
		capos_status_t st = tab->state(t, c);
		if (st != CAPOS_OK)
			return st;
	}
	if (!m)
		return CAPOS_UNSUPPORTED;
	if (t->ipc->len < m->args)
		return CAPOS_INVALID_ARGUMENT;
	/* The handler works on a copy: what it checked is what it uses. */
	uint64_t args[KMETHOD_ARGS_MAX / sizeof(uint64_t)];
	if (m->args)
		memcpy(args, t->ipc->body, m->args);
	return m->run(t, c, m->args ? args : NULL);
}

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
