/*
 * capos/client_names.h - a server's badge -> client name table, from the
 * badge.<N> parameters init writes into the startup page of a component
 * whose endpoints are granted with `badge: true` (docs/runtime.md). The
 * log and audit servers name each record's source with it, so a client
 * cannot write under another's name. No system calls: host-testable.
 */
#ifndef CAPOS_USER_CLIENT_NAMES_H
#define CAPOS_USER_CLIENT_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Badges looked up: badge.1 .. badge.CAPOS_CLIENT_NAMES_MAX (init's are
 * the client's manifest index + 1; a manifest has at most 16 components). */
#define CAPOS_CLIENT_NAMES_MAX 64u
#define CAPOS_CLIENT_NAME_MAX 32u /* with the NUL; longer names are cut */

struct capos_client_name {
	uint64_t badge;
	const char *name;
};

struct capos_client_names {
	struct capos_client_name entries[CAPOS_CLIENT_NAMES_MAX];
	char names[CAPOS_CLIENT_NAMES_MAX][CAPOS_CLIENT_NAME_MAX];
	size_t count;
};

/* A parameter's value or NULL (capos_param on the target, a fake in tests). */
typedef const char *(*capos_param_fn)(void *arg, const char *key);

/* Reads badge.1 .. badge.CAPOS_CLIENT_NAMES_MAX through param into t, in
 * badge order, skipping absent and empty ones; returns how many. */
size_t capos_client_names_load(struct capos_client_names *t, capos_param_fn param, void *arg);

/* The name for `badge` from entries[0..n) into out (cut to size), or
 * "badge:<decimal>" for a badge no entry names - a colon never appears in
 * a component name, so no client can pass for another. */
void capos_client_name_of(const struct capos_client_name *entries, size_t n, uint64_t badge,
			  char *out, size_t size);

#endif
