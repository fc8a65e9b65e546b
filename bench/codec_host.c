/*
 * codec_host - encode+decode cost per message on the host (issue 16 item
 * 2): what the generated stubs and dispatchers run (rpcgen's direct codec
 * when the message has one, <T>_WIRE, else nanopb), nanopb itself, and a
 * hand-written protobuf encoder/decoder for the same message, in TSC
 * cycles per encode+decode pair (the least of TRIALS batches of BATCH
 * pairs, so a busy machine inflates nothing but the spread).
 *
 * The hand-written codecs below are what one would write for the message
 * alone: fixed keys, no descriptor, no generality, the same bounds checks
 * a decoder of untrusted input needs. Every pair's output is checked
 * against the input, so no codec is timed doing less than the others.
 *
 * Prints "bench-codec: <message> ..." lines; nothing is judged here
 * (bench/targets.txt holds the 3x bound, bench/summary.py compares).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "log.capos.h"

#define BATCH 2000
#define TRIALS 40

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* ---- hand-written ---- */

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *put_str(uint8_t *p, uint8_t key, const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return p;
	*p++ = key;
	p = put_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

static int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (p == end)
			return 0;
		uint8_t b = *p++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = r;
			return 1;
		}
	}
	return 0;
}

static int get_str(const uint8_t **pp, const uint8_t *end, char *dst, size_t size)
{
	uint64_t n;
	if (!get_varint(pp, end, &n) || n >= size || n > (uint64_t)(end - *pp))
		return 0;
	memcpy(dst, *pp, n);
	dst[n] = 0;
	*pp += n;
	return 1;
}

static size_t hand_encode_ts(uint8_t *p0, const capos_Timestamp *t)
{
	uint8_t *p = p0;
	if (t->monotonic_ns) {
		*p++ = 0x08;
		p = put_varint(p, t->monotonic_ns);
	}
	if (t->wall_seconds) {
		*p++ = 0x10;
		p = put_varint(p, (uint64_t)t->wall_seconds);
	}
	if (t->wall_nanoseconds) {
		*p++ = 0x18;
		p = put_varint(p, t->wall_nanoseconds);
	}
	if (t->provenance) {
		*p++ = 0x20;
		p = put_varint(p, (uint32_t)t->provenance);
	}
	return (size_t)(p - p0);
}

static size_t hand_encode_record(uint8_t *p0, const capos_LogRecord *m)
{
	uint8_t *p = p0;
	if (m->level) {
		*p++ = 0x08;
		p = put_varint(p, (uint32_t)m->level);
	}
	p = put_str(p, 0x12, m->source);
	p = put_str(p, 0x1a, m->text);
	if (m->has_timestamp) {
		uint8_t tmp[48];
		size_t n = hand_encode_ts(tmp, &m->timestamp);
		*p++ = 0x22;
		*p++ = (uint8_t)n; /* < 128 */
		memcpy(p, tmp, n);
		p += n;
	}
	if (m->sequence) {
		*p++ = 0x28;
		p = put_varint(p, m->sequence);
	}
	return (size_t)(p - p0);
}

static int hand_decode_ts(const uint8_t *p, const uint8_t *end, capos_Timestamp *t)
{
	uint64_t key, v;
	while (p != end) {
		if (!get_varint(&p, end, &key) || !get_varint(&p, end, &v))
			return 0;
		switch (key) {
		case 0x08: t->monotonic_ns = v; break;
		case 0x10: t->wall_seconds = (int64_t)v; break;
		case 0x18: t->wall_nanoseconds = (uint32_t)v; break;
		case 0x20: t->provenance = (capos_ClockProvenance)v; break;
		default: return 0;
		}
	}
	return 1;
}

