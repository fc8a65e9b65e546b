/*
 * capos/wire.h - the protobuf wire primitives of the direct codecs that
 * codegen/rpcgen.py generates (docs/codegen.md, "Direct codecs").
 *
 * For a message whose fields are scalars, bounded strings/bytes, such
 * messages and bounded repeated fields of them, rpcgen emits straight-line
 * encode/decode functions instead of going through nanopb's descriptor
 * walk. They must behave as
 * nanopb 0.4.7 does, byte for byte and accept for accept (the wire format
 * stays nanopb's; tests/crosscheck runs both on random and mutated
 * input), so every rule below is nanopb's own, named where it is odd:
 *  - a varint read as 32 bits (tags, lengths, bools) takes up to 10
 *    bytes: bytes past bit 31 must be 0x80/0x00, or 0xFF (0x01 last) when
 *    bit 31 is set (a sign-extended negative); the byte at bit 28 may use
 *    its high bits only as such an extension (0x7_ pattern);
 *  - a 64-bit varint takes up to 10 bytes, the 10th being 0 or 1;
 *  - an unknown field is skipped by its wire type; a varint being skipped
 *    has no length limit; wire types 3, 4, 6, 7 are refused;
 *  - a known field with another wire type is refused;
 *  - a repeated scalar is written packed (nanopb packs whatever can be)
 *    and read packed or one element at a time, as protobuf requires; an
 *    element past the array's bound is refused ("array overflow").
 * All reads are bounds-checked; a failed read leaves the reader anywhere.
 */
#ifndef CAPOS_WIRE_H
#define CAPOS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Freestanding code has no <string.h> here (the generated files build
 * with nanopb's headers only): the compiler's own forms, which become
 * calls to the runtime's memcpy/memmove when they are not inlined. */
#define capos_wire_memcpy __builtin_memcpy
#define capos_wire_memmove __builtin_memmove
#define capos_wire_memset __builtin_memset

/* Elements a nanopb repeated field's array holds (its max_count). */
#define CAPOS_WIRE_COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct capos_wire_out {
	uint8_t *p;         /* next byte */
	uint8_t *end;       /* one past the last usable byte */
};

struct capos_wire_in {
	const uint8_t *p;
	const uint8_t *end;
};

