/*
 * dispatch_fuzz.c - the libFuzzer driver shared by every server fuzzer
 * (dispatch_fuzz.h has the input format and what is checked).
 *
 * Seeds: run with CAPOS_FUZZ_SEEDS=<dir> in the environment, the fuzzer
 * writes one seed file per fuzz_seed (the request encoded by the generated
 * encoder, framed as a record) and one with all of them in a row, then
 * exits; the build does that (tests/fuzz/CMakeLists.txt), so the seeds
 * follow the IDL and nothing generated is committed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include <capos/status_names.h>
#include <capos/transport.h>

#include "dispatch_fuzz.h"

#define REC_HEADER 12u /* endpoint, caps, label (8), length (2) */
#define MAX_RECORDS 16u

int fuzz_expect(int cond, const char *what)
{
	if (cond)
		return 0;
	fprintf(stderr, "fuzz %s: %s\n", fuzz_server.name, what);
	return 1;
}

static void breach(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz %s: ", fuzz_server.name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort(); /* libFuzzer saves the input as a crash */
}

static const struct capos_rpc_method *method_of(uint64_t label)
{
	for (size_t i = 0; i < FUZZ_MAX_METHODS && fuzz_server.methods[i]; i++) {
		const struct capos_rpc_method *m = fuzz_server.methods[i];
		if (CAPOS_RPC_LABEL(m->interface_id, m->method_id) == label)
			return m;
	}
	return NULL;
}

/* Does any endpoint's service answer this interface? */
static int interface_served(uint32_t iface)
{
	for (size_t i = 0; i < FUZZ_MAX_METHODS && fuzz_server.methods[i]; i++)
		if (fuzz_server.methods[i]->interface_id == iface)
			return 1;
	return 0;
}

/* One call: the record's caps are fresh objects of the caller's table. */
static void one_call(uint8_t ep_byte, uint8_t caps_byte, uint64_t label, const uint8_t *body,
		     uint32_t len)
{
	capos_cap_t ep = fuzz_server.endpoints[ep_byte % fuzz_server.nendpoints];
	uint32_t used_before = capos_loopback_caps_used();
	struct capos_cap_list send = { .count = (caps_byte & 7u) % (CAPOS_MSG_MAX_CAPS + 1u),
				       .move = (uint32_t)(caps_byte >> 4) };
	for (uint32_t i = 0; i < send.count; i++) {
		send.cap[i] = capos_loopback_new_object(0xf00du + i);
		if (send.cap[i] == CAPOS_NO_CAP)
			breach("the caller's table is full: caps leaked earlier");
	}
	send.move &= (1u << send.count) - 1u;

	if (len > CAPOS_TRANSPORT_BUFFER_SIZE)
		len = CAPOS_TRANSPORT_BUFFER_SIZE;
	memcpy(capos_transport_buffer(), body, len);
	if (fuzz_server.before_call)
		fuzz_server.before_call();
	uint64_t reply_label = ~0ull;
	uint32_t reply_len = 0;
	struct capos_cap_list got;
	capos_status_t tst = capos_transport_call(ep, label, len, &send, &reply_label, &reply_len,
						  &got);
	if (tst != CAPOS_OK)
		breach("the transport refused a call: %d", (int)tst);
	capos_status_t st = (capos_status_t)reply_label;
	if (reply_label > 0xffffffffull ||
	    !(capos_status_known(st) || (st == CAPOS_RPC_DEFERRED && fuzz_server.may_defer)))
		breach("label %#llx answered %#llx, not a status", (unsigned long long)label,
		       (unsigned long long)reply_label);
	if (st == CAPOS_PROTOCOL_ERROR)
		breach("label %#llx answered PROTOCOL_ERROR: the server broke its interface",
		       (unsigned long long)label);
	if (!interface_served(CAPOS_RPC_INTERFACE(label)) && st != CAPOS_UNSUPPORTED)
		breach("label %#llx of another interface answered %d", (unsigned long long)label,
		       (int)st);
	if (!method_of(label) && st != CAPOS_UNSUPPORTED)
		breach("label %#llx, no method of the server, answered %d",
		       (unsigned long long)label, (int)st);
	if (st == CAPOS_OK) {
		const struct capos_rpc_method *m = method_of(label);
		if (!m)
			breach("label %#llx is no method but answered OK", (unsigned long long)label);
		if (got.count > m->reply_caps || (m->reply_caps && got.count == 0))
			breach("label %#llx answered OK with %u caps", (unsigned long long)label,
			       got.count);
		if (reply_len > CAPOS_TRANSPORT_BUFFER_SIZE)
			breach("reply of %u bytes", reply_len);
		/* The server's answer must be a valid response message. */
		static uint8_t resp[1u << 20]; /* above any response struct */
		pb_istream_t is = pb_istream_from_buffer(capos_transport_buffer(), reply_len);
		if (!pb_decode(&is, m->response_fields, resp))
			breach("label %#llx: the OK answer does not decode", (unsigned long long)label);
		pb_release(m->response_fields, resp);
	} else if (got.count) {
		breach("status %d arrived with %u caps", (int)st, got.count);
	}

	/* The caller drops what it holds from this call: the copies it sent
	 * and what came back. Moved caps are the server's business. */
	for (uint32_t i = 0; i < send.count; i++)
		if (!((send.move >> i) & 1u)) {
			struct capos_cap_list one = { .count = 1, .cap = { send.cap[i] } };
			capos_transport_drop(&one);
		}
	capos_transport_drop(&got);
	if (!fuzz_server.keeps_caps && capos_loopback_caps_used() != used_before)
		breach("caps leaked: the table held %u, now %u", used_before,
		       capos_loopback_caps_used());
}

