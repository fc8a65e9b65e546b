/*
 * avatar.h - the shell's catalog of small ASCII avatars, one chosen per
 * session principal. Pure data and logic: no system calls.
 */
#ifndef SERVERS_SHELL_AVATAR_H
#define SERVERS_SHELL_AVATAR_H

#include <stddef.h>
#include <stdint.h>

#define AVATAR_MIN_LINES 3
#define AVATAR_MAX_LINES 5
#define AVATAR_MAX_WIDTH 16 /* columns, per line */

struct avatar {
	const char *name; /* a short tag, e.g. "cat" */
	unsigned nlines;  /* AVATAR_MIN_LINES..AVATAR_MAX_LINES */
	const char *lines[AVATAR_MAX_LINES]; /* printable ASCII, no newline,
					      * no trailing space */
};

/* The catalog: avatar_count() entries, 0..count-1. */
size_t avatar_count(void);
const struct avatar *avatar_at(size_t i); /* NULL past the end */

/* FNV-1a 64 of the principal's bytes (NULL is the empty, anonymous
 * principal): offset basis 0xcbf29ce484222325, prime 0x100000001b3. */
uint64_t avatar_hash(const char *principal);

/* The principal's avatar: the catalog entry at avatar_hash(principal) mod
 * avatar_count(). Deterministic (same principal, same avatar, on every
 * boot and build with the same catalog); never NULL. The anonymous
 * principal ("" or NULL) gets one too. */
const struct avatar *avatar_for(const char *principal);

#endif
