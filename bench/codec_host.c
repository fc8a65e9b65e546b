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

#include "capability.capos.h"
#include "log.capos.h"
#include "process.capos.h"

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

/* Into a zeroed record. */
static int hand_parse_record(const uint8_t *p, const uint8_t *end, capos_LogRecord *m)
{
	uint64_t key, v;
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

static int hand_decode_record(const uint8_t *p, size_t len, capos_LogRecord *m)
{
	memset(m, 0, sizeof(*m));
	return hand_parse_record(p, p + len, m);
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

/* ---- hand-written: the list replies ---- */

/* key and varint, left out when 0 (proto3) */
static uint8_t *put_uv(uint8_t *p, uint8_t key, uint64_t v)
{
	if (!v)
		return p;
	*p++ = key;
	return put_varint(p, v);
}

/* A submessage whose body was written at len_at + 2 (every body here is
 * under 16 KiB): a one-byte length moves it down by one. */
static uint8_t *end_sub(uint8_t *len_at, size_t n)
{
	if (n < 0x80) {
		len_at[0] = (uint8_t)n;
		memmove(len_at + 1, len_at + 2, n);
		return len_at + 1 + n;
	}
	len_at[0] = (uint8_t)(n | 0x80);
	len_at[1] = (uint8_t)(n >> 7);
	return len_at + 2 + n;
}

/* A length-delimited field's bounds; 0 if it does not fit. */
static int get_sub(const uint8_t **pp, const uint8_t *end, const uint8_t **sub_end)
{
	uint64_t n;
	if (!get_varint(pp, end, &n) || n > (uint64_t)(end - *pp))
		return 0;
	*sub_end = *pp + n;
	return 1;
}

static size_t hand_encode_logread(uint8_t *p0, const capos_LogReadResult *m)
{
	uint8_t *p = p0;
	for (pb_size_t i = 0; i < m->records_count; i++) {
		*p++ = 0x0a;
		p = end_sub(p, hand_encode_record(p + 2, &m->records[i]));
	}
	p = put_uv(p, 0x10, m->next_cursor);
	p = put_uv(p, 0x18, m->dropped);
	p = put_uv(p, 0x20, m->below_floor);
	return (size_t)(p - p0);
}

static int hand_decode_logread(const uint8_t *p, size_t len, capos_LogReadResult *m)
{
	const uint8_t *end = p + len, *sub;
	uint64_t key, v;
	memset(m, 0, sizeof(*m));
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		if (key == 0x0a) {
			if (m->records_count == 5 || !get_sub(&p, end, &sub) ||
			    !hand_parse_record(p, sub, &m->records[m->records_count++]))
				return 0;
			p = sub;
			continue;
		}
		if (!get_varint(&p, end, &v))
			return 0;
		if (key == 0x10)
			m->next_cursor = v;
		else if (key == 0x18)
			m->dropped = v;
		else if (key == 0x20)
			m->below_floor = v;
		else
			return 0;
	}
	return 1;
}

/* ResourceLimits and ResourceUsage: four uint32 fields 1..4. */
static uint8_t *put_quad(uint8_t *p, uint8_t key, uint32_t a, uint32_t b, uint32_t c,
			 uint32_t d)
{
	uint8_t *len_at = p + 1;
	*p = key;
	p = len_at + 1; /* at most 4 * 6 bytes: one length byte */
	p = put_uv(p, 0x08, a);
	p = put_uv(p, 0x10, b);
	p = put_uv(p, 0x18, c);
	p = put_uv(p, 0x20, d);
	*len_at = (uint8_t)(p - len_at - 1);
	return p;
}

static int get_quad(const uint8_t *p, const uint8_t *end, uint32_t *a, uint32_t *b,
		    uint32_t *c, uint32_t *d)
{
	uint64_t key, v;
	while (p != end) {
		if (!get_varint(&p, end, &key) || !get_varint(&p, end, &v) || v > UINT32_MAX)
			return 0;
		switch (key) {
		case 0x08: *a = (uint32_t)v; break;
		case 0x10: *b = (uint32_t)v; break;
		case 0x18: *c = (uint32_t)v; break;
		case 0x20: *d = (uint32_t)v; break;
		default: return 0;
		}
	}
	return 1;
}

static size_t hand_encode_status(uint8_t *p0, const capos_ProcessStatus *m)
{
	uint8_t *p = p0;
	p = put_str(p, 0x0a, m->name);
	p = put_uv(p, 0x10, m->pid);
	p = put_uv(p, 0x18, m->handle);
	p = put_uv(p, 0x20, (uint32_t)m->state);
	p = put_uv(p, 0x28, ((uint64_t)m->exit_code << 1) ^ (uint64_t)(m->exit_code >> 63));
	if (m->has_limits)
		p = put_quad(p, 0x32, m->limits.max_slots, m->limits.max_threads,
			     m->limits.max_pages, m->limits.max_endpoints);
	if (m->has_usage)
		p = put_quad(p, 0x3a, m->usage.slots, m->usage.threads, m->usage.pages,
			     m->usage.endpoints);
	p = put_uv(p, 0x40, m->priority);
	p = put_uv(p, 0x48, m->restarts);
	p = put_str(p, 0x52, m->binary);
	return (size_t)(p - p0);
}

static int hand_parse_status(const uint8_t *p, const uint8_t *end, capos_ProcessStatus *m)
{
	const uint8_t *sub;
	uint64_t key, v;
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		switch (key) {
		case 0x0a:
			if (!get_str(&p, end, m->name, sizeof(m->name)))
				return 0;
			continue;
		case 0x52:
			if (!get_str(&p, end, m->binary, sizeof(m->binary)))
				return 0;
			continue;
		case 0x32:
			if (!get_sub(&p, end, &sub) ||
			    !get_quad(p, sub, &m->limits.max_slots, &m->limits.max_threads,
				      &m->limits.max_pages, &m->limits.max_endpoints))
				return 0;
			m->has_limits = true;
			p = sub;
			continue;
		case 0x3a:
			if (!get_sub(&p, end, &sub) ||
			    !get_quad(p, sub, &m->usage.slots, &m->usage.threads, &m->usage.pages,
				      &m->usage.endpoints))
				return 0;
			m->has_usage = true;
			p = sub;
			continue;
		}
		if (!get_varint(&p, end, &v))
			return 0;
		switch (key) {
		case 0x10: m->pid = (uint32_t)v; break;
		case 0x18: m->handle = v; break;
		case 0x20: m->state = (capos_ProcessState)v; break;
		case 0x28: m->exit_code = (v & 1) ? (int64_t)~(v >> 1) : (int64_t)(v >> 1); break;
		case 0x40: m->priority = (uint32_t)v; break;
		case 0x48: m->restarts = (uint32_t)v; break;
		default: return 0;
		}
	}
	return 1;
}

