/*
 * crosscheck.h - shared by crosscheck.c (the driver) and the file
 * gen_crosscheck.py generates (per-message fillers, comparisons and the
 * xc_messages[] table).
 */
#ifndef CAPOS_CROSSCHECK_H
#define CAPOS_CROSSCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pb.h>
#include <protobuf-c/protobuf-c.h>

#define XC_MAX_DEPTH 4   /* submessages below this depth stay unset */
#define XC_PATH_MAX 256

/* A repeated field at a message's top level (the structured mutations of
 * the direct-codec check use them). */
struct xc_rep {
	uint32_t number;     /* field number; 0 ends a list */
	uint8_t wire_type;   /* of one element: 0, 1 or 5 (packable), or 2 */
	size_t max;          /* the nanopb array's bound (max_count) */
};

/* One message: its nanopb codec and struct, its protobuf-c calls. */
struct xc_msg {
	const char *name;              /* capos.LogRecord */
	const pb_msgdesc_t *fields;    /* nanopb */
	size_t struct_size;            /* sizeof the nanopb struct */
	size_t max_encoded;            /* nanopb's <T>_size */
	void (*fill)(void *m);
	/* nanopb struct vs protobuf-c message; returns the mismatches */
	int (*cmp)(const void *a, const ProtobufCMessage *b, const char *path);
	ProtobufCMessage *(*unpack)(size_t len, const uint8_t *data);
	size_t (*packed_size)(const ProtobufCMessage *p);
	size_t (*pack)(const ProtobufCMessage *p, uint8_t *out);
	void (*free_unpacked)(ProtobufCMessage *p);
	/* rpcgen's direct codecs (capos/wire.h), NULL when the message has
	 * none: they must give nanopb's bytes and accept what it accepts. */
	bool (*direct_encode)(uint8_t *buf, uint32_t cap, const void *msg, uint32_t *len);
	bool (*direct_decode)(const uint8_t *buf, uint32_t len, void *msg);
	const struct xc_rep *repeated; /* its repeated fields, ended by number 0 */
};

extern const struct xc_msg xc_messages[];
extern const size_t xc_message_count;
/* .proto files in idl/ that capos_idl does not build (so not checked) */
extern const char *const xc_missing[];
extern const size_t xc_missing_count;

/* Random values (crosscheck.c): biased towards 0, boundaries and extremes. */
uint32_t xc_u32(void);
uint64_t xc_u64(void);
int32_t xc_i32(void);
int64_t xc_i64(void);
bool xc_bool(void);
float xc_float(void);
double xc_double(void);
size_t xc_count(size_t max);                 /* 0..max */
void xc_fill_str(char *s, size_t cap);       /* 0..cap-1 chars, NUL */
void xc_fill_bytes(pb_byte_t *b, pb_size_t *size, size_t cap);
int32_t xc_pick(const int32_t *values, size_t n);
#define XC_PICK(arr) xc_pick((arr), sizeof(arr) / sizeof((arr)[0]))

/* Comparisons: 0 if equal, else 1 and a line on stderr (unless quiet).
 * idx < 0: not a repeated element. */
void xc_path(char *out, size_t cap, const char *path, const char *field, long idx);
int xc_cmp_u64(const char *path, const char *field, long idx, uint64_t a, uint64_t b);
int xc_cmp_i64(const char *path, const char *field, long idx, int64_t a, int64_t b);
int xc_cmp_float(const char *path, const char *field, long idx, float a, float b);
int xc_cmp_double(const char *path, const char *field, long idx, double a, double b);
int xc_cmp_str(const char *path, const char *field, long idx, const char *a,
	       const char *b);
int xc_cmp_bytes(const char *path, const char *field, long idx, const uint8_t *a,
		 size_t alen, const uint8_t *b, size_t blen);
int xc_cmp_count(const char *path, const char *field, size_t a, size_t b);
int xc_cmp_presence(const char *path, const char *field, bool a, bool b);

#endif