static inline bool capos_wire_put_varint(struct capos_wire_out *w, uint64_t v)
{
	uint8_t *p = w->p;
	while (v >= 0x80) {
		if (p == w->end)
			return false;
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	if (p == w->end)
		return false;
	*p++ = (uint8_t)v;
	w->p = p;
	return true;
}

/* A key (field number << 3 | wire type) of one byte: fields 1..15. */
static inline bool capos_wire_put_byte(struct capos_wire_out *w, uint8_t b)
{
	if (w->p == w->end)
		return false;
	*w->p++ = b;
	return true;
}

static inline bool capos_wire_put_raw(struct capos_wire_out *w, const void *src, size_t n)
{
	if (n > (size_t)(w->end - w->p))
		return false;
	capos_wire_memcpy(w->p, src, n);
	w->p += n;
	return true;
}

/* A length-delimited field's length and bytes. */
static inline bool capos_wire_put_lenbytes(struct capos_wire_out *w, const void *src, size_t n)
{
	return capos_wire_put_varint(w, n) && capos_wire_put_raw(w, src, n);
}

/* A string field held in char[size]: nanopb refuses one with no NUL in
 * its array ("unterminated string"). The caller has skipped "". */
static inline bool capos_wire_put_string(struct capos_wire_out *w, const char *s, size_t size)
{
	/* The NUL, eight bytes at a time while whole words fit the array
	 * (a word has a zero byte iff (v - 0x01..) & ~v & 0x80.. is not 0). */
	size_t n = 0;
	while (n + 8 <= size) {
		uint64_t v;
		capos_wire_memcpy(&v, s + n, 8);
		if ((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull)
			break;
		n += 8;
	}
	while (n < size && s[n])
		n++;
	if (n == size)
		return false;
	return capos_wire_put_lenbytes(w, s, n);
}

static inline uint64_t capos_wire_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* A submessage: the length goes before the bytes, so the body is encoded
 * one byte further on and moved when its length takes more than one. */
static inline uint8_t *capos_wire_sub_begin(struct capos_wire_out *w)
{
	if (w->p == w->end)
		return NULL;
	return w->p++;
}

static inline bool capos_wire_sub_end(struct capos_wire_out *w, uint8_t *len_at)
{
	size_t n = (size_t)(w->p - (len_at + 1));
	if (n < 0x80) {
		*len_at = (uint8_t)n;
		return true;
	}
	uint8_t tmp[10];
	size_t k = 0;
	uint64_t v = n;
	while (v >= 0x80) {
		tmp[k++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	tmp[k++] = (uint8_t)v;
	if (k - 1 > (size_t)(w->end - w->p))
		return false;
	capos_wire_memmove(len_at + k, len_at + 1, n);
	capos_wire_memcpy(len_at, tmp, k);
	w->p += k - 1;
	return true;
}

/* nanopb's pb_decode_varint32. */
static inline bool capos_wire_get_varint32(struct capos_wire_in *r, uint32_t *out)
{
	const uint8_t *p = r->p;
	if (p == r->end)
		return false;
	uint8_t b = *p++;
	uint32_t v = b;
	if (b & 0x80) {
		unsigned bitpos = 7;
		v = b & 0x7f;
		do {
			if (p == r->end)
				return false;
			b = *p++;
			if (bitpos >= 32) {
				uint8_t sign = bitpos < 63 ? 0xff : 0x01;
				bool ext = (b & 0x7f) == 0 || ((v >> 31) != 0 && b == sign);
				if (bitpos >= 64 || !ext)
					return false;
			} else if (bitpos == 28) {
				if ((b & 0x70) != 0 && (b & 0x78) != 0x78)
					return false;
				v |= (uint32_t)(b & 0x0f) << bitpos;
			} else {
				v |= (uint32_t)(b & 0x7f) << bitpos;
			}
			bitpos += 7;
		} while (b & 0x80);
	}
	r->p = p;
	*out = v;
	return true;
}

/* nanopb's pb_decode_varint. */
static inline bool capos_wire_get_varint(struct capos_wire_in *r, uint64_t *out)
{
	const uint8_t *p = r->p;
	uint64_t v = 0;
	unsigned bitpos = 0;
	uint8_t b;
	do {
		if (p == r->end)
			return false;
		b = *p++;
		if (bitpos >= 63 && (b & 0xfe) != 0)
			return false;
		v |= (uint64_t)(b & 0x7f) << bitpos;
		bitpos += 7;
	} while (b & 0x80);
	r->p = p;
	*out = v;
	return true;
}

static inline int64_t capos_wire_unzigzag(uint64_t v)
{
	return (v & 1) ? (int64_t)~(v >> 1) : (int64_t)(v >> 1);
}

static inline bool capos_wire_get_raw(struct capos_wire_in *r, void *dst, size_t n)
{
	if (n > (size_t)(r->end - r->p))
		return false;
	capos_wire_memcpy(dst, r->p, n);
	r->p += n;
	return true;
}

/* A length prefix whose bytes are all there: *n of them follow. */
static inline bool capos_wire_get_len(struct capos_wire_in *r, uint32_t *n)
{
	return capos_wire_get_varint32(r, n) && *n <= (size_t)(r->end - r->p);
}

/* A string field into char[size] (nanopb: its length plus the NUL must
 * fit the array, else "string overflow"). */
static inline bool capos_wire_get_string(struct capos_wire_in *r, char *dst, size_t size)
{
	uint32_t n;
	if (!capos_wire_get_varint32(r, &n) || n == UINT32_MAX || (size_t)n + 1 > size ||
	    n > (size_t)(r->end - r->p))
		return false;
	capos_wire_memcpy(dst, r->p, n);
	dst[n] = '\0';
	r->p += n;
	return true;
}

/* A bytes field into a PB_BYTES_ARRAY_T of `whole` bytes whose data
 * starts `off` bytes in (nanopb bounds it by the struct's size, its tail
 * padding included). */
static inline bool capos_wire_get_bytes(struct capos_wire_in *r, void *arr, size_t off,
					size_t whole, void *size_field, size_t size_width)
{
	uint32_t n;
	if (!capos_wire_get_varint32(r, &n) || off + (size_t)n > whole ||
	    n > (size_t)(r->end - r->p))
		return false;
	if (size_width == 2) {
		if (n > UINT16_MAX)
			return false;
		uint16_t s = (uint16_t)n;
		capos_wire_memcpy(size_field, &s, 2);
	} else {
		capos_wire_memcpy(size_field, &n, 4);
	}
	capos_wire_memcpy((uint8_t *)arr + off, r->p, n);
	r->p += n;
	return true;
}

/* Reads the key and length of a length-delimited field `field` into *sub
 * (its bytes; the reader moves past them): how a bulk result (records
 * written one after another as a repeated field, docs/writing-a-server.md)
 * is walked. False at anything else. */
static inline bool capos_wire_get_field(struct capos_wire_in *r, uint32_t field,
					struct capos_wire_in *sub)
{
	uint32_t key, n;
	if (!capos_wire_get_varint32(r, &key) || key != ((field << 3) | 2u) ||
	    !capos_wire_get_len(r, &n))
		return false;
	sub->p = r->p;
	sub->end = r->p + n;
	r->p += n;
	return true;
}

/* Skips an unknown field (nanopb's pb_skip_field). */
static inline bool capos_wire_skip(struct capos_wire_in *r, uint32_t wire_type)
{
	uint32_t n;
	switch (wire_type) {
	case 0:
		do {
			if (r->p == r->end)
				return false;
		} while (*r->p++ & 0x80);
		return true;
	case 1:
		n = 8;
		break;
	case 2:
		if (!capos_wire_get_varint32(r, &n))
			return false;
		break;
	case 5:
		n = 4;
		break;
	default:
		return false;
	}
	if (n > (size_t)(r->end - r->p))
		return false;
	r->p += n;
	return true;
}

#endif