static size_t hand_encode_plist(uint8_t *p0, const capos_ProcessList *m)
{
	uint8_t *p = p0;
	for (pb_size_t i = 0; i < m->processes_count; i++) {
		*p++ = 0x0a;
		p = end_sub(p, hand_encode_status(p + 2, &m->processes[i]));
	}
	p = put_uv(p, 0x10, m->next);
	return (size_t)(p - p0);
}

static int hand_decode_plist(const uint8_t *p, size_t len, capos_ProcessList *m)
{
	const uint8_t *end = p + len, *sub;
	uint64_t key;
	memset(m, 0, sizeof(*m));
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		if (key == 0x0a) {
			if (m->processes_count == 8 || !get_sub(&p, end, &sub) ||
			    !hand_parse_status(p, sub, &m->processes[m->processes_count++]))
				return 0;
			p = sub;
			continue;
		}
		if (key != 0x10 || !get_varint(&p, end, &m->next))
			return 0;
	}
	return 1;
}

static size_t hand_encode_capinfo(uint8_t *p0, const capos_CapInfo *m)
{
	uint8_t *p = p0;
	p = put_uv(p, 0x08, m->slot);
	p = put_uv(p, 0x10, (uint32_t)m->type);
	p = put_uv(p, 0x18, m->rights);
	p = put_uv(p, 0x20, m->badge);
	p = put_uv(p, 0x28, m->interface_id);
	p = put_str(p, 0x32, m->name);
	return (size_t)(p - p0);
}

