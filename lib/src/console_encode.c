/*
 * console_encode.c - the one message the runtime encodes without nanopb:
 * ConsoleWrite{data} (idl/console.proto), so that capos_printf works in
 * every program, including those that link no generated code. One
 * length-delimited field: tag 0x0a, the length as a varint, the bytes.
 * tests/crosscheck decodes its output with both nanopb and protobuf-c.
 */
#include <capos/debug.h>

size_t capos_console_write_encode(uint8_t *out, size_t cap, const char *data, size_t len)
{
	size_t n = 0;
	uint8_t hdr[1 + 10];
	hdr[n++] = 0x0a; /* field 1, wire type 2 */
	uint64_t v = len;
	do {
		uint8_t b = (uint8_t)(v & 0x7f);
		v >>= 7;
		hdr[n++] = v ? (uint8_t)(b | 0x80) : b;
	} while (v);
	if (len == 0)
		return 0; /* proto3: an empty bytes field is not written */
	if (n + len > cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = hdr[i];
	for (size_t i = 0; i < len; i++)
		out[n + i] = (uint8_t)data[i];
	return n + len;
}