static int hand_decode_record(const uint8_t *p, size_t len, capos_LogRecord *m)
{
	const uint8_t *end = p + len;
	uint64_t key, v;
	memset(m, 0, sizeof(*m));
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		switch (key) {
		case 0x08:
			if (!get_varint(&p, end, &v))
				return 0;
			m->level = (capos_LogLevel)v;
			break;
		case 0x12:
			if (!get_str(&p, end, m->source, sizeof(m->source)))
				return 0;
			break;
		case 0x1a:
			if (!get_str(&p, end, m->text, sizeof(m->text)))
				return 0;
			break;
		case 0x22:
			if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p) ||
			    !hand_decode_ts(p, p + v, &m->timestamp))
				return 0;
			m->has_timestamp = true;
			p += v;
			break;
		case 0x28:
			if (!get_varint(&p, end, &m->sequence))
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

static size_t hand_encode_result(uint8_t *p0, const capos_LogWriteResult *m)
{
	uint8_t *p = p0;
	if (m->accepted) {
		*p++ = 0x08;
		*p++ = 1;
	}
	if (m->sequence) {
		*p++ = 0x10;
		p = put_varint(p, m->sequence);
	}
	return (size_t)(p - p0);
}

static int hand_decode_result(const uint8_t *p, size_t len, capos_LogWriteResult *m)
{
	const uint8_t *end = p + len;
	uint64_t key, v;
	memset(m, 0, sizeof(*m));
	while (p != end) {
		if (!get_varint(&p, end, &key) || !get_varint(&p, end, &v))
			return 0;
		if (key == 0x08)
			m->accepted = v != 0;
		else if (key == 0x10)
			m->sequence = v;
		else
			return 0;
	}
	return 1;
}

static size_t hand_encode_filter(uint8_t *p0, const capos_LogFilter *m)
{
	uint8_t *p = p0;
	if (m->min_level) {
		*p++ = 0x08;
		p = put_varint(p, (uint32_t)m->min_level);
	}
	p = put_str(p, 0x12, m->source);
	if (m->cursor) {
		*p++ = 0x18;
		p = put_varint(p, m->cursor);
	}
	if (m->max) {
		*p++ = 0x20;
		p = put_varint(p, m->max);
	}
	return (size_t)(p - p0);
}

static int hand_decode_filter(const uint8_t *p, size_t len, capos_LogFilter *m)
{
	const uint8_t *end = p + len;
	uint64_t key, v;
	memset(m, 0, sizeof(*m));
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		if (key == 0x12) {
			if (!get_str(&p, end, m->source, sizeof(m->source)))
				return 0;
			continue;
		}
		if (!get_varint(&p, end, &v))
			return 0;
		if (key == 0x08)
			m->min_level = (capos_LogLevel)v;
		else if (key == 0x18)
			m->cursor = v;
		else if (key == 0x20)
			m->max = (uint32_t)v;
		else
			return 0;
	}
	return 1;
}

/* ---- the three ways, one message ---- */

struct way {
	size_t (*enc)(uint8_t *buf, size_t cap, const void *m);
	int (*dec)(const uint8_t *buf, size_t len, void *m);
};

struct msg {
	const char *name;
	const pb_msgdesc_t *fields;
	size_t size;
	const void *value;
	bool (*direct_enc)(uint8_t *buf, uint32_t cap, const void *msg, uint32_t *len);
	bool (*direct_dec)(const uint8_t *buf, uint32_t len, void *msg);
	size_t (*hand_enc)(uint8_t *p, const void *m);
	int (*hand_dec)(const uint8_t *p, size_t len, void *m);
};

static uint8_t buf[4096];
static uint8_t out_struct[4096];

enum how { HOW_GENERATED, HOW_NANOPB, HOW_HAND };

/* One encode+decode of m->value the given way; 0 on any failure. */
static size_t pair(const struct msg *m, enum how how)
{
	size_t len = 0;
	if (how == HOW_HAND) {
		len = m->hand_enc(buf, m->value);
		return m->hand_dec(buf, len, out_struct) ? len : 0;
	}
	if (how == HOW_GENERATED && m->direct_enc) { /* else the stubs run nanopb */
		uint32_t n;
		if (!m->direct_enc(buf, sizeof(buf), m->value, &n) ||
		    !m->direct_dec(buf, n, out_struct))
			return 0;
		return n;
	}
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	if (!pb_encode(&os, m->fields, m->value))
		return 0;
	pb_istream_t is = pb_istream_from_buffer(buf, os.bytes_written);
	return pb_decode(&is, m->fields, out_struct) ? os.bytes_written : 0;
}

