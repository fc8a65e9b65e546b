/*
 * broker_fixture.c - the broker and the real servers behind it on the
 * host loopback (broker_fixture.h).
 */
#include <string.h>

#include "broker_fixture.h"
#include "crypto.capos.h"

struct broker_fixture bfx;

const uint8_t bfx_dev_sign_public[65] = {
	0x04, 0xb4, 0x68, 0xc6, 0x78, 0x8a, 0xfa, 0xb3, 0x5f, 0x07, 0x12, 0x64, 0x3d,
	0x03, 0xea, 0xf9, 0x90, 0x84, 0x2e, 0xfa, 0x03, 0x5c, 0x24, 0x95, 0xaa, 0x7b,
	0x34, 0x44, 0x56, 0x03, 0xfa, 0x6a, 0x96, 0x3e, 0x84, 0x3b, 0x87, 0x0f, 0x10,
	0x56, 0x44, 0x00, 0x68, 0x8b, 0xd9, 0xf8, 0xcc, 0xc5, 0x41, 0x89, 0xd7, 0x07,
	0x88, 0x85, 0xd9, 0x87, 0x0b, 0x33, 0x08, 0x00, 0xc4, 0x21, 0x09, 0xf4, 0x9d,
};

static const struct capos_client_name sources[] = { { BFX_BROKER_BADGE, "broker" } };

/* ---- the broker's environment ------------------------------------------------ */

static uint64_t now(void *ctx)
{
	(void)ctx;
	return bfx.now_ms;
}

/* Nonces: distinct, not secret (the tests never guess them). */
static void random_bytes(void *ctx, uint8_t *out, size_t n)
{
	static uint8_t counter;
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(++counter * 37u + i);
}

static capos_cap_t mint(void *ctx, uint64_t badge)
{
	(void)ctx;
	return capos_loopback_mint(BFX_BROKER_CAP, badge);
}

/* The broker's log lines go to the real log server, as capos_log's do on
 * the target. */
static void log_line(void *ctx, int level, const char *line)
{
	(void)ctx;
	capos_LogRecord r = capos_LogRecord_init_zero;
	capos_LogWriteResult res;
	r.level = (capos_LogLevel)level;
	strncpy(r.text, line, sizeof(r.text) - 1);
	if (logsink_write(BFX_SINK_CAP, &r, &res) == CAPOS_OK)
		bfx.log_lines++;
}

/* ---- the crypto server's and the shutdown server's hooks ---------------------- */

/* Deterministic entropy: the crypto server's DRBG seed and key generation. */
static int entropy(void *arg, void *buf, size_t len)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t *p = buf;
	(void)arg;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
	return 0;
}

static capos_cap_t crypto_mint(void *arg, uint64_t badge)
{
	(void)arg;
	return capos_loopback_mint(BFX_VAULT_CAP, badge);
}

static capos_status_t shutdown_audit(void *ctx, capos_ShutdownMode mode, const char *reason)
{
	(void)ctx;
	capos_AuditRecord r = capos_AuditRecord_init_zero;
	capos_AuditAppendResult res;
	r.kind = capos_AuditKind_AUDIT_KIND_SHUTDOWN;
	strcpy(r.action, mode == capos_ShutdownMode_SHUTDOWN_MODE_REBOOT ? "reboot" : "shutdown");
	strncpy(r.detail, reason, sizeof(r.detail) - 1);
	return auditlog_append(BFX_AUDIT_CAP, &r, &res);
}

static capos_status_t stop_system(void *ctx, const char *reason)
{
	(void)ctx;
	bfx.stops++;
	strncpy(bfx.stop_reason, reason, sizeof(bfx.stop_reason) - 1);
	if (bfx.stop_status != CAPOS_OK)
		return bfx.stop_status; /* init refused: nothing stopped */
	bfx.in_stop = 1;
	if (bfx.during_stop)
		bfx.during_stop();
	bfx.in_stop = 0;
	return CAPOS_OK;
}

/* ShutdownControl on the loopback, behind a counter: on the target a call
 * reaching it while the stop runs waits until init is done, and its
 * caller cannot see its own stop notice meanwhile. */
static struct capos_rpc_service shutdown_svc;
static capos_status_t count_shutdown(const void *ops, void *ctx, struct capos_rpc_request *rq)
{
	(void)ops;
	(void)ctx;
	bfx.shutdown_calls++;
	if (bfx.in_stop)
		bfx.shutdown_calls_in_stop++;
	return capos_rpc_service_dispatch(&shutdown_svc, rq);
}

static capos_status_t port_out(void *ctx, uint16_t port, uint8_t width, uint32_t value)
{
	(void)ctx;
	(void)width;
	bfx.port_writes++;
	bfx.port = port;
	bfx.port_value = value;
	return CAPOS_OK;
}

/* ---- setup ------------------------------------------------------------------ */