static void setup_server(void)
{
	capos_loopback_reset();
	fuzz_server.setup();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup_server();
	if (fuzz_server.check())
		breach("the known-good request fails before any input");
	for (uint32_t r = 0; r < MAX_RECORDS && size >= REC_HEADER; r++) {
		uint8_t ep = data[0], caps = data[1];
		uint64_t label = 0;
		for (int i = 7; i >= 0; i--)
			label = label << 8 | data[2 + i];
		size_t len = (size_t)data[10] | (size_t)data[11] << 8;
		data += REC_HEADER;
		size -= REC_HEADER;
		if (len > size)
			len = size;
		if (ep >= FUZZ_FEED) {
			if (fuzz_server.feed)
				fuzz_server.feed(data, len);
		} else {
			one_call(ep, caps, label, data, (uint32_t)len);
		}
		data += len;
		size -= len;
		if (fuzz_server.check())
			breach("the server stopped serving after record %u", r);
	}
	return 0;
}

/* One record for a seed: header + the encoded request. */
static size_t seed_record(const struct fuzz_seed *s, uint8_t *out, size_t cap)
{
	if (cap < REC_HEADER)
		return 0;
	pb_ostream_t os = pb_ostream_from_buffer(out + REC_HEADER, cap - REC_HEADER);
	uint64_t label = 0;
	out[0] = s->endpoint;
	if (!s->method) {
		if (s->feed_len > cap - REC_HEADER)
			breach("a feed seed too long");
		memcpy(out + REC_HEADER, s->request, s->feed_len);
		os.bytes_written = s->feed_len;
		out[0] = FUZZ_FEED;
	} else if (!pb_encode(&os, s->method->request_fields, s->request)) {
		breach("a seed request does not encode");
	} else {
		label = CAPOS_RPC_LABEL(s->method->interface_id, s->method->method_id);
	}
	out[1] = s->caps;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(label >> (8 * i));
	out[10] = (uint8_t)os.bytes_written;
	out[11] = (uint8_t)(os.bytes_written >> 8);
	return REC_HEADER + os.bytes_written;
}

/* Every seed must pass as it is: real requests, real answers. */
static void write_file(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	LLVMFuzzerTestOneInput(b, n);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void write_seeds(const char *dir)
{
	static uint8_t all[MAX_RECORDS * (REC_HEADER + CAPOS_MSG_BODY_MAX)];
	size_t all_len = 0;
	for (size_t i = 0; i < fuzz_server.nseeds; i++) {
		uint8_t one[REC_HEADER + CAPOS_MSG_BODY_MAX];
		size_t n = seed_record(&fuzz_server.seeds[i], one, sizeof(one));
		char name[64];
		snprintf(name, sizeof(name), "seed_%02zu", i);
		write_file(dir, name, one, n);
		if (i < MAX_RECORDS) {
			memcpy(all + all_len, one, n);
			all_len += n;
		}
	}
	write_file(dir, "seed_all", all, all_len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("CAPOS_FUZZ_SEEDS");
	if (dir && *dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}
