/*
 * broker_login.c - the SIGNATURE login's message (broker_login.h).
 */
#include <string.h>

#include "broker_login.h"

size_t broker_login_message(const char *principal, const uint8_t *nonce, uint8_t *out,
			    size_t cap)
{
	static const char tag[] = "capOS login v1";
	size_t pl = strlen(principal), n = sizeof(tag) + pl + 1 + BROKER_NONCE_LEN;
	if (n > cap)
		return 0;
	memcpy(out, tag, sizeof(tag));
	memcpy(out + sizeof(tag), principal, pl + 1);
	memcpy(out + sizeof(tag) + pl + 1, nonce, BROKER_NONCE_LEN);
	return n;
}
