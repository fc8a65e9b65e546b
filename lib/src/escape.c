/*
 * escape.c - capos_escape_text (capos/escape.h). Pure: no system calls,
 * so the host unit test (tests/runtime/test_escape.c) runs this very file.
 */
#include <stdint.h>

#include <capos/escape.h>

/* Length of the well-formed UTF-8 sequence at p (at most n bytes) of a
 * code point >= U+00A0, or 0: overlong forms, surrogates, values above
 * U+10FFFF, C1 controls and cut-off sequences all count as not one. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t k;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		k = 2;
		cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		k = 3;
		cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		k = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return k;
}

size_t capos_escape_text(char *out, size_t size, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)in;
	size_t at = 0;
	if (size == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		char unit[4];
		const char *src = unit;
		size_t n, take = 1;
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			unit[0] = (char)c;
			n = 1;
		} else if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
			unit[0] = '\\';
			unit[1] = c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			n = 2;
		} else if (c >= 0x80 && (take = utf8_len(p + i, len - i)) != 0) {
			src = (const char *)p + i;
			n = take;
		} else {
			take = 1;
			unit[0] = '\\';
			unit[1] = 'x';
			unit[2] = hex[c >> 4];
			unit[3] = hex[c & 0xfu];
			n = 4;
		}
		if (at + n + 1 > size)
			break; /* whole units only */
		for (size_t k = 0; k < n; k++)
			out[at++] = src[k];
		i += take;
	}
	out[at] = '\0';
	return at;
}

size_t capos_escape_str(char *out, size_t size, const char *s)
{
	size_t len = 0;
	while (s[len])
		len++;
	return capos_escape_text(out, size, s, len);
}
