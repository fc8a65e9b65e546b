/*
 * policy_check.c - init's re-check of the manifest's BrokerPolicy (rule
 * broker_policy), the same rules codegen/manifest.py applies
 * (check_broker_policy, argon2_verifier_problem, p256_key_problem), with
 * its generated constants (manifest_rules.h). Called from
 * manifest_check.c; built for the host too (tests/manifest check_init).
 *
 * A public key is checked on the curve with BearSSL's P-256 code
 * (Debian's archive, as the runtime links it): a multiplication by 1
 * decodes the point and refuses one that is not on P-256.
 */
#include <string.h>

#include <bearssl.h>
#include <pb_encode.h>

#include <capos/debug.h>

#include "manifest_check.h"

static int in_list(const char *s, const char *const *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int principal_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MANIFEST_PRINCIPAL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr(MANIFEST_PRINCIPAL_CHARS, s[i]))
			return 0;
	return 1;
}

/* An unsigned decimal at *p up to a non-digit; 0 if none or too big. */
static int number(const char **p, uint32_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10u + (uint64_t)(*s++ - '0');
		if (v > 0xffffffffu)
			return 0;
	}
	*out = (uint32_t)v;
	*p = s;
	return 1;
}

static int expect(const char **p, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* Bytes of unpadded base64 from *p to the next '$' or the end; -1 if it
 * is not base64. */
static long b64_len(const char **p)
{
	const char *s = *p;
	size_t n = 0;
	while (s[n] && s[n] != '$') {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return -1;
		n++;
	}
	*p = s + n;
	if (n == 0 || n % 4 == 1)
		return -1;
	return (long)(n * 3 / 4);
}

/* NULL for a well-formed Argon2id verifier, else why not. */
static const char *verifier_problem(const char *v)
{
	uint32_t m, t, lanes;
	const char *p = v;
	if (!expect(&p, "$argon2id$v=19$m=") || !number(&p, &m) || !expect(&p, ",t=") ||
	    !number(&p, &t) || !expect(&p, ",p=") || !number(&p, &lanes) || !expect(&p, "$"))
		return "not of the form $argon2id$v=19$m=M,t=T,p=1$SALT$HASH";
	long salt = b64_len(&p);
	if (*p != '$')
		return "not of the form $argon2id$v=19$m=M,t=T,p=1$SALT$HASH";
	p++;
	long hash = b64_len(&p);
	if (*p)
		return "not of the form $argon2id$v=19$m=M,t=T,p=1$SALT$HASH";
	if (lanes != 1)
		return "the broker runs one lane (p=1)";
	if (m < MANIFEST_ARGON2_M_MIN || m > MANIFEST_ARGON2_M_MAX)
		return "memory cost out of range";
	if (t < 1 || t > MANIFEST_ARGON2_T_MAX)
		return "time cost out of range";
	if (salt < 0 || hash < 0)
		return "salt or hash is not unpadded base64";
	if (salt < (long)MANIFEST_ARGON2_SALT_MIN)
		return "salt too short";
	if (hash < (long)MANIFEST_ARGON2_HASH_MIN)
		return "hash too short";
	return NULL;
}

/* NULL for an uncompressed SEC1 point on P-256, else why not. */
static const char *key_problem(const pb_byte_t *key, size_t n)
{
	if (n != MANIFEST_P256_KEY_LEN || key[0] != 0x04)
		return "is not 65 bytes of uncompressed SEC1";
	unsigned char g[MANIFEST_P256_KEY_LEN];
	static const unsigned char one[1] = { 1 };
	memcpy(g, key, sizeof(g));
	if (!br_ec_p256_m15.mul(g, sizeof(g), one, sizeof(one), BR_EC_secp256r1))
		return "is not a point on the P-256 curve";
	return NULL;
}

#define FAIL(...)                                                                     \
	do {                                                                           \
		capos_snprintf(why, n, __VA_ARGS__);                                   \
		return MANIFEST_RULE_BROKER_POLICY;                                    \
	} while (0)

static int grants_ok(const char (*g)[24], pb_size_t count, int anonymous, const char **bad)
{
	for (pb_size_t k = 0; k < count; k++) {
		*bad = g[k];
		if (!in_list(g[k], manifest_broker_grants, MANIFEST_N_BROKER_GRANTS))
			return 0;
		for (pb_size_t j = 0; j < k; j++)
			if (strcmp(g[j], g[k]) == 0)
				return 0;
		if (anonymous && !in_list(g[k], manifest_broker_anonymous_grants,
					  MANIFEST_N_BROKER_ANONYMOUS_GRANTS))
			return 0;
	}
	return 1;
}

int init_check_broker_policy(const capos_System *sys, char *why, size_t n)
{
	const capos_BrokerPolicy *bp = &sys->broker_policy;
	const char *bad;
	if (!sys->has_broker_policy)
		return 0;
	if (bp->anonymous_may_shutdown)
		FAIL("broker_policy: an anonymous session never shuts the system down");
	for (pb_size_t i = 0; i < bp->principals_count; i++) {
		const capos_Principal *pr = &bp->principals[i];
		if (!principal_name_ok(pr->name))
			FAIL("broker_policy: principal #%u has a malformed name", (unsigned)i + 1);
		for (pb_size_t j = 0; j < i; j++)
			if (strcmp(bp->principals[j].name, pr->name) == 0)
				FAIL("broker_policy: principal '%s' is defined twice", pr->name);
		if (!pr->verifier[0] == !pr->public_key.size)
			FAIL("broker_policy: principal '%s' needs exactly one of verifier and "
			     "public_key", pr->name);
		const char *w = pr->verifier[0] ? verifier_problem(pr->verifier)
						: key_problem(pr->public_key.bytes,
							      pr->public_key.size);
		if (w)
			FAIL("broker_policy: principal '%s' %s %s", pr->name,
			     pr->verifier[0] ? "verifier:" : "public_key", w);
		if (!grants_ok(pr->grants, pr->grants_count, 0, &bad))
			FAIL("broker_policy: principal '%s' grant '%s' is unknown or repeated",
			     pr->name, bad);
		int maint = 0;
		for (pb_size_t j = 0; j < bp->maintenance_principals_count; j++)
			maint |= strcmp(bp->maintenance_principals[j], pr->name) == 0;
		for (pb_size_t k = 0; !maint && k < pr->grants_count; k++)
			if (strcmp(pr->grants[k], MANIFEST_BROKER_MAINTENANCE_GRANT) == 0)
				FAIL("broker_policy: principal '%s' has the maintenance grant but "
				     "is not a maintenance principal", pr->name);
	}
	for (pb_size_t j = 0; bp->principals_count && j < bp->maintenance_principals_count; j++) {
		int found = 0;
		for (pb_size_t i = 0; i < bp->principals_count; i++)
			found |= strcmp(bp->principals[i].name, bp->maintenance_principals[j]) == 0;
		if (bp->maintenance_principals[j][0] && !found)
			FAIL("broker_policy: maintenance principal '%s' is not one of its principals",
			     bp->maintenance_principals[j]);
	}
	if (!grants_ok(bp->anonymous_grants, bp->anonymous_grants_count, 1, &bad))
		FAIL("broker_policy: anonymous grant '%s' is unknown, repeated or never "
		     "anonymous", bad);
	if (bp->backoff_ms && bp->backoff_max_ms && bp->backoff_max_ms < bp->backoff_ms)
		FAIL("broker_policy: backoff_max_ms is below backoff_ms");
	size_t size = 0;
	if (!pb_get_encoded_size(&size, capos_BrokerPolicy_fields, bp) ||
	    size > MANIFEST_BROKER_POLICY_MAX)
		FAIL("broker_policy: its encoding does not fit the broker's startup page");
	return 0;
}
