/*
 * libFuzzer target: the kernel core's whole user-facing surface. Fuzz input
 * is a program of system calls made by the threads of three processes
 * holding every kind of cap; IPC buffers, slots, labels, lengths, cap
 * transfers and arguments all come from the input. After every call the
 * kernel's invariant walk must find nothing wrong, and at the end, with all
 * processes killed, every page and object must be back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <capos/abi.h>

#include "core/invariants.h"
#include "core/sched.h"
#include "core/syscall.h"
#include "host_platform.h"
#include "object/captable.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/shared_buffer.h"
#include "object/thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPROC 3
#define NTHREAD 2

struct world {
	struct process *p[NPROC];
	struct thread *t[NPROC][NTHREAD];
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void make_current(struct thread *t)
{
	if (sched_current() == t)
		return;
	uint8_t prio = t->priority;
	sched_unready(t);
	t->priority = 255;
	sched_ready(t);
	check(sched_choose() == t);
	t->priority = prio;
}

static void build(struct world *w)
{
	struct capos_limits lim = { 64, 4, 256, 16 };
	capos_status_t st;
	for (int i = 0; i < NPROC; i++) {
		w->p[i] = process_create("fz", &lim, NULL, &st);
		check(w->p[i] != NULL);
		for (int j = 0; j < NTHREAD; j++) {
			w->t[i][j] = thread_create(w->p[i], 0x400000, 0x7000000,
						   0x10000000ull + (uint64_t)j * 0x1000, 0, 0,
						   (uint8_t)(10 + j), 0, &st);
			check(w->t[i][j] != NULL);
			kobj_ref(&w->t[i][j]->obj); /* the harness keeps its pointer valid */
			thread_start(w->t[i][j]);
		}
	}
	/* Shared objects, in the same slots of every table. */
	struct endpoint *ep = endpoint_create(w->p[0], 7, &st);
	struct notification *n = notification_create(w->p[0], &st);
	struct shared_buffer *sb = shared_buffer_create(w->p[0], 2, &st);
	check(ep && n && sb);
	for (int i = 0; i < NPROC; i++) {
		struct captable *ct = &w->p[i]->ct;
		ct_insert(ct, 0, &w->p[i]->obj, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 1, &w->p[i]->obj, CAPOS_CAP_PROCESS, CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 2, &w->t[i][0]->obj, CAPOS_CAP_THREAD, CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 3, &ep->obj, CAPOS_CAP_ENDPOINT, CAPOS_RIGHTS_ALL, (uint64_t)i);
		ct_insert(ct, 4, &n->obj, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 5, &sb->obj, CAPOS_CAP_SHARED_BUFFER, CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 6, &w->p[(i + 1) % NPROC]->obj, CAPOS_CAP_PROCESS,
			  CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 7, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, CAPOS_RIGHT_READ, 0);
		ct_insert(ct, 8, &process_control_obj, CAPOS_CAP_PROCESS_CONTROL,
			  CAPOS_RIGHTS_ALL, 0);
		ct_insert(ct, 9, &ep->obj, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND, 0x99);
		/* the narrowed self grant: map, unmap, create threads only */
		ct_insert(ct, 10, &w->p[i]->obj, CAPOS_CAP_PROCESS,
			  CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE, 0);
	}
	kobj_unref(&ep->obj);
	kobj_unref(&n->obj);
	kobj_unref(&sb->obj);
}

/* One op: 40 bytes. */
struct op {
	uint8_t who, nr, slot, label;
	uint16_t len;
	uint8_t ncaps, move;
	uint8_t caps[4];
	uint32_t rsi_lo;
	uint64_t arg0;
	uint64_t arg1;
	uint64_t arg2;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sched_init();
	host_reset_pages();
	host_set_now(1000000000ull);
	uint64_t base_pages = host_live_pages(), base_objs = kobj_live_count;

	struct world w;
	build(&w);
	for (size_t off = 0; off + sizeof(struct op) <= size && off < 64 * sizeof(struct op);
	     off += sizeof(struct op)) {
		struct op o;
		memcpy(&o, data + off, sizeof(o));
		struct thread *t = w.t[o.who % NPROC][(o.who / NPROC) % NTHREAD];
		if (o.nr == 0xff) { /* time passes: timeouts and slices */
			host_advance(o.arg0 % 50000000ull);
			sched_timer_tick();
			sched_choose();
			continue;
		}
		if (t->state != THREAD_RUNNABLE && t->state != THREAD_RUNNING)
			continue;
		make_current(t);
		struct capos_ipc_buffer *b = t->ipc;
		b->label = o.label;
		b->len = o.len % (CAPOS_MSG_BODY_MAX + 64);
		b->ncaps = o.ncaps % 6;
		b->cap_move = o.move;
		for (int i = 0; i < 4; i++)
			b->caps[i] = o.caps[i] % 70;
		memcpy(b->body, &o.arg0, 24);
		memset(b->body + 24, (int)o.rsi_lo, 64);
		t->tf.rax = o.nr % 12;
		t->tf.rdi = o.slot % 70;
		t->tf.rsi = o.nr & 0x80 ? o.arg1 : o.rsi_lo;
		syscall_handle(t);
		uint64_t n;
		check(kernel_check_invariants(&n) == 0);
		sched_choose();
	}

	for (int i = 0; i < NPROC; i++)
		process_kill(w.p[i]);
	for (int i = 0; i < NPROC; i++)
		for (int j = 0; j < NTHREAD; j++)
			kobj_unref(&w.t[i][j]->obj);
	for (int i = 0; i < NPROC; i++)
		kobj_unref(&w.p[i]->obj);
	uint64_t n;
	check(kernel_check_invariants(&n) == 0);
	check(host_live_pages() == base_pages);
	check(kobj_live_count == base_objs);
	return 0;
}
