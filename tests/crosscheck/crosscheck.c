/*
 * crosscheck.c - nanopb and protobuf-c agree on every message in idl/.
 *
 * For every message (the table gen_crosscheck.py generates) and N random
 * iterations (fixed seed; each iteration reseeded from seed, message name
 * and iteration number, so one can be rerun alone):
 *
 *   1. fill a nanopb struct with random values within its bounds;
 *   2. encode it with pb_encode (and check nanopb's <T>_size holds);
 *   3. decode those bytes with protobuf-c (<t>__unpack) and compare the
 *      result with the nanopb struct field by field;
 *   4. re-encode with protobuf-c (<t>__pack): the bytes must equal nanopb's
 *      (both write fields in number order, minimal varints, no defaults);
 *   5. decode protobuf-c's bytes with pb_decode, compare that struct with
 *      the protobuf-c message field by field, and re-encode it with nanopb:
 *      the bytes must equal step 2's (nanopb's encoding is deterministic,
 *      so equal bytes mean equal values, padding and bytes after a string's
 *      NUL aside);
 *   6. for a message with rpcgen's direct codecs (<T>_WIRE in its
 *      .capos.h): the direct encoder gives step 2's bytes, and the direct
 *      decoder accepts exactly what pb_decode accepts, with the same
 *      struct, on those bytes and on 16 mutations of them; for a message
 *      with repeated fields also on structured ones: packed runs rewritten
 *      as single elements or split (the same struct as the original),
 *      empty elements appended (max_count + 1 of them refused) and an
 *      element with the wrong wire type (refused).
 *
 * --self-test shows the comparisons can fail: for every iteration whose
 * encoding is not empty it flips the lowest bit of the last byte of
 * nanopb's encoding before protobuf-c decodes it, and of protobuf-c's
 * encoding before nanopb decodes it. That byte always ends a value (a
 * varint's last byte, a fixed-width value, string/bytes content or a
 * length), so the change must be caught, by a decoder refusing the bytes
 * or by the field-by-field comparison (the byte comparisons of steps 4-5
 * are not counted). The self-test passes only if every corruption is caught.
 *
 * Enum fields get declared values only, unless --open-enums (one draw in 8
 * is any value in 0..INT32_MAX; nanopb's <T>_size is then not checked, as
 * it assumes declared values) or --negative-enums (any int32). The latter
 * fails, a known difference: nanopb 0.4 encodes an enum with no negative
 * members as uint32 ("UENUM"), so a negative value goes out as a 5-byte
 * varint (protobuf-c reads it back correctly) and the canonical 10-byte
 * form protobuf-c writes is refused by pb_decode ("integer too large").
 *
 * Usage: crosscheck [--iterations N] [--seed S] [--only NAME]
 *                   [--iteration I] [--self-test] [--open-enums]
 *                   [--negative-enums] [--verbose]
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "crosscheck.h"

static bool quiet;
static bool open_enums, negative_enums;

/* ---- random values ---- */

static uint64_t rng;

static uint64_t xc_rand(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t xc_below(uint64_t n)
{
	return n ? xc_rand() % n : 0;
}

static void xc_seed(uint64_t seed, const char *name, unsigned iter)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a of the name */
	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	rng = seed ^ h ^ ((uint64_t)iter * 0xd6e8feb86659fd93ull);
	(void)xc_rand();
}

