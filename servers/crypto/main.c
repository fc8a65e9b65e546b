/*
 * crypto - the crypto key service (idl/crypto.proto) on the target, over
 * the logic in crypto_service.c. docs/servers/crypto.md has the
 * interfaces, custody, entropy and what is development-only.
 *
 * Startup page:
 *   vault    the served endpoint (RECV): KeyVault, KeySource and every key
 *            cap the vault mints (badged per key);
 *   view     a second served endpoint (RECV), optional: KeyVault.List only
 *            (the shell's read-only view);
 *   keys     a SEND cap to its own `vault` endpoint, unbadged: what key
 *            caps are minted from;
 *   capmgr   its own table (WRITE): minting key caps, dropping caps;
 *   thread, wake  its first thread and a notification, to serve `view`
 *            beside `vault` (NOTIFY_ARRIVAL);
 *   audit    AuditLog (optional): key events and KeySource verdicts;
 *   log      LogSink: the entropy source at start, and the same verdicts;
 *   params   development (true/false, default false), bootstrap (the
 *            labels the bootstrap policy admits, comma-separated),
 *            max_keys (1..32, default 16), badge.N (client names).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <capos/client_names.h>
#include <capos/kernel.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/status_names.h>

#include "audit.capos.h"
#include "crypto_service.h"
#include "rdrand.h"

int main(uint64_t arg);

static struct crypto_state state;
static struct capos_client_names clients;
static capos_cap_t capmgr = CAPOS_NO_CAP, mint_src = CAPOS_NO_CAP, auditlog = CAPOS_NO_CAP;
static uint32_t mint_slot = CAPOS_NO_CAP;
static char policy_buf[128];

/* Key caps are minted into one fixed slot at the top of the table; the
 * reply moves the cap out. A cap still there (its caller died before the
 * reply) is deleted first, as init does for its replies. */
static capos_cap_t mint(void *arg, uint64_t badge)
{
	(void)arg;
	if (mint_slot == CAPOS_NO_CAP || mint_src == CAPOS_NO_CAP)
		return CAPOS_NO_CAP;
	capos_cap_delete(capmgr, mint_slot);
	if (capos_cap_mint(capmgr, mint_src, mint_slot, CAPOS_RIGHT_SEND, 1, badge) != CAPOS_OK)
		return CAPOS_NO_CAP;
	return mint_slot;
}

static void audit(void *arg, uint64_t client, const char *action, capos_status_t outcome,
		  const char *detail)
{
	(void)arg;
	char who[CAPOS_CLIENT_NAME_MAX];
	capos_client_name_of(clients.entries, clients.count, client, who, sizeof(who));
	capos_log(outcome == CAPOS_OK ? capos_LogLevel_LOG_LEVEL_INFO : capos_LogLevel_LOG_LEVEL_WARNING,
		  "%s: %s (%s) for %s", action, detail, capos_status_name(outcome), who);
	if (auditlog == CAPOS_NO_CAP)
		return;
	capos_AuditRecord rec = capos_AuditRecord_init_zero;
	capos_AuditAppendResult res;
	rec.kind = capos_AuditKind_AUDIT_KIND_KEY;
	snprintf(rec.action, sizeof(rec.action), "%s", action);
	rec.outcome = (capos_Status)outcome;
	snprintf(rec.detail, sizeof(rec.detail), "key %s for %s", detail, who);
	auditlog_append(auditlog, &rec, &res);
}

static const char *param(void *arg, const char *key)
{
	(void)arg;
	return capos_param(key);
}

/* The bootstrap policy: comma-separated labels into cfg->policy. */
static void load_policy(struct crypto_config *cfg)
{
	const char *p = capos_param("bootstrap");
	if (!p)
		return;
	snprintf(policy_buf, sizeof(policy_buf), "%s", p);
	char *s = policy_buf;
	while (*s && cfg->npolicy < CRYPTO_POLICY_MAX) {
		cfg->policy[cfg->npolicy++] = s;
		char *comma = strchr(s, ',');
		if (!comma)
			break;
		*comma = 0;
		s = comma + 1;
	}
}

int main(uint64_t arg)
{
	capos_cap_t ep = capos_service_endpoint(arg, "vault");
	if (ep == CAPOS_NO_CAP)
		return 0;
	capmgr = capos_cap_lookup("capmgr");
	mint_src = capos_cap_lookup("keys");
	auditlog = capos_cap_lookup("audit");
	struct capos_capmgr_list_result lr;
	if (capmgr != CAPOS_NO_CAP && capos_cap_list(capmgr, 0, 0, &lr) == CAPOS_OK &&
	    lr.table_size > 0)
		mint_slot = lr.table_size - 1;
	capos_client_names_load(&clients, param, NULL);

	struct crypto_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_keys = (uint32_t)capos_param_u64("max_keys", CRYPTO_KEYS_DEFAULT);
	const char *dev = capos_param("development");
	cfg.development = dev && strcmp(dev, "true") == 0;
	load_policy(&cfg);
	int have_rdrand = rdrand_present();
	cfg.entropy = have_rdrand ? rdrand_fill : NULL;
	cfg.entropy_name = have_rdrand ? "rdrand" : "none";
	cfg.mint = mint;
	cfg.audit = audit;
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	cfg.epoch_fallback = lo ^ hi;
	int ready = crypto_init(&state, &cfg);
	if (ready)
		capos_log(capos_LogLevel_LOG_LEVEL_INFO,
			  "entropy: rdrand seeds an HMAC-DRBG (self-test passed); %u keys at most; %s system",
			  (unsigned)state.cfg.max_keys, cfg.development ? "development" : "production");
	else
		capos_log(capos_LogLevel_LOG_LEVEL_ERROR,
			  "entropy: %s; Generate and Encrypt refuse (fail closed)",
			  !have_rdrand ? "no RDRAND on this CPU" : "RDRAND or the DRBG self-test failed");
	if (mint_slot == CAPOS_NO_CAP || mint_src == CAPOS_NO_CAP)
		capos_log(capos_LogLevel_LOG_LEVEL_ERROR,
			  "no `keys` or `capmgr` grant: no key caps can be handed out");

	static struct capos_server srv;
	capos_server_init(&srv, capmgr, &state);
	capos_server_add(&srv, ep, crypto_service(&state, 0));
	capos_cap_t view = capos_cap_lookup("view");
	if (view != CAPOS_NO_CAP) {
		capos_server_add(&srv, view, crypto_service(&state, 1));
		capos_status_t st = capos_server_bind(&srv, capos_cap_lookup("thread"),
						      capos_cap_lookup("wake"));
		if (st != CAPOS_OK)
			capos_log(capos_LogLevel_LOG_LEVEL_ERROR, "cannot serve `view` beside `vault`: %s",
				  capos_status_name(st));
	}
	int rc = capos_service_main(&srv);
	crypto_wipe_all(&state);
	return rc;
}
