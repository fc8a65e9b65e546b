/*
 * startup.c - the startup page (capos/startup.h): checks, lookup by local
 * name, and building one for a child. No libc calls, so the host unit
 * tests compile this file as it is.
 */
#include <capos/startup.h>

static int name_eq(const char *a, const char *b, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			return 1;
	}
	return 0; /* unterminated */
}

static size_t name_len(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int capos_startup_valid(const struct capos_startup *su, size_t len)
{
	if (!su || len < offsetof(struct capos_startup, caps))
		return 0;
	if (su->magic != CAPOS_STARTUP_MAGIC || su->version != CAPOS_STARTUP_VERSION)
		return 0;
	if (su->ncaps > CAPOS_STARTUP_MAX_CAPS ||
	    offsetof(struct capos_startup, caps) +
			    (size_t)su->ncaps * sizeof(struct capos_startup_cap) > len)
		return 0;
	if (name_len(su->program, sizeof(su->program)) == sizeof(su->program))
		return 0;
	for (uint32_t i = 0; i < su->ncaps; i++) {
		size_t n = name_len(su->caps[i].name, CAPOS_STARTUP_NAME_MAX);
		if (n == 0 || n == CAPOS_STARTUP_NAME_MAX)
			return 0;
	}
	return 1;
}

capos_cap_t capos_startup_find(const struct capos_startup *su, size_t len,
			       const char *name, uint32_t *type)
{
	if (type)
		*type = 0;
	if (!name || !capos_startup_valid(su, len))
		return CAPOS_NO_CAP;
	for (uint32_t i = 0; i < su->ncaps; i++) {
		if (name_eq(su->caps[i].name, name, CAPOS_STARTUP_NAME_MAX)) {
			if (type)
				*type = su->caps[i].type;
			return su->caps[i].slot;
		}
	}
	return CAPOS_NO_CAP;
}

void capos_startup_init(struct capos_startup *su, const char *program, uint32_t flags,
			uint64_t tls_base)
{
	uint8_t *p = (uint8_t *)su;
	for (size_t i = 0; i < sizeof(*su); i++)
		p[i] = 0;
	su->magic = CAPOS_STARTUP_MAGIC;
	su->version = CAPOS_STARTUP_VERSION;
	su->flags = flags;
	su->tls_base = tls_base;
	for (size_t i = 0; program && program[i] && i + 1 < sizeof(su->program); i++)
		su->program[i] = program[i];
}

int capos_startup_add(struct capos_startup *su, const char *name, uint32_t slot,
		      uint32_t type)
{
	size_t n = name ? name_len(name, CAPOS_STARTUP_NAME_MAX) : 0;
	if (n == 0 || n == CAPOS_STARTUP_NAME_MAX || su->ncaps >= CAPOS_STARTUP_MAX_CAPS)
		return 0;
	struct capos_startup_cap *c = &su->caps[su->ncaps++];
	for (size_t i = 0; i < CAPOS_STARTUP_NAME_MAX; i++)
		c->name[i] = i < n ? name[i] : '\0';
	c->slot = slot;
	c->type = type;
	return 1;
}

#ifndef CAPOS_HOST_TEST
/* The page is read-only and written before the first thread ran, so it
 * cannot change: check it once. */
static int checked; /* 0 unchecked, 1 valid, -1 invalid */

const struct capos_startup *capos_startup(void)
{
	const struct capos_startup *su = (const struct capos_startup *)(uintptr_t)CAPOS_STARTUP_VA;
	if (!checked)
		checked = capos_startup_valid(su, CAPOS_PAGE_SIZE) ? 1 : -1;
	return checked > 0 ? su : NULL;
}

capos_cap_t capos_cap_lookup_type(const char *name, uint32_t *type)
{
	const struct capos_startup *su = capos_startup();
	if (!su) {
		if (type)
			*type = 0;
		return CAPOS_NO_CAP;
	}
	return capos_startup_find(su, CAPOS_PAGE_SIZE, name, type);
}

capos_cap_t capos_cap_lookup(const char *name)
{
	return capos_cap_lookup_type(name, NULL);
}
#endif
