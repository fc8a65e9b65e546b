/*
 * objects.h - the kernel objects other than processes and threads
 * (object/process.h, object/thread.h), and the destroy hooks kobj.c calls.
 */
#ifndef KERN_OBJECT_OBJECTS_H
#define KERN_OBJECT_OBJECTS_H

#include <stdint.h>

#include "object/kobj.h"
#include "object/tqueue.h"

struct thread;
struct process;
struct cap;

/* Endpoint: see object/endpoint.c for its invariants. */
struct endpoint {
	struct kobj obj;
	struct process *server; /* the serving process; NULL until one Recvs */
	struct endpoint *served_next; /* server->served list */
	int dead;                /* its server died: calls fail at once */
	uint32_t moved_from_pid; /* the server before the last retarget */
	uint64_t interface_id;
	struct tqueue senders;   /* BLOCKED_SEND, by priority then FIFO */
	struct tqueue receivers; /* BLOCKED_RECV, FIFO */
	struct death_watch {
		struct notification *ntfn; /* counted reference */
		uint64_t bits;
	} watches[CAPOS_ENDPOINT_MAX_WATCHES];
	struct notification *arrival; /* counted reference; NULL: none */
	uint64_t arrival_bits;
	struct crash_message *crash_head, *crash_tail; /* kernel messages */
	uint32_t crash_queued;
	uint32_t crash_dropped; /* lost since the last record received */
};

/* A crash record waiting on a supervisor endpoint for a receiver. */
struct crash_message {
	struct kobj obj; /* KOBJ_CRASH_MESSAGE, owned by the process that died */
	struct crash_message *next;
	uint64_t badge;
	struct capos_crash_record rec;
};

#define ENDPOINT_MAX_CRASH_QUEUED CAPOS_CRASH_QUEUE_MAX

struct notification {
	struct kobj obj;
	uint64_t bits;
	struct tqueue waiters;  /* BLOCKED_WAIT, FIFO */
	struct thread *bound;   /* thread whose Recv also takes these bits */
};

#define SHARED_BUFFER_MAX_PAGES 480u

struct shared_buffer {
	struct kobj obj;
	uint32_t pages;
	uint32_t bytes;     /* meaningful length */
	int borrowed;       /* frames are not ours to free (boot package) */
	/* W^X across aliases: how many mappings (in any process) are
	 * writable, how many executable; never both non-zero. */
	uint32_t writable_maps, exec_maps;
	void *frames[SHARED_BUFFER_MAX_PAGES]; /* kernel addresses */
};

struct ioport {
	struct kobj obj;
	uint16_t base;
	uint32_t count; /* ports [base, base + count) */
};

void endpoint_destroy(struct endpoint *ep);
void notification_destroy(struct notification *n);
void shared_buffer_destroy(struct shared_buffer *sb);

/* Singletons given to the root task (object/kernel_info.c, irq.c,
 * process_control.c). */
extern struct kobj kernel_info_obj;
extern struct kobj irq_control_obj;
extern struct kobj process_control_obj;

#endif