static uint64_t cost(const struct msg *m, enum how how)
{
	uint64_t best = UINT64_MAX;
	for (int t = 0; t < TRIALS; t++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < BATCH; i++)
			if (!pair(m, how)) {
				fprintf(stderr, "bench-codec: %s failed\n", m->name);
				exit(1);
			}
		uint64_t d = (rdtsc() - t0) / BATCH;
		if (d < best)
			best = d;
	}
	/* each way must give back the value it was given */
	memset(out_struct, 0, m->size);
	(void)pair(m, how);
	uint8_t a[4096], b[4096];
	pb_ostream_t oa = pb_ostream_from_buffer(a, sizeof(a));
	pb_ostream_t ob = pb_ostream_from_buffer(b, sizeof(b));
	if (!pb_encode(&oa, m->fields, m->value) || !pb_encode(&ob, m->fields, out_struct) ||
	    oa.bytes_written != ob.bytes_written || memcmp(a, b, oa.bytes_written) != 0) {
		fprintf(stderr, "bench-codec: %s: a codec did not round-trip\n", m->name);
		exit(1);
	}
	return best;
}

#define HAND(T, f) ((size_t (*)(uint8_t *, const void *))(f))
#define HANDD(f) ((int (*)(const uint8_t *, size_t, void *))(f))

int main(void)
{
	static capos_LogRecord rec;
	rec.level = capos_LogLevel_LOG_LEVEL_WARNING;
	strcpy(rec.source, "shell");
	strcpy(rec.text, "bench: a log line of sixty characters, give or take a few...");
	rec.has_timestamp = true;
	rec.timestamp.monotonic_ns = 123456789012ull;
	rec.timestamp.wall_seconds = 1764950000;
	rec.timestamp.wall_nanoseconds = 987654321;
	rec.timestamp.provenance = capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST;
	rec.sequence = 4242;
	static capos_LogWriteResult res = { true, 4242 };
	static capos_LogFilter filt;
	filt.min_level = capos_LogLevel_LOG_LEVEL_INFO;
	strcpy(filt.source, "audit");
	filt.cursor = 1000;
	filt.max = 128;

	const struct msg msgs[] = {
		{ "capos.LogRecord", capos_LogRecord_fields, sizeof(rec), &rec,
		  capos_LogRecord_wire_encode_buf, capos_LogRecord_wire_decode_buf,
		  HAND(capos_LogRecord, hand_encode_record), HANDD(hand_decode_record) },
		{ "capos.LogWriteResult", capos_LogWriteResult_fields, sizeof(res), &res,
		  capos_LogWriteResult_wire_encode_buf, capos_LogWriteResult_wire_decode_buf,
		  HAND(capos_LogWriteResult, hand_encode_result), HANDD(hand_decode_result) },
		{ "capos.LogFilter", capos_LogFilter_fields, sizeof(filt), &filt,
		  capos_LogFilter_wire_encode_buf, capos_LogFilter_wire_decode_buf,
		  HAND(capos_LogFilter, hand_encode_filter), HANDD(hand_decode_filter) },
	};
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		const struct msg *m = &msgs[i];
		uint64_t hand = cost(m, HOW_HAND), gen = cost(m, HOW_GENERATED),
			 npb = cost(m, HOW_NANOPB);
		size_t len = pair(m, HOW_HAND);
		printf("bench-codec: %s encode+decode, %zu bytes, generated stubs' codec: %lu TSC cycles (hand-written %lu, nanopb %lu)\n",
		       m->name, len, (unsigned long)gen, (unsigned long)hand, (unsigned long)npb);
		printf("bench-codec: %s generated/hand-written ratio %lu.%02lu\n", m->name,
		       (unsigned long)(gen / hand), (unsigned long)(gen * 100 / hand % 100));
		printf("bench-codec: %s nanopb/hand-written ratio %lu.%02lu\n", m->name,
		       (unsigned long)(npb / hand), (unsigned long)(npb * 100 / hand % 100));
	}
	return 0;
}
