#ifndef KERN_OBJECT_PROCESS_H
#define KERN_OBJECT_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"
#include "object/thread.h"

#define PROCESS_NAME_MAX 32

enum process_state {
	PROCESS_ALIVE = 1,
	PROCESS_EXITED = 2,  /* called Exit */
	PROCESS_FAULTED = 3, /* killed by a CPU exception */
};

struct fault_info {
	uint64_t vector;
	uint64_t error;
	uint64_t rip;
	uint64_t addr; /* cr2 for page faults, else 0 */
};

struct process {
	uint32_t pid;
	char name[PROCESS_NAME_MAX];
	uint64_t root; /* PML4 physical address */
	struct thread *thread; /* one thread per process until issue 3 */
	enum process_state state;
	int64_t exit_code;
	struct fault_info fault;
};

enum process_status {
	PROCESS_OK = 0,
	PROCESS_BAD_ELF,
	PROCESS_NO_MEMORY,
};

/*
 * Loads a static ELF into a new address space with a user stack and one
 * thread, ready to run. On failure nothing stays allocated; *elf_err tells
 * why an ELF was refused.
 */
enum process_status process_create(const char *name, const void *elf, size_t len,
				   struct process **out, enum elf_status *elf_err);

void process_start(struct process *p);

/* From the process's own thread: record, tear down on reap, never return. */
__attribute__((noreturn)) void process_exit(struct process *p, int64_t code);
__attribute__((noreturn)) void process_fault(struct process *p,
					     const struct fault_info *fi);

/* Frees everything a dead process held. Called by its reaper. */
void process_reap(struct process *p);

#endif
