/*
 * json.h - a small JSON reader for the Wycheproof test files: the whole
 * document into a tree of nodes (RFC 8259 values; strings keep their
 * UTF-8, \uXXXX escapes are decoded), then lookups by key and index.
 */
#ifndef TOOLS_CRYPTO_VECTORS_JSON_H
#define TOOLS_CRYPTO_VECTORS_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	char *key;            /* as a member of an object, else NULL */
	char *str;            /* STRING: the text (NUL-terminated); NUMBER: its spelling */
	int boolean;
	struct json *child;   /* ARRAY, OBJECT: the first element or member */
	struct json *next;    /* the next sibling */
};

/* Parses text (len bytes); NULL with *err set to a message naming the
 * byte offset on malformed input. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *j);

/* The member `key` of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* The string value of member `key`, or NULL when absent or not a string. */
const char *json_str(const struct json *obj, const char *key);

#endif