static int hand_parse_capinfo(const uint8_t *p, const uint8_t *end, capos_CapInfo *m)
{
	uint64_t key, v;
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		if (key == 0x32) {
			if (!get_str(&p, end, m->name, sizeof(m->name)))
				return 0;
			continue;
		}
		if (!get_varint(&p, end, &v))
			return 0;
		switch (key) {
		case 0x08: m->slot = (uint32_t)v; break;
		case 0x10: m->type = (capos_CapType)v; break;
		case 0x18: m->rights = (uint32_t)v; break;
		case 0x20: m->badge = v; break;
		case 0x28: m->interface_id = v; break;
		default: return 0;
		}
	}
	return 1;
}

static size_t hand_encode_caplist(uint8_t *p0, const capos_CapList *m)
{
	uint8_t *p = p0;
	for (pb_size_t i = 0; i < m->entries_count; i++) {
		uint8_t *len_at = p + 1; /* an entry is under 128 bytes */
		*p = 0x0a;
		p = len_at + 1 + hand_encode_capinfo(len_at + 1, &m->entries[i]);
		*len_at = (uint8_t)(p - len_at - 1);
	}
	p = put_uv(p, 0x10, m->next);
	p = put_uv(p, 0x18, m->table_size);
	p = put_uv(p, 0x20, m->used);
	return (size_t)(p - p0);
}

