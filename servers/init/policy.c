/*
 * policy.c - the broker's policy, handed over in its startup page.
 *
 * The manifest's BrokerPolicy is the authority broker's whole
 * configuration (principals, verifiers, keys, grants, back-off): too much
 * for params of its own, and the validator checks it where it is. init
 * encodes it again (nanopb, the same bytes the manifest held) and gives
 * the component whose binary is `broker` the parameter
 * `policy` = base64 of those bytes. The validator bounds the encoded size
 * so that it fits the startup page (codegen/manifest.py, "broker_policy").
 */
#include <string.h>

#include <pb_encode.h>

#include "init.h"

#define POLICY_RAW_MAX 1152u
#define POLICY_B64_MAX (((POLICY_RAW_MAX + 2u) / 3u) * 4u + 1u)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *init_broker_policy_param(void)
{
	static uint8_t raw[POLICY_RAW_MAX];
	static char text[POLICY_B64_MAX];
	pb_ostream_t os = pb_ostream_from_buffer(raw, sizeof(raw));
	if (!pb_encode(&os, capos_BrokerPolicy_fields, &g_init.sys->broker_policy))
		return ""; /* too big: the broker then runs with no principals */
	size_t n = os.bytes_written, o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= raw[i + 2];
		text[o++] = b64[(v >> 18) & 63];
		text[o++] = b64[(v >> 12) & 63];
		text[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		text[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	text[o] = '\0';
	return text;
}
