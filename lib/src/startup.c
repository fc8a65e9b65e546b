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

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* The length of the key of entry e ("key=value", n bytes), 0 if malformed. */
static size_t param_key_len(const char *e, size_t n)
{
	size_t k = 0;
	while (k < n && e[k] != '=') {
		if (!key_char(e[k]))
			return 0;
		k++;
	}
	if (k == n || k == 0 || k > CAPOS_STARTUP_PARAM_KEY_MAX)
		return 0;
	return k;
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
	/* Parameters: inside the page and what was read, NUL-terminated
	 * entries, each "key=value" with a well-formed key. */
	if (su->params_len > CAPOS_STARTUP_PARAMS_MAX ||
	    (su->params_len && offsetof(struct capos_startup, params) + su->params_len > len))
		return 0;
	for (uint32_t at = 0; at < su->params_len;) {
		const char *e = &su->params[at];
		size_t n = name_len(e, su->params_len - at);
		if (n == su->params_len - at || !param_key_len(e, n))
			return 0;
		at += (uint32_t)n + 1;
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

int capos_startup_add_param(struct capos_startup *su, const char *key, const char *value)
{
	size_t k = key ? name_len(key, CAPOS_STARTUP_PARAM_KEY_MAX + 1) : 0;
	if (k == 0 || k > CAPOS_STARTUP_PARAM_KEY_MAX || !value)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (!key_char(key[i]))
			return 0;
	size_t v = name_len(value, CAPOS_STARTUP_PARAMS_MAX);
	if ((size_t)su->params_len + k + 1 + v + 1 > CAPOS_STARTUP_PARAMS_MAX)
		return 0; /* full */
	if (capos_startup_param(su, sizeof(*su), key))
		return 0; /* one value per key */
	char *d = &su->params[su->params_len];
	for (size_t i = 0; i < k; i++)
		*d++ = key[i];
	*d++ = '=';
	for (size_t i = 0; i < v; i++)
		*d++ = value[i];
	*d++ = '\0';
	su->params_len += (uint32_t)(k + 1 + v + 1);
	return 1;
}

const char *capos_startup_param(const struct capos_startup *su, size_t len, const char *key)
{
	if (!key || !capos_startup_valid(su, len))
		return NULL;
	size_t k = name_len(key, CAPOS_STARTUP_PARAM_KEY_MAX + 1);
	for (uint32_t at = 0; at < su->params_len;) {
		const char *e = &su->params[at];
		size_t n = name_len(e, su->params_len - at);
		size_t ek = param_key_len(e, n);
		if (ek == k) {
			size_t i = 0;
			while (i < k && e[i] == key[i])
				i++;
			if (i == k)
				return e + k + 1;
		}
		at += (uint32_t)n + 1;
	}
	return NULL;
}

int capos_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return 0;
	uint64_t v = 0, base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return 0;
	}
	for (; *s; s++) {
		uint64_t d;
		if (*s >= '0' && *s <= '9')
			d = (uint64_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint64_t)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (uint64_t)(*s - 'A' + 10);
		else
			return 0;
		if (v > (UINT64_MAX - d) / base)
			return 0; /* overflow */
		v = v * base + d;
	}
	*out = v;
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

const char *capos_param(const char *key)
{
	const struct capos_startup *su = capos_startup();
	return su ? capos_startup_param(su, CAPOS_PAGE_SIZE, key) : NULL;
}

uint64_t capos_param_u64(const char *key, uint64_t dflt)
{
	uint64_t v;
	return capos_parse_u64(capos_param(key), &v) ? v : dflt;
}

int64_t capos_param_i64(const char *key, int64_t dflt)
{
	const char *s = capos_param(key);
	uint64_t v;
	if (s && s[0] == '-') {
		if (!capos_parse_u64(s + 1, &v) || v > (uint64_t)INT64_MAX + 1u)
			return dflt;
		return v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
	}
	if (!capos_parse_u64(s, &v) || v > (uint64_t)INT64_MAX)
		return dflt;
	return (int64_t)v;
}
#endif
