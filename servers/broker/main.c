/*
 * broker - the authority broker (idl/broker.proto) on the target, over the
 * logic in broker_service.c. docs/servers/broker.md has the policy, the
 * caps and what is audited.
 *
 * Startup page:
 *   broker   the served endpoint (RECV): AuthorityBroker for manifest
 *            clients, Session and the grants for the caps it mints;
 *   mint     a SEND cap to its own endpoint, unbadged (the manifest grants
 *            the broker `broker.broker`): every session and grant cap is
 *            minted from it with its badge;
 *   capmgr   its own table: READ (its size: minted caps wait in the last
 *            slot; without READ, slot 40), WRITE (minting, dropping caps
 *            callers send along);
 *   self     its own process: the heap Argon2id's memory comes from;
 *   kinfo    KernelInfo: monotonic time (nonce expiry, back-off);
 *   audit    AuditLog: every decision; log: the same as log lines;
 *   keys     KeyVault (optional): imports each SIGNATURE principal's public
 *            key at start and verifies through the PublicKey caps it gets;
 *   shutdown, logs, procs, debug   (each optional) what the grants
 *            "shutdown", "log-reader", "process-control" and "maintenance"
 *            forward to; a grant whose cap is absent answers UNSUPPORTED;
 *   params   policy: base64 of the manifest's BrokerPolicy (init sets it).
 */
#include <stdint.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "broker_service.h"

int main(uint64_t arg);

/* Where a minted cap waits for the reply that moves it out: the table's
 * last slot (the kernel hands out the lowest free ones). */
static uint32_t mint_slot = 40u;

static struct broker_state state;
static capos_BrokerPolicy policy;
static capos_cap_t kinfo = CAPOS_NO_CAP, mint_src = CAPOS_NO_CAP, capmgr = CAPOS_NO_CAP;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* RDRAND (q35 with -cpu max has it); 0 when it keeps failing. */
static int rdrand(uint64_t *v)
{
	for (int i = 0; i < 16; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return 1;
	}
	return 0;
}

static uint64_t now_ms(void *ctx)
{
	(void)ctx;
	struct capos_kinfo_stats ks;
	if (kinfo != CAPOS_NO_CAP && capos_kinfo_stats(kinfo, &ks) == CAPOS_OK)
		return ks.now_ns / 1000000ull;
	return 0;
}

/* Nonces from RDRAND; without it (an old CPU) the TSC mixed by a 64-bit
 * finalizer: unpredictable enough to be single-use, not a secret. */
static void random_bytes(void *ctx, uint8_t *out, size_t n)
{
	(void)ctx;
	static uint64_t mix = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v;
		if (!rdrand(&v)) {
			mix += rdtsc() + 0x9e3779b97f4a7c15ull;
			v = mix;
			v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
			v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
			v ^= v >> 31;
		}
		for (size_t k = 0; k < 8 && i + k < n; k++)
			out[i + k] = (uint8_t)(v >> (8 * k));
	}
}

static capos_cap_t mint(void *ctx, uint64_t badge)
{
	(void)ctx;
	/* A slot left over from a reply that never took it: clear it first. */
	capos_cap_delete(capmgr, mint_slot);
	if (capos_cap_mint(capmgr, mint_src, mint_slot, CAPOS_RIGHT_SEND, 1, badge) != CAPOS_OK)
		return CAPOS_NO_CAP;
	return mint_slot;
}

static void log_line(void *ctx, int level, const char *line)
{
	(void)ctx;
	capos_log((capos_LogLevel)level, "%s", line);
}

int main(uint64_t arg)
{
	capos_cap_t ep = capos_service_endpoint(arg, "broker");
	if (ep == CAPOS_NO_CAP)
		return 0;
	kinfo = capos_cap_lookup("kinfo");
	mint_src = capos_cap_lookup("mint");
	capmgr = capos_cap_lookup("capmgr");
	static struct capos_capmgr_list_result table;
	if (capmgr != CAPOS_NO_CAP && capos_cap_list(capmgr, 0, 0, &table) == CAPOS_OK &&
	    table.table_size > 0)
		mint_slot = table.table_size - 1u;
	const char *text = capos_param("policy");
	if (!broker_policy_decode(text ? text : "", &policy)) {
		/* Fail closed: no principals, anonymous sessions only. */
		capos_log(capos_LogLevel_LOG_LEVEL_ERROR,
			  "the policy parameter does not decode: anonymous sessions only");
		policy = (capos_BrokerPolicy)capos_BrokerPolicy_init_zero;
	}
	struct broker_env env = {
		.now_ms = now_ms,
		.random = random_bytes,
		.mint = mint,
		.log = log_line,
		.audit = capos_cap_lookup("audit"),
		.grant_cap = {
			[BROKER_GRANT_SHUTDOWN] = capos_cap_lookup("shutdown"),
			[BROKER_GRANT_MAINTENANCE] = capos_cap_lookup("debug"),
			[BROKER_GRANT_LOG_READER] = capos_cap_lookup("logs"),
			[BROKER_GRANT_PROCESS_CONTROL] = capos_cap_lookup("procs"),
		},
	};
	/* A new epoch per instance: caps an earlier broker minted go stale. */
	uint64_t epoch;
	if (!rdrand(&epoch))
		epoch = rdtsc();
	epoch ^= epoch >> 24;
	broker_init(&state, &policy, &env, (uint32_t)epoch);
	broker_import_keys(&state, capos_cap_lookup("keys"));
	capos_log(capos_LogLevel_LOG_LEVEL_INFO, "broker ready: %u principals, mint %s",
		  (unsigned)policy.principals_count, mint_src != CAPOS_NO_CAP ? "yes" : "NO");

	static struct capos_server srv;
	capos_server_init(&srv, capmgr, &state);
	capos_server_add(&srv, ep, broker_endpoint_service(&state));
	return capos_service_main(&srv);
}
