/*
 * console_client - the console server's QEMU test client
 * (manifests/test-console.textproto, tests/qemu/console.expect). One binary,
 * two roles chosen by the manifest parameter `role`:
 *
 *  reader: through the generated Console stubs on its `console` cap: a
 *    polling Read with nothing typed (WOULD_BLOCK), a Read with a 200 ms
 *    timeout (TIMEOUT, and at least 200 ms by the kernel's clock), a
 *    malformed body (INVALID_ARGUMENT), then a ReadLine with echo and a raw
 *    Read loop, each answered from what the test types. Each result is
 *    printed as values the expectations check.
 *  writer: naps 300 ms (a timed Recv on its own `nap` endpoint, which
 *    nobody calls), then prints three ticks 100 ms apart. The reader is
 *    blocked in ReadLine by then and the test types nothing until the
 *    third tick, so the ticks reach the UART only if the console keeps
 *    serving Writes while a reader waits.
 *
 * Its own capos_printf goes through the console endpoint (lib/src/debug.c).
 */
#include <stdint.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/transport.h>

#include "console.capos.h"

#define NS_MS 1000000ull
#define INPUT_MAX ((uint32_t)sizeof(((capos_ConsoleInput *)0)->data.bytes))

int main(uint64_t arg);

static uint64_t now_ns(capos_cap_t kinfo)
{
	struct capos_kinfo_stats st;
	return capos_kinfo_stats(kinfo, &st) == CAPOS_OK ? st.now_ns : 0;
}

/* Prints the bytes, with any control byte as \xNN so the line stays one. */
static void print_bytes(const char *what, const uint8_t *p, uint32_t n, capos_status_t st)
{
	char text[4 * INPUT_MAX + 1];
	uint32_t o = 0;
	for (uint32_t i = 0; i < n && o + 5 < sizeof(text); i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f)
			text[o++] = (char)p[i];
		else
			o += (uint32_t)capos_snprintf(text + o, sizeof(text) - o, "\\x%02x", p[i]);
	}
	text[o] = 0;
	capos_printf("console_client: %s '%s' (%u bytes), status %ld\n", what, text, (unsigned)n,
		     (long)st);
}

static int reader(capos_cap_t con)
{
	capos_cap_t kinfo = capos_cap_lookup("kinfo");
	capos_ConsoleRead rd = capos_ConsoleRead_init_zero;
	capos_ConsoleInput in;

	/* Nothing typed yet: a poll does not wait. */
	rd.timeout_ms = 0xffffffffu;
	capos_status_t st = console_read(con, &rd, &in);
	capos_printf("console_client: poll -> status %ld\n", (long)st);

	/* A finite wait ends with TIMEOUT, not before its time. */
	uint64_t t0 = now_ns(kinfo);
	rd.timeout_ms = 200;
	st = console_read(con, &rd, &in);
	uint64_t waited = (now_ns(kinfo) - t0) / NS_MS;
	capos_printf("console_client: timed read -> status %ld, %s 200 ms\n", (long)st,
		     waited >= 200 ? "at least" : "less than");

	/* A body that does not decode: the console answers and keeps serving. */
	static const uint8_t bad[] = { 0x0a, 0x64, 'x' }; /* data: 100 bytes claimed, 1 there */
	uint64_t rl = 0;
	uint32_t rn = 0;
	memcpy(capos_transport_buffer(), bad, sizeof(bad));
	st = capos_transport_call(con, CAPOS_RPC_LABEL(CONSOLE_INTERFACE_ID, CONSOLE_WRITE_METHOD_ID),
				  sizeof(bad), NULL, &rl, &rn, NULL);
	capos_printf("console_client: malformed write -> transport %ld, status %lu\n", (long)st,
		     (unsigned long)rl);

	/* A line, typed by the test after the writer's third tick. */
	capos_printf("console_client: waiting for a line\n");
	capos_ConsoleReadLine rl_req = { .max = 0, .echo = true, .timeout_ms = 0 };
	st = console_read_line(con, &rl_req, &in);
	print_bytes("line", in.data.bytes, in.data.size, st);

	/* Raw bytes, at least one per answer, until the CR the test sends. */
	capos_printf("console_client: waiting for raw bytes\n");
	uint8_t raw[64];
	uint32_t n = 0;
	int answers = 0;
	rd.max = 0;
	rd.timeout_ms = 0;
	while (n == 0 || raw[n - 1] != '\r') {
		st = console_read(con, &rd, &in);
		if (st != CAPOS_OK || in.data.size == 0)
			break;
		answers++;
		for (uint32_t i = 0; i < in.data.size && n < sizeof(raw); i++)
			raw[n++] = in.data.bytes[i];
	}
	print_bytes("raw", raw, n, st);
	capos_printf("console_client: reader done (%s)\n", answers > 0 ? "answered" : "none");
	return 0;
}

static int writer(void)
{
	capos_cap_t nap = capos_cap_lookup("nap");
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		capos_service_ready(ready, 1);
	if (nap == CAPOS_NO_CAP)
		return 1;
	(void)capos_recv_timeout(nap, 300 * NS_MS);
	for (int i = 1; i <= 3; i++) {
		capos_printf("console_client: writer tick %d\n", i);
		if (i < 3)
			(void)capos_recv_timeout(nap, 100 * NS_MS);
	}
	return 0;
}

int main(uint64_t arg)
{
	(void)arg;
	const char *role = capos_param("role");
	if (role && strcmp(role, "writer") == 0)
		return writer();
	capos_cap_t con = capos_cap_lookup("console");
	if (con == CAPOS_NO_CAP)
		return 1;
	return reader(con);
}
