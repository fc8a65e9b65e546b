/*
 * capos/startup.h - a program's initial capabilities by local name.
 *
 * The creator of a program (the kernel for a root task, capos_spawn for a
 * child) writes struct capos_startup (capos/abi.h) into a read-only page
 * at CAPOS_STARTUP_VA before the first thread starts. The runtime checks
 * it (magic, version, count, NUL-terminated names) before trusting any of
 * it; a page that fails the check is treated as naming nothing.
 */
#ifndef CAPOS_USER_STARTUP_H
#define CAPOS_USER_STARTUP_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

/* The slot named `name` in this program's startup page; CAPOS_NO_CAP when
 * absent (or the page is not valid). */
capos_cap_t capos_cap_lookup(const char *name);

/* As capos_cap_lookup, with the type recorded by the creator (0: none). */
capos_cap_t capos_cap_lookup_type(const char *name, uint32_t *type);

/* This program's startup page, or NULL if it does not pass the check. */
const struct capos_startup *capos_startup(void);

/* The checks and the search, on any page (host-testable). len is the bytes
 * readable at su. capos_startup_valid returns 1 if su may be used. */
int capos_startup_valid(const struct capos_startup *su, size_t len);
capos_cap_t capos_startup_find(const struct capos_startup *su, size_t len,
			       const char *name, uint32_t *type);

/*
 * Parameters (struct capos_startup.params): configuration the creator gave
 * (docs/runtime.md lists what init passes). capos_param returns the value
 * for key or NULL; the numeric forms parse decimal or 0x-hex and return
 * dflt when the key is absent or its value malformed.
 */
const char *capos_param(const char *key);
uint64_t capos_param_u64(const char *key, uint64_t dflt);
int64_t capos_param_i64(const char *key, int64_t dflt);

/* The same on any page (host-testable); NULL if absent or the page fails
 * capos_startup_valid. */
const char *capos_startup_param(const struct capos_startup *su, size_t len, const char *key);
/* Decimal or 0x-hex, no sign, no overflow: 1 and *out, else 0. */
int capos_parse_u64(const char *s, uint64_t *out);

/* Builds a startup page (creators: capos_spawn, tests). add returns 0 when
 * the page is full or the name is empty or too long. */
void capos_startup_init(struct capos_startup *su, const char *program, uint32_t flags,
			uint64_t tls_base);
int capos_startup_add(struct capos_startup *su, const char *name, uint32_t slot,
		      uint32_t type);
/* Adds key=value; 0 when the key is malformed (1-31 of [a-z0-9_.]) or
 * already there, or the page has no room. */
int capos_startup_add_param(struct capos_startup *su, const char *key, const char *value);

#endif