void bfx_setup(void)
{
	memset(&bfx, 0, sizeof(bfx));
	bfx.policy = (capos_BrokerPolicy)capos_BrokerPolicy_init_zero;
	bfx.now_ms = 1000;
	capos_loopback_reset();
	audit_init(&bfx.audit, bfx.records, sizeof(bfx.records) / sizeof(bfx.records[0]), NULL,
		   NULL, sources, 1);
	capos_loopback_register(BFX_AUDIT_CAP, auditlog_service(&audit_service_ops, &bfx.audit),
				BFX_BROKER_BADGE);
	log_init(&bfx.log, 256, capos_LogLevel_LOG_LEVEL_DEBUG, NULL, NULL);
	log_set_sources(&bfx.log, sources, 1);
	capos_loopback_register(BFX_SINK_CAP, logsink_service(&log_sink_ops, &bfx.log),
				BFX_BROKER_BADGE);
	capos_loopback_register(BFX_LOGS_CAP, logreader_service(&log_reader_ops, &bfx.log), 1);
	struct crypto_config cc;
	memset(&cc, 0, sizeof(cc));
	cc.max_keys = 16;
	cc.development = 1;
	cc.policy[0] = "dev-sign";
	cc.npolicy = 1;
	cc.entropy = entropy;
	cc.entropy_name = "test";
	cc.mint = crypto_mint;
	cc.epoch_fallback = 0x321;
	crypto_init(&bfx.crypto, &cc);
	capos_loopback_register(BFX_VAULT_CAP, crypto_service(&bfx.crypto, 0), 1);
	bfx.shutdown.h = (struct shutdown_hooks){ .audit = shutdown_audit,
						   .stop_system = stop_system,
						   .port_out = port_out };
	shutdown_svc = shutdowncontrol_service(&shutdown_service_ops, &bfx.shutdown);
	capos_loopback_register(BFX_SHUTDOWN_CAP,
				(struct capos_rpc_service){ .interface_id = shutdown_svc.interface_id,
							    .dispatch = count_shutdown },
				0);
}

uint32_t bfx_start_broker(uint32_t epoch)
{
	struct broker_env env = {
		.now_ms = now, .random = random_bytes, .mint = mint, .log = log_line,
		.audit = BFX_AUDIT_CAP,
		.grant_cap = {
			[BROKER_GRANT_SHUTDOWN] = BFX_SHUTDOWN_CAP,
			[BROKER_GRANT_MAINTENANCE] = CAPOS_NO_CAP, /* no debug server here */
			[BROKER_GRANT_LOG_READER] = BFX_LOGS_CAP,
			[BROKER_GRANT_PROCESS_CONTROL] = BFX_LOGS_CAP,
		},
	};
	broker_init(&bfx.broker, &bfx.policy, &env, epoch);
	/* The endpoint first: the key caps take the first free slots. */
	capos_loopback_register(BFX_BROKER_CAP, broker_endpoint_service(&bfx.broker), 3);
	return broker_import_keys(&bfx.broker, BFX_VAULT_CAP);
}

int bfx_add_principal(const char *name, const char *verifier, const uint8_t *public_key,
		      const char *const *grants)
{
	int i = bfx.policy.principals_count++;
	capos_Principal *p = &bfx.policy.principals[i];
	strncpy(p->name, name, sizeof(p->name) - 1);
	if (verifier)
		strncpy(p->verifier, verifier, sizeof(p->verifier) - 1);
	if (public_key) {
		memcpy(p->public_key.bytes, public_key, 65);
		p->public_key.size = 65;
	}
	for (; grants && *grants; grants++)
		strncpy(p->grants[p->grants_count++], *grants, sizeof(p->grants[0]) - 1);
	return i;
}

capos_cap_t bfx_dev_sign_key(void)
{
	capos_BootstrapKeyRequest rq = capos_BootstrapKeyRequest_init_zero;
	static capos_BootstrapKeyResult res;
	struct capos_cap_list got = { 0 };
	strcpy(rq.label, "dev-sign");
	if (keysource_bootstrap(BFX_VAULT_CAP, &rq, &res, &got) != CAPOS_OK || got.count != 1)
		return CAPOS_NO_CAP;
	return got.cap[0];
}

capos_cap_t bfx_other_key(void)
{
	capos_GenerateKeyRequest rq = capos_GenerateKeyRequest_init_zero;
	capos_KeyInfo info;
	struct capos_cap_list got = { 0 };
	rq.algorithm = capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256;
	rq.kind = capos_KeyKind_KEY_KIND_PRIVATE;
	strcpy(rq.label, "other");
	if (keyvault_generate(BFX_VAULT_CAP, &rq, &info, &got) != CAPOS_OK || got.count != 1)
		return CAPOS_NO_CAP;
	return got.cap[0];
}

capos_status_t bfx_sign(capos_cap_t key, const char *principal, const uint8_t *nonce,
			uint8_t *sig)
{
	static capos_SignRequest rq;
	static capos_Signature res;
	memset(&rq, 0, sizeof(rq));
	memset(&res, 0, sizeof(res));
	rq.message.size = (pb_size_t)broker_login_message(principal, nonce, rq.message.bytes,
							  sizeof(rq.message.bytes));
	capos_status_t st = privatekey_sign(key, &rq, &res);
	if (st == CAPOS_OK && res.signature.size != BROKER_SIGNATURE_LEN)
		st = CAPOS_PROTOCOL_ERROR;
	if (st == CAPOS_OK)
		memcpy(sig, res.signature.bytes, BROKER_SIGNATURE_LEN);
	return st;
}

capos_OpenSessionRequest bfx_signature_request(const char *principal, const uint8_t *nonce,
					       const uint8_t *sig)
{
	capos_OpenSessionRequest rq = capos_OpenSessionRequest_init_zero;
	strncpy(rq.principal, principal, sizeof(rq.principal) - 1);
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_SIGNATURE;
	rq.nonce.size = BROKER_NONCE_LEN;
	memcpy(rq.nonce.bytes, nonce, BROKER_NONCE_LEN);
	rq.credential.size = BROKER_SIGNATURE_LEN;
	memcpy(rq.credential.bytes, sig, BROKER_SIGNATURE_LEN);
	return rq;
}
