/*
 * process.h - processes. Invariants in object/process.c.
 */
#ifndef KERN_OBJECT_PROCESS_H
#define KERN_OBJECT_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

#include "lib/elf.h"
#include "object/captable.h"
#include "object/kobj.h"
#include "object/thread.h"

#define PROCESS_NAME_MAX 32
#define PROCESS_MAX_SHARED_MAPS 32

struct shared_buffer;
struct endpoint;

struct shared_map {
	uint64_t va;
	uint32_t pages;
	struct shared_buffer *sb; /* counted reference while mapped */
	uint32_t flags;           /* VS_WRITE, VS_EXEC as mapped */
};

struct fault_info {
	uint64_t vector;
	uint64_t error;
	uint64_t rip;
	uint64_t addr; /* cr2 for page faults, else 0 */
};

struct process {
	struct kobj obj;
	uint32_t pid;
	char name[PROCESS_NAME_MAX];
	uint32_t state; /* enum capos_process_state */
	int64_t exit_code;
	struct fault_info fault;
	int torn_down;

	uint64_t vspace; /* address space handle (mm/vspace.h) */
	struct captable ct;
	struct capos_limits limits;
	struct capos_usage usage;

	struct thread *threads; /* every thread not yet destroyed */
	uint32_t live_threads;  /* not dead */

	struct shared_map shared[PROCESS_MAX_SHARED_MAPS];
	struct endpoint *served; /* endpoints whose serving side it is */
	struct endpoint *supervisor; /* gets the crash record (counted) */
	/* The processes it created (obj.owner == this), not counted: each
	 * child holds its owner, and leaves the list when destroyed. */
	struct process *children;
	struct process *sibling_next, *sibling_prev;
	uint64_t supervisor_badge;
};

_Static_assert(sizeof(struct process) <= 4096, "a process is one page");

/* A shared mapping's part in its buffer's W^X counts (delta +1 / -1). */
void process_shared_count(const struct shared_map *m, int delta);

/* Quota. charge fails with LIMIT_EXCEEDED and changes nothing. */
capos_status_t process_charge_pages(struct process *p, uint32_t n);
void process_uncharge_pages(struct process *p, uint32_t n);

/*
 * An empty process (address space, table of limits->max_slots) charged to
 * parent (NULL: the kernel). On error nothing is left.
 */
struct process *process_create(const char *name, const struct capos_limits *limits,
			       struct process *parent, capos_status_t *st);

/* Maps n fresh zeroed pages at va with prot (CAPOS_PROT_*), charged to p.
 * All or nothing. */
capos_status_t process_map_anon(struct process *p, uint64_t va, uint32_t n,
				uint32_t prot);
capos_status_t process_map_shared(struct process *p, uint64_t va,
				  struct shared_buffer *sb, uint32_t first,
				  uint32_t n, uint32_t prot);
capos_status_t process_unmap(struct process *p, uint64_t va, uint32_t n);
/* Copies into p's mapped pages (any mapping rights: it is the loader's). */
capos_status_t process_write_memory(struct process *p, uint64_t va,
				    const uint8_t *src, uint32_t len);

/* Loads a static ELF into p (segments only). */
capos_status_t process_load_elf(struct process *p, const void *elf, size_t len,
				uint64_t *entry, enum elf_status *elf_err);

/* Death. The process's threads leave every queue, its table is emptied,
 * its memory freed; the struct lives while caps name it. */
void process_exit(struct process *p, int64_t code);
void process_fault(struct process *p, const struct fault_info *fi);
void process_kill(struct process *p);

/* Where the crash record goes when p dies (replaces any earlier one). */
void process_set_supervisor(struct process *p, struct endpoint *ep, uint64_t badge);

void process_destroy(struct process *p); /* kobj destroy hook */

/* Called by process teardown; the boot runner uses it (core/boot.c). */
extern void (*process_death_hook)(struct process *p);

#endif
