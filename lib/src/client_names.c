/*
 * client_names.c - capos_client_names_load (capos/client_names.h).
 */
#include <capos/client_names.h>

void capos_client_name_of(const struct capos_client_name *entries, size_t n, uint64_t badge,
			  char *out, size_t size)
{
	if (size == 0)
		return;
	const char *name = NULL;
	for (size_t i = 0; entries && i < n && !name; i++)
		if (entries[i].badge == badge)
			name = entries[i].name;
	if (name) {
		size_t i = 0;
		for (; name[i] && i + 1 < size; i++)
			out[i] = name[i];
		out[i] = '\0';
		return;
	}
	char digits[20];
	size_t k = 0, at = 0;
	do {
		digits[k++] = (char)('0' + badge % 10);
		badge /= 10;
	} while (badge);
	const char *prefix = "badge:";
	for (size_t i = 0; prefix[i] && at + 1 < size; i++)
		out[at++] = prefix[i];
	while (k && at + 1 < size)
		out[at++] = digits[--k];
	out[at] = '\0';
}

size_t capos_client_names_load(struct capos_client_names *t, capos_param_fn param, void *arg)
{
	t->count = 0;
	for (uint64_t badge = 1; param && badge <= CAPOS_CLIENT_NAMES_MAX; badge++) {
		char key[sizeof("badge.") + 20] = "badge.", digits[20];
		size_t n = 0, k = 6;
		uint64_t v = badge;
		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (n)
			key[k++] = digits[--n];
		key[k] = '\0';
		const char *name = param(arg, key);
		if (!name || !name[0])
			continue;
		char *dst = t->names[t->count];
		size_t i = 0;
		for (; name[i] && i + 1 < CAPOS_CLIENT_NAME_MAX; i++)
			dst[i] = name[i];
		dst[i] = '\0';
		t->entries[t->count].badge = badge;
		t->entries[t->count].name = dst;
		t->count++;
	}
	return t->count;
}