uint64_t xc_u64(void)
{
	static const uint64_t edge[] = { 1, 127, 128, 16383, 16384, UINT32_MAX,
		(uint64_t)UINT32_MAX + 1, (uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1,
		UINT64_MAX };
	switch (xc_below(8)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return xc_below(300);
	case 3:
		return edge[xc_below(sizeof edge / sizeof edge[0])];
	default:
		return xc_rand() >> xc_below(64);
	}
}

uint32_t xc_u32(void)
{
	static const uint32_t edge[] = { 1, 127, 128, 16383, 16384, 0x7fffffffu,
		0x80000000u, UINT32_MAX };
	switch (xc_below(8)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return (uint32_t)xc_below(300);
	case 3:
		return edge[xc_below(sizeof edge / sizeof edge[0])];
	default:
		return (uint32_t)(xc_rand() >> xc_below(32));
	}
}

int64_t xc_i64(void)
{
	static const int64_t edge[] = { 1, -1, -2, 63, -64, 64, -65, INT32_MAX,
		INT32_MIN, INT64_MAX, INT64_MIN };
	switch (xc_below(8)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return (int64_t)xc_below(600) - 300;
	case 3:
		return edge[xc_below(sizeof edge / sizeof edge[0])];
	default: {
		int64_t v = (int64_t)(xc_rand() >> xc_below(64) >> 1);
		return xc_below(2) ? -v - 1 : v;
	}
	}
}

int32_t xc_i32(void)
{
	static const int32_t edge[] = { 1, -1, -2, 63, -64, 64, -65, INT32_MAX,
		INT32_MIN };
	switch (xc_below(8)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return (int32_t)xc_below(600) - 300;
	case 3:
		return edge[xc_below(sizeof edge / sizeof edge[0])];
	default: {
		int32_t v = (int32_t)(xc_rand() >> xc_below(32) >> 33);
		return xc_below(2) ? -v - 1 : v;
	}
	}
}

bool xc_bool(void)
{
	return xc_below(2) != 0;
}

float xc_float(void)
{
	uint32_t bits = (uint32_t)xc_rand();
	float f;
	if (xc_below(4) == 0)
		return 0.0f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

double xc_double(void)
{
	uint64_t bits = xc_rand();
	double d;
	if (xc_below(4) == 0)
		return 0.0;
	memcpy(&d, &bits, sizeof d);
	return d;
}

/* 0..max, with 0 and max more often than uniform. */
size_t xc_count(size_t max)
{
	switch (xc_below(8)) {
	case 0:
		return 0;
	case 1:
		return max;
	default:
		return (size_t)xc_below((uint64_t)max + 1);
	}
}

/* 0..cap-1 bytes of valid UTF-8 (no NUL), then the NUL. */
void xc_fill_str(char *s, size_t cap)
{
	size_t len = cap ? xc_count(cap - 1) : 0, n = 0;
	if (!cap)
		return;
	while (n < len) {
		uint64_t kind = xc_below(10), cp;
		if (kind == 0 && len - n >= 3) {
			do
				cp = 0x800 + xc_below(0x10000 - 0x800);
			while (cp >= 0xd800 && cp <= 0xdfff);
			s[n++] = (char)(0xe0 | (cp >> 12));
			s[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (kind == 1 && len - n >= 2) {
			cp = 0x80 + xc_below(0x800 - 0x80);
			s[n++] = (char)(0xc0 | (cp >> 6));
			s[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (kind == 2) {
			s[n++] = (char)(1 + xc_below(0x7f)); /* controls too */
		} else {
			s[n++] = (char)(0x20 + xc_below(0x5f)); /* printable */
		}
	}
	s[n] = '\0';
}

void xc_fill_bytes(pb_byte_t *b, pb_size_t *size, size_t cap)
{
	size_t len = xc_count(cap);
	for (size_t i = 0; i < len; i++)
		b[i] = (pb_byte_t)xc_rand();
	*size = (pb_size_t)len;
}

/* A declared enum value; with --open-enums, one draw in 8 is any value in
 * 0..INT32_MAX (proto3 enums are open: both libraries keep unknown values),
 * with --negative-enums any int32. */
int32_t xc_pick(const int32_t *values, size_t n)
{
	if (open_enums && xc_below(8) == 0)
		return negative_enums ? xc_i32() : (int32_t)(xc_u32() & 0x7fffffffu);
	return values[xc_below(n)];
}

/* ---- comparisons ---- */

void xc_path(char *out, size_t cap, const char *path, const char *field, long idx)
{
	if (idx < 0)
		snprintf(out, cap, "%s.%s", path, field);
	else
		snprintf(out, cap, "%s.%s[%ld]", path, field, idx);
}

static void mismatch(const char *path, const char *field, long idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void mismatch(const char *path, const char *field, long idx, const char *fmt, ...)
{
	char where[XC_PATH_MAX];
	va_list ap;
	if (quiet)
		return;
	xc_path(where, sizeof where, path, field, idx);
	fprintf(stderr, "    mismatch %s: ", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int xc_cmp_u64(const char *path, const char *field, long idx, uint64_t a, uint64_t b)
{
	if (a == b)
		return 0;
	mismatch(path, field, idx, "nanopb %" PRIu64 ", protobuf-c %" PRIu64, a, b);
	return 1;
}

int xc_cmp_i64(const char *path, const char *field, long idx, int64_t a, int64_t b)
{
	if (a == b)
		return 0;
	mismatch(path, field, idx, "nanopb %" PRId64 ", protobuf-c %" PRId64, a, b);
	return 1;
}

/* Bit patterns: both libraries copy fixed-width values verbatim. */
int xc_cmp_float(const char *path, const char *field, long idx, float a, float b)
{
	if (memcmp(&a, &b, sizeof a) == 0)
		return 0;
	mismatch(path, field, idx, "nanopb %a, protobuf-c %a", (double)a, (double)b);
	return 1;
}

int xc_cmp_double(const char *path, const char *field, long idx, double a, double b)
{
	if (memcmp(&a, &b, sizeof a) == 0)
		return 0;
	mismatch(path, field, idx, "nanopb %a, protobuf-c %a", a, b);
	return 1;
}

int xc_cmp_str(const char *path, const char *field, long idx, const char *a, const char *b)
{
	if (!b)
		b = ""; /* protobuf-c: an unset proto3 string */
	if (strcmp(a, b) == 0)
		return 0;
	mismatch(path, field, idx, "nanopb \"%.60s\" (%zu), protobuf-c \"%.60s\" (%zu)", a,
		 strlen(a), b, strlen(b));
	return 1;
}

int xc_cmp_bytes(const char *path, const char *field, long idx, const uint8_t *a,
		 size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;
	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	for (i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		;
	mismatch(path, field, idx, "nanopb %zu bytes, protobuf-c %zu bytes, first difference at %zu",
		 alen, blen, i);
	return 1;
}

int xc_cmp_count(const char *path, const char *field, size_t a, size_t b)
{
	if (a == b)
		return 0;
	mismatch(path, field, -1, "nanopb %zu elements, protobuf-c %zu", a, b);
	return 1;
}

int xc_cmp_presence(const char *path, const char *field, bool a, bool b)
{
	if (a == b)
		return 0;
	mismatch(path, field, -1, "nanopb %s, protobuf-c %s", a ? "set" : "unset",
		 b ? "set" : "unset");
	return 1;
}

/* ---- one iteration ---- */

enum corrupt { CORRUPT_NONE, CORRUPT_NANOPB, CORRUPT_PROTOBUF_C };

struct outcome {
	int failures;      /* CORRUPT_NONE: checks that failed */
	bool corrupted;    /* a byte was flipped (encoding not empty) */
	bool detected;     /* ... and a decoder or a field comparison caught it */
	size_t encoded;    /* nanopb's encoded size */
};

static void *xcalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static void hexdiff(const char *what, const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen)
{
	size_t i, j;
	if (quiet)
		return;
	for (i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		;
	fprintf(stderr, "    %s: %zu vs %zu bytes, first difference at offset %zu\n", what,
		alen, blen, i);
	fprintf(stderr, "      nanopb:    ");
	for (j = i > 8 ? i - 8 : 0; j < alen && j < i + 16; j++)
		fprintf(stderr, " %02x", a[j]);
	fprintf(stderr, "\n      protobuf-c:");
	for (j = i > 8 ? i - 8 : 0; j < blen && j < i + 16; j++)
		fprintf(stderr, " %02x", b[j]);
	fputc('\n', stderr);
}

static bool nanopb_encode(const struct xc_msg *m, const void *msg, uint8_t **out,
			  size_t *len)
{
	pb_ostream_t os;
	if (!pb_get_encoded_size(len, m->fields, msg))
		return false;
	*out = xcalloc(*len);
	os = pb_ostream_from_buffer(*out, *len);
	return pb_encode(&os, m->fields, msg) && os.bytes_written == *len;
}

/* ---- rpcgen's direct codecs against nanopb ---- */

static unsigned long direct_checks; /* encodings the direct codecs were run on */
#define DIRECT_MUTATIONS 16 /* mutated encodings decoded by both, per run */

/* Decodes buf[len] with nanopb and with the direct decoder: both refuse,
 * or both accept and give the same struct (both start from zeroes).
 * *accepted (if not NULL): nanopb accepted. */
static int direct_decode_agrees(const struct xc_msg *m, const uint8_t *buf, size_t len,
				const char *what, void *a, void *b, bool *accepted)
{
	memset(a, 0, m->struct_size);
	memset(b, 0, m->struct_size);
	pb_istream_t is = pb_istream_from_buffer(buf, len);
	bool na = pb_decode(&is, m->fields, a);
	bool da = m->direct_decode(buf, (uint32_t)len, b);
	int bad = 0;
	if (accepted)
		*accepted = na;
	if (na != da) {
		if (!quiet)
			fprintf(stderr, "    %s (%zu bytes): nanopb %s (%s), direct decoder %s\n",
				what, len, na ? "accepts" : "refuses",
				na ? "-" : PB_GET_ERROR(&is), da ? "accepts" : "refuses");
		bad = 1;
	} else if (na && memcmp(a, b, m->struct_size) != 0) {
		if (!quiet)
			fprintf(stderr, "    %s (%zu bytes): nanopb and the direct decoder "
				"give different structs\n", what, len);
		bad = 1;
	}
	return bad;
}

/* ---- structured mutations of repeated fields ---- */

struct wbuf {
	uint8_t *p;
	size_t len;
};

static void w_byte(struct wbuf *o, uint8_t b)
{
	o->p[o->len++] = b;
}

static void w_varint(struct wbuf *o, uint64_t v)
{
	while (v >= 0x80) {
		w_byte(o, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	w_byte(o, (uint8_t)v);
}

static void w_raw(struct wbuf *o, const uint8_t *src, size_t n)
{
	memcpy(o->p + o->len, src, n);
	o->len += n;
}

/* A varint of a valid encoding (no overlong checks needed). */
static bool r_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64 && *p != end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Bytes of one element of wire type wt at p (a valid encoding). */
static size_t elem_len(const uint8_t *p, const uint8_t *end, uint8_t wt)
{
	if (wt == 1)
		return 8;
	if (wt == 5)
		return 4;
	const uint8_t *q = p;
	uint64_t v;
	return r_varint(&q, end, &v) ? (size_t)(q - p) : (size_t)(end - p);
}

static const struct xc_rep *rep_field(const struct xc_msg *m, uint64_t number)
{
	for (const struct xc_rep *r = m->repeated; r && r->number; r++)
		if (r->number == number)
			return r;
	return NULL;
}

/* nanopb's encoding enc[len] with every packed run of a repeated scalar
 * rewritten, at random, as single elements, as two packed runs, or as
 * single elements then a packed run: protobuf requires a decoder to take
 * every form as the same value. Returns the new length (out holds at
 * least 6 * len bytes); 0 changes: returns len with out a copy. */
static size_t reshape_packed(const struct xc_msg *m, const uint8_t *enc, size_t len,
			     uint8_t *out, bool *changed)
{
	struct wbuf o = { out, 0 };
	const uint8_t *p = enc, *end = enc + len;
	*changed = false;
	while (p != end) {
		const uint8_t *start = p;
		uint64_t key, n = 0;
		if (!r_varint(&p, end, &key))
			break;
		const struct xc_rep *r = rep_field(m, key >> 3);
		switch (key & 7) {
		case 0: {
			uint64_t v;
			(void)r_varint(&p, end, &v);
			break;
		}
		case 1:
			p += 8;
			break;
		case 5:
			p += 4;
			break;
		default:
			(void)r_varint(&p, end, &n);
			break;
		}
		if ((key & 7) != 2 || !r || r->wire_type == 2) {
			p += (key & 7) == 2 ? n : 0;
			w_raw(&o, start, (size_t)(p - start));
			continue;
		}
		/* a packed run: its elements, then the new form */
		const uint8_t *e = p, *rend = p + n;
		size_t count = 0;
		for (const uint8_t *q = e; q < rend; q += elem_len(q, rend, r->wire_type))
			count++;
		size_t split = (size_t)xc_below(count + 1), i = 0;
		int form = (int)xc_below(3); /* 0 single, 1 two runs, 2 single then run */
		const uint8_t *q = e;
		*changed = true;
		if (form == 1) {
			const uint8_t *mid = e;
			for (i = 0; i < split; i++)
				mid += elem_len(mid, rend, r->wire_type);
			w_varint(&o, key);
			w_varint(&o, (uint64_t)(mid - e));
			w_raw(&o, e, (size_t)(mid - e));
			w_varint(&o, key);
			w_varint(&o, (uint64_t)(rend - mid));
			w_raw(&o, mid, (size_t)(rend - mid));
		} else {
			size_t singles = form == 0 ? count : split;
			for (i = 0; i < singles; i++) {
				size_t l = elem_len(q, rend, r->wire_type);
				w_varint(&o, (key >> 3) << 3 | r->wire_type);
				w_raw(&o, q, l);
				q += l;
			}
			if (form == 2) {
				w_varint(&o, key);
				w_varint(&o, (uint64_t)(rend - q));
				w_raw(&o, q, (size_t)(rend - q));
			}
		}
		p = rend;
	}
	return o.len;
}

/* Appends k empty elements of repeated field r (an empty submessage,
 * string or bytes; a zero scalar), one by one or, for a scalar, at
 * random as one packed run. */
static void append_elements(struct wbuf *o, const struct xc_rep *r, size_t k)
{
	size_t w = r->wire_type == 1 ? 8 : r->wire_type == 5 ? 4 : 1;
	if (r->wire_type != 2 && xc_below(2)) {
		w_varint(o, (uint64_t)r->number << 3 | 2);
		w_varint(o, (uint64_t)(k * w));
		memset(o->p + o->len, 0, k * w);
		o->len += k * w;
		return;
	}
	for (size_t i = 0; i < k; i++) {
		w_varint(o, (uint64_t)r->number << 3 | r->wire_type);
		memset(o->p + o->len, 0, w); /* 0: a zero scalar, or length 0 */
		o->len += w;
	}
}

/* The structured mutations: packed runs reshaped (both decoders give the
 * struct of the original encoding), elements appended past what is there
 * (both agree; max_count + 1 of them both refuse) and an element with the
 * wrong wire type (both refuse). */
static int repeated_check(const struct xc_msg *m, const uint8_t *enc, size_t len, void *a,
			  void *b)
{
	int bad = 0;
	const struct xc_rep *r;
	size_t nrep = 0;
	bool changed, acc;

	for (r = m->repeated; r && r->number; r++)
		nrep++;
	if (!nrep)
		return 0;
	void *want = xcalloc(m->struct_size);
	uint8_t *out = xcalloc(6 * len + 64 + 16 * 64);
	struct wbuf o = { out, 0 };

	pb_istream_t is = pb_istream_from_buffer(enc, len);
	if (!pb_decode(&is, m->fields, want))
		goto done; /* the caller reports it */

	o.len = reshape_packed(m, enc, len, out, &changed);
	if (changed) {
		bad += direct_decode_agrees(m, out, o.len, "packed runs reshaped", a, b, &acc);
		if (!acc || memcmp(a, want, m->struct_size) != 0) {
			if (!quiet)
				fprintf(stderr, "    packed runs reshaped: nanopb %s\n",
					acc ? "gives another struct" : "refuses");
			bad++;
		}
	}

	r = &m->repeated[xc_below(nrep)];
	size_t k = 1 + (size_t)xc_below(r->max + 1); /* 1..max+1 */
	if (r->max > 62)
		k = xc_below(2) ? r->max + 1 : 1 + (size_t)xc_below(62);
	memcpy(out, enc, len);
	o.len = len;
	append_elements(&o, r, k);
	bad += direct_decode_agrees(m, out, o.len, "elements appended", a, b, &acc);
	if (k > r->max && acc) {
		if (!quiet)
			fprintf(stderr, "    %zu elements of field %u accepted (max_count %zu)\n", k,
				(unsigned)r->number, r->max);
		bad++;
	}

	static const uint8_t wrong[3][2] = { { 1, 5 }, { 0, 5 }, { 0, 1 } }; /* by wire type */
	uint8_t wt = r->wire_type == 2 ? (uint8_t)(xc_below(2) ? 0 : 5)
		   : wrong[r->wire_type == 0 ? 0 : r->wire_type == 1 ? 1 : 2][xc_below(2)];
	o.len = len;
	w_varint(&o, (uint64_t)r->number << 3 | wt);
	memset(out + o.len, 0, 8);
	o.len += wt == 1 ? 8 : wt == 5 ? 4 : 1;
	bad += direct_decode_agrees(m, out, o.len, "an element with the wrong wire type", a, b,
				    &acc);
	if (acc) {
		if (!quiet)
			fprintf(stderr, "    field %u with wire type %u accepted\n",
				(unsigned)r->number, wt);
		bad++;
	}
done:
	free(out);
	free(want);
	return bad;
}

/* The direct encoder gives nanopb's bytes and fails where nanopb's does
 * (a buffer one byte short); the direct decoder agrees with pb_decode on
 * those bytes and on mutations of them (flipped, replaced, inserted and
 * dropped bytes, truncations, random tails, random buffers). */
static int direct_check(const struct xc_msg *m, const void *orig, const uint8_t *enc,
			size_t len)
{
	int bad = 0;
	uint32_t dlen = 0;
	uint8_t *buf = xcalloc(len + 64), *mut = xcalloc(len + 64);
	void *a = xcalloc(m->struct_size), *b = xcalloc(m->struct_size);

	direct_checks++;
	if (!m->direct_encode(buf, (uint32_t)(len + 64), orig, &dlen)) {
		if (!quiet)
			fprintf(stderr, "    direct encoder failed where nanopb's did not\n");
		bad++;
	} else if (dlen != len || memcmp(buf, enc, len) != 0) {
		hexdiff("direct encoding differs from nanopb's (second line)", enc, len, buf,
			dlen);
		bad++;
	}
	if (len > 0 && m->direct_encode(buf, (uint32_t)(len - 1), orig, &dlen)) {
		if (!quiet)
			fprintf(stderr, "    direct encoder fit %zu bytes into %zu\n", len, len - 1);
		bad++;
	}
	bad += direct_decode_agrees(m, enc, len, "nanopb's encoding", a, b, NULL);
	for (int k = 0; k < DIRECT_MUTATIONS; k++) {
		size_t n = len;
		memcpy(mut, enc, len);
		size_t at = n ? (size_t)xc_below(n) : 0;
		switch (xc_below(8)) {
		case 0: /* flip a bit */
			if (n)
				mut[at] ^= (uint8_t)(1u << xc_below(8));
			break;
		case 1: /* replace a byte, often by a varint or key edge */
			if (n) {
				static const uint8_t edge[] = { 0x00, 0x01, 0x07, 0x08, 0x7f, 0x80,
								0xff, 0x0a, 0x12, 0x0b, 0x0c };
				mut[at] = xc_below(2) ? edge[xc_below(sizeof(edge))] : (uint8_t)xc_rand();
			}
			break;
		case 2: /* truncate */
			n = at;
			break;
		case 3: /* insert a byte */
			if (n + 1 <= len + 64) {
				memmove(mut + at + 1, mut + at, n - at);
				mut[at] = (uint8_t)xc_rand();
				n++;
			}
			break;
		case 4: /* drop a byte */
			if (n) {
				memmove(mut + at, mut + at + 1, n - at - 1);
				n--;
			}
			break;
		case 5: { /* a random tail: unknown fields, bad wire types */
			size_t extra = (size_t)xc_below(12) + 1;
			for (size_t i = 0; i < extra; i++)
				mut[n + i] = (uint8_t)xc_rand();
			n += extra;
			break;
		}
		case 6: { /* long varints: 0x80/0xff extension bytes */
			size_t extra = (size_t)xc_below(11) + 1;
			memmove(mut + at + extra, mut + at, n - at);
			for (size_t i = 0; i < extra; i++)
				mut[at + i] = xc_below(2) ? 0x80 : 0xff;
			n += extra;
			break;
		}
		default: { /* all random */
			n = (size_t)xc_below(len + 32);
			for (size_t i = 0; i < n; i++)
				mut[i] = (uint8_t)xc_rand();
			break;
		}
		}
		bad += direct_decode_agrees(m, mut, n, "a mutated encoding", a, b, NULL);
	}
	bad += repeated_check(m, enc, len, a, b);
	free(b);
	free(a);
	free(mut);
	free(buf);
	return bad;
}

static struct outcome run(const struct xc_msg *m, uint64_t seed, unsigned iter,
			  enum corrupt corrupt)
{
	struct outcome r = { 0, false, false, 0 };
	void *orig = xcalloc(m->struct_size), *back = xcalloc(m->struct_size);
	uint8_t *enc = NULL, *pbc = NULL, *again = NULL;
	ProtobufCMessage *p = NULL;
	size_t len = 0, plen, alen = 0;
	pb_istream_t is;
	int bad;

	xc_seed(seed, m->name, iter);
	m->fill(orig);

	if (!nanopb_encode(m, orig, &enc, &len)) {
		if (!quiet)
			fprintf(stderr, "    pb_encode failed\n");
		r.failures++;
		goto out;
	}
	r.encoded = len;
	/* nanopb's <T>_size counts an enum field at its largest declared value */
	if (len > m->max_encoded && !open_enums) {
		if (!quiet)
			fprintf(stderr, "    encoded %zu bytes, more than nanopb's %s_size (%zu)\n",
				len, m->name, m->max_encoded);
		r.failures++;
	}
	if (corrupt == CORRUPT_NONE && m->direct_encode)
		r.failures += direct_check(m, orig, enc, len);
	if (corrupt == CORRUPT_NANOPB) {
		if (len == 0)
			goto out;
		r.corrupted = true;
		enc[len - 1] ^= 1;
	}

	/* nanopb -> protobuf-c */
	p = m->unpack(len, enc);
	if (!p) {
		if (!quiet)
			fprintf(stderr, "    protobuf-c could not unpack nanopb's %zu bytes\n", len);
		r.failures++;
		r.detected = corrupt == CORRUPT_NANOPB;
		goto out;
	}
	bad = m->cmp(orig, p, m->name);
	r.failures += bad;
	if (corrupt == CORRUPT_NANOPB) {
		r.detected = bad > 0;
		goto out;
	}

	/* protobuf-c -> bytes: the same bytes as nanopb's */
	plen = m->packed_size(p);
	pbc = xcalloc(plen);
	if (m->pack(p, pbc) != plen) {
		if (!quiet)
			fprintf(stderr, "    protobuf-c pack wrote other than get_packed_size\n");
		r.failures++;
		goto out;
	}
	if (corrupt == CORRUPT_NONE && (plen != len || memcmp(pbc, enc, len) != 0)) {
		hexdiff("protobuf-c's encoding differs from nanopb's", enc, len, pbc, plen);
		r.failures++;
	}
	if (corrupt == CORRUPT_PROTOBUF_C) {
		if (plen == 0)
			goto out;
		r.corrupted = true;
		pbc[plen - 1] ^= 1;
	}

	/* protobuf-c's bytes -> nanopb */
	is = pb_istream_from_buffer(pbc, plen);
	if (!pb_decode(&is, m->fields, back)) {
		if (!quiet)
			fprintf(stderr, "    pb_decode of protobuf-c's %zu bytes failed: %s\n", plen,
				PB_GET_ERROR(&is));
		r.failures++;
		r.detected = corrupt == CORRUPT_PROTOBUF_C;
		goto out;
	}
	bad = m->cmp(back, p, m->name);
	r.failures += bad;
	if (corrupt == CORRUPT_PROTOBUF_C) {
		r.detected = bad > 0;
		goto out;
	}
	if (!nanopb_encode(m, back, &again, &alen)) {
		if (!quiet)
			fprintf(stderr, "    pb_encode of the decoded struct failed\n");
		r.failures++;
		goto out;
	}
	if (alen != len || memcmp(again, enc, len) != 0) {
		hexdiff("nanopb re-encoding differs from the original (second line)", enc, len,
			again, alen);
		r.failures++;
	}
out:
	if (p)
		m->free_unpacked(p);
	free(again);
	free(pbc);
	free(enc);
	free(back);
	free(orig);
	return r;
}

/* ---- driver ---- */

static void usage(void)
{
	fprintf(stderr, "usage: crosscheck [--iterations N] [--seed S] [--only NAME] "
			"[--iteration I] [--self-test] [--open-enums] [--negative-enums] "
			"[--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned iterations = 200, only_iter = 0;
	bool self_test = false, verbose = false, one_iter = false;
	uint64_t seed = 1;
	const char *only = NULL;
	unsigned long messages = 0, runs = 0, failed_runs = 0, failed_messages = 0;
	unsigned long corrupted = 0, detected = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iterations = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--iteration") && i + 1 < argc) {
			only_iter = (unsigned)strtoul(argv[++i], NULL, 0);
			one_iter = true;
		} else if (!strcmp(argv[i], "--self-test"))
			self_test = true;
		else if (!strcmp(argv[i], "--verbose"))
			verbose = true;
		else if (!strcmp(argv[i], "--open-enums"))
			open_enums = true;
		else if (!strcmp(argv[i], "--negative-enums"))
			open_enums = negative_enums = true;
		else
			usage();
	}
	quiet = self_test && !verbose;

	/* .proto files in idl/ that capos_idl does not compile: not checked */
	for (size_t k = 0; k < xc_missing_count; k++) {
		printf("FAIL idl/%s has no nanopb codec in capos_idl (idl/CMakeLists.txt): "
		       "its messages are not cross-checked\n", xc_missing[k]);
		failed_messages++;
	}

	for (size_t k = 0; k < xc_message_count; k++) {
		const struct xc_msg *m = &xc_messages[k];
		unsigned first = one_iter ? only_iter : 0;
		unsigned last = one_iter ? only_iter + 1 : iterations;
		unsigned long bad_iters = 0, nonempty = 0, m_corrupted = 0, m_detected = 0;
		size_t max_len = 0;

		if (only && strcmp(only, m->name) != 0)
			continue;
		messages++;
		if (!self_test && m->repeated && m->repeated[0].number && !m->direct_encode) {
			/* issue 16: a list reply through nanopb's walk is 10-16x */
			printf("FAIL %s has repeated fields but no direct codec (rpcgen)\n",
			       m->name);
			failed_messages++;
		}
		for (unsigned it = first; it < last; it++) {
			if (self_test) {
				for (int c = CORRUPT_NANOPB; c <= CORRUPT_PROTOBUF_C; c++) {
					struct outcome r = run(m, seed, it, (enum corrupt)c);
					if (!r.corrupted)
						continue;
					m_corrupted++;
					if (r.detected)
						m_detected++;
					else
						printf("FAIL %s iteration %u (seed %" PRIu64
						       "): flipped last byte of %s's encoding not detected\n",
						       m->name, it, seed,
						       c == CORRUPT_NANOPB ? "nanopb" : "protobuf-c");
				}
				continue;
			}
			struct outcome r = run(m, seed, it, CORRUPT_NONE);
			runs++;
			if (r.encoded) {
				nonempty++;
				if (r.encoded > max_len)
					max_len = r.encoded;
			}
			if (r.failures) {
				bad_iters++;
				printf("FAIL %s iteration %u (seed %" PRIu64 "): %d check(s) failed; "
				       "rerun: --only %s --iteration %u --seed %" PRIu64 "\n",
				       m->name, it, seed, r.failures, m->name, it, seed);
			}
		}
		if (self_test) {
			corrupted += m_corrupted;
			detected += m_detected;
			if (m_corrupted == 0 && m->max_encoded > 0) {
				printf("FAIL %s: no iteration had a non-empty encoding to corrupt\n",
				       m->name);
				failed_messages++;
			} else if (m_detected != m_corrupted) {
				failed_messages++;
			}
			if (verbose)
				printf("%s: %lu corruptions, %lu detected\n", m->name, m_corrupted,
				       m_detected);
			continue;
		}
		failed_runs += bad_iters;
		if (bad_iters)
			failed_messages++;
		if (verbose || bad_iters)
			printf("%s %s: %u iterations, %lu failed, %lu non-empty, largest %zu "
			       "bytes (nanopb bound %zu)\n",
			       bad_iters ? "FAIL" : "ok", m->name, last - first, bad_iters,
			       nonempty, max_len, m->max_encoded);
	}

	if (only && messages == 0) {
		fprintf(stderr, "no message named %s\n", only);
		return 2;
	}
	if (self_test) {
		printf("self-test: %lu messages, %lu corrupted encodings, %lu detected, "
		       "%lu message(s) failing\n", messages, corrupted, detected,
		       failed_messages);
		return failed_messages == 0 && corrupted > 0 && detected == corrupted ? 0 : 1;
	}
	printf("crosscheck: %lu messages x %u iterations = %lu runs (seed %" PRIu64 "), "
	       "%lu failed run(s) in %lu message(s); rpcgen's direct codecs checked "
	       "against nanopb on %lu of them\n", messages,
	       one_iter ? 1 : iterations, runs, seed, failed_runs, failed_messages,
	       direct_checks);
	return failed_runs == 0 && failed_messages == 0 && messages > 0 ? 0 : 1;
}
