/*
 * method.h - kernel object methods: the table each object file declares,
 * and the one place that checks a Call against it (kmethod_invoke, below;
 * the answers are object/method.c's).
 *
 * A Call on a kernel object's cap carries the method in ipc->label and its
 * argument struct in the body (capos/abi.h). Each object type has one
 * table, indexed by label. Before any handler runs, kmethod_invoke checks,
 * in this order:
 *   1. rights: the invoked cap has every right the method needs (for a
 *      label with no entry, the table's unknown_rights), else DENIED - so a
 *      cap without the right learns nothing more, not even which labels
 *      exist;
 *   2. state: the object's own condition (the table's state hook: a dead
 *      process or thread is DISCONNECTED, a CapabilityManager of another
 *      process's table DENIED), skipped for methods flagged KM_ANY_STATE;
 *   3. label: no entry is UNSUPPORTED;
 *   4. length: a body shorter than the method's args bytes is
 *      INVALID_ARGUMENT (longer is fine: trailing bytes are ignored);
 * then copies the args bytes out of the body and runs the handler with that
 * copy. The handler checks every field before it changes anything, and for
 * a variable-length body (args = the fixed header) checks the rest itself.
 * Results go back in the body (kmethod_reply, kmethod_new_cap).
 *
 * Rights a method checks on other caps it names by slot are the handler's
 * business (ct_lookup_typed), as is any rights check an object makes after
 * its argument checks (IOPort: see object/ioport.c).
 */
#ifndef KERN_OBJECT_METHOD_H
#define KERN_OBJECT_METHOD_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

#include "object/captable.h"
#include "object/kobj.h"
#include "object/thread.h"

/* The largest fixed argument struct (or header) a table may declare. */
#define KMETHOD_ARGS_MAX 64u

struct kmethod {
	/* args: the copy of the argument struct (NULL when args == 0). */
	capos_status_t (*run)(struct thread *t, struct cap *c, void *args);
	uint16_t args;   /* bytes of the argument struct or fixed header */
	uint16_t rights; /* CAPOS_RIGHT_*: every one needed on the invoked cap */
	uint16_t flags;  /* KM_* */
};

/* The method works whatever the object's state (Process.INFO of a dead
 * process). */
#define KM_ANY_STATE 1u

struct kmethod_table {
	const struct kmethod *methods; /* indexed by label; run == NULL: none */
	uint32_t count;
	uint16_t unknown_rights; /* what a label with no entry needs */
	/* The object's condition: CAPOS_OK, or the status every method
	 * (except KM_ANY_STATE ones) answers. NULL: always OK. */
	capos_status_t (*state)(struct thread *t, struct cap *c);
};

/* The size of an argument struct, refused at compile time when it does not
 * fit the copy kmethod_invoke makes or is not whole 8-byte words (every
 * ABI argument struct is; the copy goes a word at a time). */
#define KM_SIZE_OK(n) ((n) <= KMETHOD_ARGS_MAX && (n) % 8 == 0)
#define KM_ARGS(type)                                                             \
	((uint16_t)(sizeof(type) + 0 * sizeof(char[KM_SIZE_OK(sizeof(type)) ? 1 : -1])))
/* A variable-length body: the bytes before its `member` (the tail). */
#define KM_HEADER(type, member)                                                   \
	((uint16_t)(offsetof(type, member) +                                      \
		    0 * sizeof(char[KM_SIZE_OK(offsetof(type, member)) ? 1 : -1])))

#define KMETHOD_TABLE(arr, unknown, statefn)                                      \
	{ (arr), (uint32_t)(sizeof(arr) / sizeof((arr)[0])), (unknown), (statefn) }

/*
 * The generic checks above, then the handler. Inline: it is the whole of
 * the path from core/invoke.c's switch to the object's handler, and a
 * kernel method should cost little more than the handler itself.
 */
static inline capos_status_t kmethod_invoke(const struct kmethod_table *tab,
					    struct thread *t, struct cap *c)
{
	struct capos_ipc_buffer *b = t->ipc;
	uint64_t label = b->label;
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
	if (b->len < m->args)
		return CAPOS_INVALID_ARGUMENT;
	/* The handler works on a copy: what it checked is what it uses, and
	 * it may write its result over the body. */
	uint64_t args[KMETHOD_ARGS_MAX / sizeof(uint64_t)];
	uint32_t words = m->args / sizeof(uint64_t);
	for (uint32_t i = 0; i < words; i++)
		__builtin_memcpy(&args[i], b->body + i * sizeof(uint64_t), sizeof(uint64_t));
	return m->run(t, c, words ? args : NULL);
}

/* Writes a result struct to the caller's body. */
capos_status_t kmethod_reply(struct thread *t, const void *res, uint32_t len);

/*
 * Puts obj into the caller's lowest free slot (a full table is
 * LIMIT_EXCEEDED) and replies struct capos_new_cap. Consumes the caller's
 * reference on obj either way: the cap holds its own.
 */
capos_status_t kmethod_new_cap(struct thread *t, struct kobj *obj, uint16_t type,
			       uint16_t rights);

/* The tables, one per object file; core/invoke.c picks one by cap type. */
extern const struct kmethod_table capmgr_methods;
extern const struct kmethod_table process_methods;
extern const struct kmethod_table thread_methods;
extern const struct kmethod_table shared_buffer_methods;
extern const struct kmethod_table ioport_methods;
extern const struct kmethod_table irq_control_methods;
extern const struct kmethod_table irq_handler_methods;
extern const struct kmethod_table kernel_info_methods;
extern const struct kmethod_table process_control_methods;

#endif
