/*
 * json.c - the JSON reader (json.h): recursive descent, depth-bounded so a
 * hostile file cannot exhaust the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	int failed;
};

static void fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, p->pos);
	p->failed = 1;
}

static void ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

static int peek(struct parser *p)
{
	ws(p);
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static struct json *node(struct parser *p, enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));
	if (!j)
		fail(p, "out of memory");
	else
		j->type = t;
	return j;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at p->pos (the opening quote); malloc'd, NULL on error. */
static char *string(struct parser *p)
{
	if (peek(p) != '"') {
		fail(p, "expected a string");
		return NULL;
	}
	p->pos++;
	size_t cap = 16, n = 0;
	char *out = malloc(cap);
	while (out && p->pos < p->len && p->s[p->pos] != '"') {
		unsigned c = (unsigned char)p->s[p->pos++];
		unsigned char buf[4];
		size_t k = 1;
		buf[0] = (unsigned char)c;
		if (c < 0x20) {
			fail(p, "control character in a string");
			break;
		}
		if (c == '\\') {
			if (p->pos >= p->len)
				break;
			char e = p->s[p->pos++];
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *at = strchr(from, e);
			if (e && at) {
				buf[0] = (unsigned char)to[at - from];
			} else if (e == 'u' && p->pos + 4 <= p->len) {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					int h = hexval(p->s[p->pos++]);
					if (h < 0) {
						fail(p, "bad \\u escape");
						free(out);
						return NULL;
					}
					v = v << 4 | (unsigned)h;
				}
				/* BMP code points as UTF-8 (surrogates are kept as
				 * they are: the test files use none in fields read). */
				if (v < 0x80) {
					buf[0] = (unsigned char)v;
				} else if (v < 0x800) {
					buf[0] = (unsigned char)(0xc0 | v >> 6);
					buf[1] = (unsigned char)(0x80 | (v & 0x3f));
					k = 2;
				} else {
					buf[0] = (unsigned char)(0xe0 | v >> 12);
					buf[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3f));
					buf[2] = (unsigned char)(0x80 | (v & 0x3f));
					k = 3;
				}
			} else {
				fail(p, "bad escape");
				break;
			}
		}
		if (n + k + 1 > cap) {
			char *bigger = realloc(out, cap * 2);
			if (!bigger) {
				free(out);
				out = NULL;
				break;
			}
			out = bigger;
			cap *= 2;
		}
		memcpy(out + n, buf, k);
		n += k;
	}
	if (!out || p->failed || p->pos >= p->len) {
		fail(p, "unterminated string");
		free(out);
		return NULL;
	}
	p->pos++; /* the closing quote */
	out[n] = 0;
	return out;
}

static struct json *value(struct parser *p, int depth);

static struct json *container(struct parser *p, int depth, int object)
{
	struct json *j = node(p, object ? JSON_OBJECT : JSON_ARRAY);
	if (!j)
		return NULL;
	p->pos++; /* [ or { */
	struct json **tail = &j->child;
	char close = object ? '}' : ']';
	if (peek(p) == close) {
		p->pos++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		if (object) {
			key = string(p);
			if (!key)
				break;
			if (peek(p) != ':') {
				free(key);
				fail(p, "expected ':'");
				break;
			}
			p->pos++;
		}
		struct json *v = value(p, depth + 1);
		if (!v) {
			free(key);
			break;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		int c = peek(p);
		p->pos++;
		if (c == close)
			return j;
		if (c != ',') {
			fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
			break;
		}
	}
	json_free(j);
	return NULL;
}

static struct json *value(struct parser *p, int depth)
{
	if (depth > MAX_DEPTH) {
		fail(p, "nested too deeply");
		return NULL;
	}
	int c = peek(p);
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		char *s = string(p);
		struct json *j = s ? node(p, JSON_STRING) : NULL;
		if (!j) {
			free(s);
			return NULL;
		}
		j->str = s;
		return j;
	}
	static const struct {
		const char *word;
		enum json_type t;
		int b;
	} words[] = { { "true", JSON_BOOL, 1 }, { "false", JSON_BOOL, 0 }, { "null", JSON_NULL, 0 } };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].word);
		if (p->pos + n <= p->len && !memcmp(p->s + p->pos, words[i].word, n)) {
			p->pos += n;
			struct json *j = node(p, words[i].t);
			if (j)
				j->boolean = words[i].b;
			return j;
		}
	}
	size_t start = p->pos;
	while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
	if (p->pos == start) {
		fail(p, "unexpected character");
		return NULL;
	}
	struct json *j = node(p, JSON_NUMBER);
	if (j) {
		j->str = malloc(p->pos - start + 1);
		if (!j->str) {
			free(j);
			fail(p, "out of memory");
			return NULL;
		}
		memcpy(j->str, p->s + start, p->pos - start);
		j->str[p->pos - start] = 0;
	}
	return j;
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { text, len, 0, err, errlen, 0 };
	struct json *j = value(&p, 0);
	if (j && peek(&p) != -1) {
		fail(&p, "trailing data");
		json_free(j);
		return NULL;
	}
	return j;
}

void json_free(struct json *j)
{
	while (j) {
		struct json *next = j->next;
		json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = obj->child; m; m = m->next)
		if (m->key && !strcmp(m->key, key))
			return m;
	return NULL;
}

const char *json_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);
	return v && v->type == JSON_STRING ? v->str : NULL;
}
