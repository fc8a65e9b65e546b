/*
 * status_names.c - the one table of status names (capos/status_names.h).
 * Indexed by enum capos_status with designated initializers, so an entry
 * cannot drift onto the wrong value; tests/runtime/test_status_names.c
 * checks it holds every enumerator of abi.h and nothing else.
 */
#include <stddef.h>
#include <stdint.h>

#include <capos/status_names.h>

static const char *const names[] = {
	[CAPOS_OK] = "OK",
	[CAPOS_INVALID_CAP] = "INVALID_CAP",
	[CAPOS_WRONG_TYPE] = "WRONG_TYPE",
	[CAPOS_DENIED] = "DENIED",
	[CAPOS_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
	[CAPOS_NO_MEMORY] = "NO_MEMORY",
	[CAPOS_LIMIT_EXCEEDED] = "LIMIT_EXCEEDED",
	[CAPOS_DISCONNECTED] = "DISCONNECTED",
	[CAPOS_TIMEOUT] = "TIMEOUT",
	[CAPOS_WOULD_BLOCK] = "WOULD_BLOCK",
	[CAPOS_UNSUPPORTED] = "UNSUPPORTED",
	[CAPOS_RETARGETED] = "RETARGETED",
	[CAPOS_SLOT_OCCUPIED] = "SLOT_OCCUPIED",
	[CAPOS_NOT_FOUND] = "NOT_FOUND",
	[CAPOS_PROTOCOL_ERROR] = "PROTOCOL_ERROR",
};

int capos_status_known(capos_status_t st)
{
	return st >= 0 && (uint64_t)st < sizeof(names) / sizeof(names[0]) && names[st] != NULL;
}

const char *capos_status_name_r(capos_status_t st, char buf[CAPOS_STATUS_NAME_MAX])
{
	if (capos_status_known(st))
		return names[st];
	/* "STATUS_" and the decimal value, by hand: no printf in the way
	 * (this runs in the smallest programs and on the host alike). */
	static const char prefix[] = "STATUS_";
	char digits[20];
	uint64_t v = st < 0 ? 0 - (uint64_t)st : (uint64_t)st;
	size_t n = 0, k = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; prefix[i]; i++)
		buf[k++] = prefix[i];
	if (st < 0)
		buf[k++] = '-';
	while (n)
		buf[k++] = digits[--n];
	buf[k] = '\0';
	return buf;
}

const char *capos_status_name(capos_status_t st)
{
	static char other[CAPOS_STATUS_NAME_MAX];
	return capos_status_name_r(st, other);
}