static int hand_decode_caplist(const uint8_t *p, size_t len, capos_CapList *m)
{
	const uint8_t *end = p + len, *sub;
	uint64_t key, v;
	memset(m, 0, sizeof(*m));
	while (p != end) {
		if (!get_varint(&p, end, &key))
			return 0;
		if (key == 0x0a) {
			if (m->entries_count == 24 || !get_sub(&p, end, &sub) ||
			    !hand_parse_capinfo(p, sub, &m->entries[m->entries_count++]))
				return 0;
			p = sub;
			continue;
		}
		if (!get_varint(&p, end, &v) || v > UINT32_MAX)
			return 0;
		if (key == 0x10)
			m->next = (uint32_t)v;
		else if (key == 0x18)
			m->table_size = (uint32_t)v;
		else if (key == 0x20)
			m->used = (uint32_t)v;
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

/* The list replies' values: what the system sends (a page of log records,
 * a full page of `ps`, a debug session's cap-table snapshot). */
static void fill_lists(capos_LogReadResult *lr, capos_ProcessList *pl, capos_CapList *cl,
		       const capos_LogRecord *rec)
{
	static const char *const texts[] = {
		"logd: ready",
		"init: started console (pid 3), 2 caps, priority 90",
		"shell: user admin opened a session from the console",
		"broker: anonymous session 7 asked for log.read: granted",
		"bench: a log line of sixty characters, give or take a few...",
	};
	static const char *const names[] = { "init", "console", "logd", "audit", "clock",
					      "sysinfo", "crypto", "broker" };
	static const char *const caps[] = { "console", "log", "log.read", "audit", "clock",
					     "sysinfo", "spawner", "self", "keys", "broker",
					     "shutdown", "debug", "vault", "keysrc", "session",
					     "reply" };
	lr->records_count = 5;
	for (int i = 0; i < 5; i++) {
		lr->records[i] = *rec;
		strcpy(lr->records[i].text, texts[i]);
		lr->records[i].sequence = rec->sequence + (uint64_t)i;
		lr->records[i].timestamp.monotonic_ns += (uint64_t)i * 1000003u;
	}
	lr->next_cursor = rec->sequence + 5;
	lr->dropped = 3;
	pl->processes_count = 8;
	for (int i = 0; i < 8; i++) {
		capos_ProcessStatus *ps = &pl->processes[i];
		strcpy(ps->name, names[i]);
		snprintf(ps->binary, sizeof(ps->binary), "/boot/%s", names[i]);
		ps->pid = (uint32_t)i + 1;
		ps->handle = 0x100000000ull * (uint64_t)(i + 1) + (uint64_t)i;
		ps->state = capos_ProcessState_PROCESS_STATE_ALIVE;
		ps->has_limits = ps->has_usage = true;
		ps->limits = (capos_ResourceLimits){ 64, 4, 512, 16 };
		ps->usage = (capos_ResourceUsage){ 9 + (uint32_t)i, 1, 140 + 7 * (uint32_t)i, 2 };
		ps->priority = 90 - (uint32_t)i;
		ps->restarts = (uint32_t)(i & 1);
	}
	pl->next = 9;
	cl->entries_count = 16;
	for (int i = 0; i < 16; i++) {
		capos_CapInfo *c = &cl->entries[i];
		c->slot = (uint32_t)i;
		c->type = capos_CapType_CAP_TYPE_ENDPOINT;
		c->rights = 8 | 4;
		c->badge = i & 1 ? 0x8000000000000000ull | (uint64_t)i : 0;
		c->interface_id = 0x0200 + (uint64_t)i;
		strcpy(c->name, caps[i]);
	}
	cl->next = 16;
	cl->table_size = 64;
	cl->used = 16;
}

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
	static capos_LogReadResult logread;
	static capos_ProcessList plist;
	static capos_CapList caplist;
	fill_lists(&logread, &plist, &caplist, &rec);

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
		{ "capos.LogReadResult", capos_LogReadResult_fields, sizeof(logread), &logread,
		  capos_LogReadResult_wire_encode_buf, capos_LogReadResult_wire_decode_buf,
		  HAND(capos_LogReadResult, hand_encode_logread), HANDD(hand_decode_logread) },
		{ "capos.ProcessList", capos_ProcessList_fields, sizeof(plist), &plist,
		  capos_ProcessList_wire_encode_buf, capos_ProcessList_wire_decode_buf,
		  HAND(capos_ProcessList, hand_encode_plist), HANDD(hand_decode_plist) },
		{ "capos.CapList", capos_CapList_fields, sizeof(caplist), &caplist,
		  capos_CapList_wire_encode_buf, capos_CapList_wire_decode_buf,
		  HAND(capos_CapList, hand_encode_caplist), HANDD(hand_decode_caplist) },
	};
	enum { N = sizeof(msgs) / sizeof(msgs[0]) };
	uint64_t gens[N], hands[N], npbs[N];
	size_t lens[N];
	for (size_t i = 0; i < N; i++) {
		const struct msg *m = &msgs[i];
		uint64_t hand = cost(m, HOW_HAND), gen = cost(m, HOW_GENERATED),
			 npb = cost(m, HOW_NANOPB);
		size_t len = pair(m, HOW_HAND);
		gens[i] = gen;
		hands[i] = hand;
		npbs[i] = npb;
		lens[i] = len;
		printf("bench-codec: %s encode+decode, %zu bytes, generated stubs' codec: %lu TSC cycles (hand-written %lu, nanopb %lu)\n",
		       m->name, len, (unsigned long)gen, (unsigned long)hand, (unsigned long)npb);
		printf("bench-codec: %s generated/hand-written ratio %lu.%02lu\n", m->name,
		       (unsigned long)(gen / hand), (unsigned long)(gen * 100 / hand % 100));
		printf("bench-codec: %s nanopb/hand-written ratio %lu.%02lu\n", m->name,
		       (unsigned long)(npb / hand), (unsigned long)(npb * 100 / hand % 100));
	}
	/* One row per measured message (check lines: the figures are above). */
	size_t worst = 0;
	printf("bench-codec: (table: message, bytes, TSC cycles generated / hand-written / "
	       "nanopb, generated/hand-written, nanopb/hand-written)\n");
	for (size_t i = 0; i < N; i++) {
		if (gens[i] * hands[worst] > gens[worst] * hands[i])
			worst = i;
		printf("bench-codec: (%-22s %5zu B %6lu %6lu %7lu %3lu.%02lux %3lu.%02lux)\n",
		       msgs[i].name, lens[i], (unsigned long)gens[i], (unsigned long)hands[i],
		       (unsigned long)npbs[i], (unsigned long)(gens[i] / hands[i]),
		       (unsigned long)(gens[i] * 100 / hands[i] % 100),
		       (unsigned long)(npbs[i] / hands[i]),
		       (unsigned long)(npbs[i] * 100 / hands[i] % 100));
	}
	printf("bench-codec: (%zu messages measured, the highest generated/hand-written ratio "
	       "%lu.%02lux: %s)\n", (size_t)N, (unsigned long)(gens[worst] / hands[worst]),
	       (unsigned long)(gens[worst] * 100 / hands[worst] % 100), msgs[worst].name);
	return 0;
}
