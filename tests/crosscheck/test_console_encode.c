/*
 * test_console_encode - the runtime's one hand-built message
 * (lib/src/console_encode.c, what capos_printf sends to the console) must
 * be exactly ConsoleWrite{data} to both real decoders: nanopb (what the
 * console server runs) and protobuf-c. Lengths cross the varint's one- and
 * two-byte forms; bytes cover all 256 values; a body that would not fit is
 * refused rather than truncated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include <capos/debug.h>

#include "console.pb-c.h"
#include "console.pb.h"
#include "test_check.h"

static void one(size_t len)
{
	static char data[CAPOS_DEBUG_CONSOLE_CHUNK];
	static uint8_t body[CAPOS_MSG_BODY_MAX], ref[CAPOS_MSG_BODY_MAX];
	for (size_t i = 0; i < len; i++)
		data[i] = (char)((i * 37u + len) & 0xff);
	size_t n = capos_console_write_encode(body, sizeof(body), data, len);

	/* nanopb's own encoding of the same message: identical bytes */
	capos_ConsoleWrite m;
	memset(&m, 0, sizeof(m));
	m.data.size = (pb_size_t)len;
	memcpy(m.data.bytes, data, len);
	pb_ostream_t os = pb_ostream_from_buffer(ref, sizeof(ref));
	CHECK(pb_encode(&os, capos_ConsoleWrite_fields, &m), "nanopb encode %zu", len);
	CHECK(n == os.bytes_written && !memcmp(body, ref, n), "len %zu: %zu bytes vs nanopb %zu",
	      len, n, os.bytes_written);

	/* nanopb decodes it back */
	capos_ConsoleWrite d;
	memset(&d, 0, sizeof(d));
	pb_istream_t is = pb_istream_from_buffer(body, n);
	CHECK(pb_decode(&is, capos_ConsoleWrite_fields, &d), "nanopb decode %zu", len);
	CHECK(d.data.size == len && !memcmp(d.data.bytes, data, len), "nanopb data %zu", len);

	/* protobuf-c decodes it back */
	Capos__ConsoleWrite *p = capos__console_write__unpack(NULL, n, body);
	CHECK(p != NULL, "protobuf-c unpack %zu", len);
	if (p) {
		CHECK(p->data.len == len && (len == 0 || !memcmp(p->data.data, data, len)),
		      "protobuf-c data %zu", len);
		capos__console_write__free_unpacked(p, NULL);
	}
}

int main(void)
{
	static const size_t lens[] = { 0, 1, 2, 126, 127, 128, 129, 255, 256, 1000,
				       CAPOS_DEBUG_CONSOLE_CHUNK };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		one(lens[i]);
	/* does not fit: refused, nothing half-written counts */
	uint8_t small[8];
	CHECK(capos_console_write_encode(small, sizeof(small), "0123456789", 10) == 0,
	      "overlong body accepted");
	CHECK(capos_console_write_encode(small, sizeof(small), "012345", 6) == 8, "exact fit");
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	return 0;
}
