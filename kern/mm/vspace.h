/*
 * vspace.h - user address spaces, as the portable core sees them.
 * The target implementation is arch/x86_64/paging.c (4-level tables); host
 * tests use a fake. Page-table pages are charged through the quota
 * callback so a process pays for its own tables.
 */
#ifndef KERN_MM_VSPACE_H
#define KERN_MM_VSPACE_H

#include <stdint.h>

#include <capos/abi.h>

#define VS_READ   1u
#define VS_WRITE  2u
#define VS_EXEC   4u
#define VS_OWNED  8u /* the frame is freed with the mapping */

struct process;

/* A new empty user address space; 0 when out of memory. Charges its root
 * page to p. */
uint64_t vs_create(struct process *p, capos_status_t *st);
/* Frees every VS_OWNED frame and every table page (uncharging p). */
void vs_destroy(struct process *p, uint64_t vs);

/* Maps one page (frame = kernel address). May allocate tables, charged to
 * p. Errors: NO_MEMORY, LIMIT_EXCEEDED, INVALID_ARGUMENT (already mapped or
 * not a user address). */
capos_status_t vs_map(struct process *p, uint64_t vs, uint64_t va, void *frame,
		      uint32_t flags);
/* Frees the page-table pages under [va, va + len) that map nothing any
 * more (uncharging p): a failed map undoes the tables it made. */
void vs_prune(struct process *p, uint64_t vs, uint64_t va, uint64_t len);

/* Unmaps one page; returns its frame (kernel address) or NULL, and its flags. */
void *vs_unmap(uint64_t vs, uint64_t va, uint32_t *flags);
/* The frame mapped at va (kernel address) or NULL. */
void *vs_lookup(uint64_t vs, uint64_t va, uint32_t *flags);

#endif
