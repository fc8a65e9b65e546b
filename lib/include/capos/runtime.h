/*
 * capos/runtime.h - the userspace runtime's process-level pieces: heap
 * placement, TLS for threads a program creates, abort codes. See
 * docs/runtime.md.
 */
#ifndef CAPOS_USER_RUNTIME_H
#define CAPOS_USER_RUNTIME_H

#include <stdint.h>

#include <capos/abi.h>
#include <capos/heap.h>

/* The malloc heap: a region that grows upwards from here. */
#define CAPOS_HEAP_VA   0x0000100000000000ull
#define CAPOS_HEAP_MAX  (64ull << 30) /* bytes of address space it may use */
#define CAPOS_HEAP_GROW (64u << 10)   /* grows by at least this much */

/* Exit codes of the runtime's own failures. */
#define CAPOS_EXIT_ABORT 134 /* abort(), failed assert(), stack smashing, heap misuse */

/* The Process cap malloc maps pages with (default: startup name "self"). */
void capos_heap_set_process(capos_cap_t proc);
/* Checks the whole heap and reports its figures; -1 if there is none. */
int capos_heap_stats(struct capos_heap_stats *out);

/* TLS for a thread the program creates itself: fill a 16-byte aligned
 * TCB (self pointers, this thread's canary), then pass its address as
 * capos_thread_create.tls_base or to capos_thread_set_tls. */
void capos_tls_init(struct capos_tcb *tcb);
/* This thread's TCB (FS base) and canary. */
struct capos_tcb *capos_tls_self(void);
/* 64 random-ish bits: RDRAND if the CPU has it, else the TSC stirred. */
uint64_t capos_random_u64(void);
/* A canary: random, low byte zero. */
uint64_t capos_make_canary(void);

#endif
