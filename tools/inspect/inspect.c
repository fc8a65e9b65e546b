/*
 * capos-inspect - prints what a capOS disk image or boot package holds.
 *
 *   capos-inspect <image.img | boot.pkg>
 *
 * An image (GPT disk from codegen/mkimage.py) is opened through its ESP:
 * \capos\boot.pkg is read with mtools (esp.c). A package (codegen/mkpkg.py)
 * is validated with the kernel's own parser (kern/lib/bootpkg.c), its
 * entries are listed, and its manifest entry (kind 2) is decoded as
 * capos.System (idl/manifest.proto, protobuf-c) and printed field by field.
 * The output format is in docs/inspect.md.
 *
 * Exit status: 0 printed; 1 the input is unreadable, corrupt, or its
 * manifest does not decode; 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <protobuf-c/protobuf-c.h>

#include "esp.h"
#include "lib/bootpkg.h"
#include "manifest.pb-c.h"
#include "manifest_rules.h" /* generated: the rights table init and the build use */

#define FILE_MAX_BYTES (1ull << 30)

static const char *prog = "capos-inspect";

static void die_msg(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void die_msg(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: %s: ", prog, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- printing helpers ------------------------------------------------ */

/* A string from the manifest or package, escaped so that one field stays
 * one readable token: \xNN for control and non-ASCII bytes, "" for empty. */
static void pstr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL || *s == '\0') {
		fputs("\"\"", stdout);
		return;
	}
	for (; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p <= 0x20 || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static const char *enum_name(const ProtobufCEnumDescriptor *d, int v,
			     char *tmp, size_t n)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);

	if (ev != NULL)
		return ev->name;
	snprintf(tmp, n, "UNKNOWN(%d)", v);
	return tmp;
}

static const char *yesno(protobuf_c_boolean b)
{
	return b ? "true" : "false";
}

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case CAPOS_PKG_KIND_ELF:
		return "elf";
	case CAPOS_PKG_KIND_MANIFEST:
		return "manifest";
	case CAPOS_PKG_KIND_DATA:
		return "data";
	}
	return "unknown"; /* bootpkg_parse rejects these */
}

/* Fields this schema does not know, anywhere in the message tree. */
static size_t count_unknown(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	size_t total = m->n_unknown_fields;
	unsigned i;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(const void *)(base + f->quantifier_offset);
			ProtobufCMessage *const *v =
				*(ProtobufCMessage *const *const *)(const void *)(base + f->offset);
			size_t k;

			for (k = 0; k < n; k++)
				total += count_unknown(v[k]);
		} else {
			const ProtobufCMessage *v =
				*(const ProtobufCMessage *const *)(const void *)(base + f->offset);

			if (v != NULL)
				total += count_unknown(v);
		}
	}
	return total;
}

/* ---- the manifest ---------------------------------------------------- */

/* ---- the broker policy ----------------------------------------------- */

/* A comma-separated list, or "none". */
static void plist(char **items, size_t n)
{
	if (n == 0)
		printf("none");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putchar(',');
		pstr(items[i]);
	}
}

/* A verifier's cost ("m=1024,t=2,p=1"), never its salt or hash; anything
 * that is not "$argon2id$v=19$<cost>$..." is shown as malformed. */
static void print_verifier(const char *v)
{
	static const char head[] = "$argon2id$v=19$";
	const char *cost = v + sizeof(head) - 1;
	const char *end = strncmp(v, head, sizeof(head) - 1) == 0 ? strchr(cost, '$') : NULL;
	char buf[48];

	if (end == NULL || end == cost || (size_t)(end - cost) >= sizeof buf) {
		printf("verifier (malformed)");
		return;
	}
	memcpy(buf, cost, (size_t)(end - cost));
	buf[end - cost] = '\0';
	printf("verifier argon2id ");
	pstr(buf);
}

static int listed(char **items, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i], name) == 0)
			return 1;
	return 0;
}

/* The policy beyond the summary line: anonymous grants, the back-off and
 * each principal (its session kind, avatar, grants, and whether it logs
 * in with a passphrase verifier or a public key). */
static void print_policy(const Capos__BrokerPolicy *bp)
{
	size_t i, k;

	printf("    anonymous_grants: ");
	plist(bp ? bp->anonymous_grants : NULL, bp ? bp->n_anonymous_grants : 0);
	printf("\n    backoff: ");
	if (bp == NULL || bp->backoff_ms == 0)
		printf("500 ms (default)");
	else
		printf("%" PRIu32 " ms", bp->backoff_ms);
	printf(", doubling to ");
	if (bp == NULL || bp->backoff_max_ms == 0)
		printf("30000 ms (default)\n");
	else
		printf("%" PRIu32 " ms\n", bp->backoff_max_ms);
	if (bp == NULL || bp->n_principals == 0) {
		printf("    principals: none\n");
		return;
	}
	printf("    principals: %zu\n", bp->n_principals);
	for (i = 0; i < bp->n_principals; i++) {
		const Capos__Principal *p = bp->principals[i];
		int has_v = p->verifier != NULL && p->verifier[0] != '\0';
		int has_k = p->public_key.len > 0;

		printf("    principal ");
		pstr(p->name);
		printf(": kind=%s credential=",
		       listed(bp->maintenance_principals, bp->n_maintenance_principals, p->name)
			       ? "maintenance"
			       : "authenticated");
		if (has_v && has_k)
			printf("both (malformed)");
		else if (has_v)
			print_verifier(p->verifier);
		else if (has_k) {
			printf("public_key P-256 %zu bytes ", p->public_key.len);
			for (k = 0; k < p->public_key.len && k < 8; k++)
				printf("%02x", p->public_key.data[k]);
			printf("%s", p->public_key.len > 8 ? "..." : "");
		} else
			printf("none (malformed)");
		printf(" avatar=");
		if (p->avatar == NULL || p->avatar[0] == '\0')
			printf("\"\" (the shell picks)");
		else
			pstr(p->avatar);
		printf(" grants=");
		plist(p->grants, p->n_grants);
		putchar('\n');
	}
}

static void print_system(const Capos__System *s)
{
	const Capos__BrokerPolicy *bp = s->broker_policy;
	char tmp[32];

	printf("system:\n");
	printf("  hostname: ");
	if (s->hostname == NULL || s->hostname[0] == '\0')
		printf("capos (default)");
	else
		pstr(s->hostname);
	printf("\n  log_level: %s\n",
	       enum_name(&capos__log_level__descriptor, (int)s->log_level, tmp, sizeof tmp));
	printf("  seed_utc_seconds: %" PRId64, s->seed_utc_seconds);
	if (s->seed_utc_seconds == 0) {
		printf(" (none)");
	} else {
		time_t t = (time_t)s->seed_utc_seconds;
		struct tm tm;
		char date[64];

		if (gmtime_r(&t, &tm) != NULL &&
		    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
			printf(" (%s)", date);
	}
	printf("\n  log_ring_records: %" PRIu32 "%s\n", s->log_ring_records,
	       s->log_ring_records == 0 ? " (default)" : "");
	printf("  halt_when_done: %s\n", yesno(s->halt_when_done));
	printf("  broker_policy: anonymous_may_shutdown=%s maintenance_principals=",
	       yesno(bp != NULL && bp->anonymous_may_shutdown));
	plist(bp ? bp->maintenance_principals : NULL, bp ? bp->n_maintenance_principals : 0);
	putchar('\n');
	print_policy(bp);
}

static void print_profiles(const Capos__System *s)
{
	size_t i;

	if (s->n_profiles == 0) {
		printf("profiles: none\n");
		return;
	}
	printf("profiles: %zu\n", s->n_profiles);
	for (i = 0; i < s->n_profiles; i++) {
		const Capos__Profile *p = s->profiles[i];
		const Capos__ResourceLimits *l = p->limits;

		printf("  profile ");
		pstr(p->name);
		printf(": max_slots=%" PRIu32 " max_threads=%" PRIu32
		       " max_pages=%" PRIu32 " max_endpoints=%" PRIu32 "\n",
		       l ? l->max_slots : 0, l ? l->max_threads : 0,
		       l ? l->max_pages : 0, l ? l->max_endpoints : 0);
	}
}

/* "default (GRANT_RIGHT_SEND)": what an empty list gives this source, from
 * the generated table (codegen/manifest.py's, the one init builds with);
 * plain "default" for a source the table has no row for. */
static void print_default_rights(const Capos__Grant *g, int has_endpoint)
{
	const struct manifest_rights_rule *rr = NULL;
	char tmp[32];
	const char *sep = "";
	uint32_t r;

	printf("default");
	if (has_endpoint)
		rr = &manifest_endpoint_rights;
	else if (g->kernel != CAPOS__KERNEL_RESOURCE__KERNEL_RESOURCE_NONE &&
		 (uint32_t)g->kernel < MANIFEST_N_KERNEL_RESOURCES)
		rr = &manifest_kernel_rights[g->kernel];
	if (rr == NULL)
		return;
	printf(" (");
	for (r = 0; r < MANIFEST_N_GRANT_RIGHTS; r++)
		if (rr->dflt & MANIFEST_RIGHT(r)) {
			printf("%s%s", sep, enum_name(&capos__grant_right__descriptor, (int)r,
						      tmp, sizeof tmp));
			sep = ",";
		}
	putchar(')');
}

static void print_grant(const Capos__Grant *g)
{
	char tmp[32];
	size_t i;
	int has_endpoint = g->endpoint != NULL && g->endpoint[0] != '\0';

	printf("    cap ");
	pstr(g->name);
	putchar(':');
	if (has_endpoint) {
		printf(" endpoint=");
		pstr(g->endpoint);
	}
	if (g->kernel != CAPOS__KERNEL_RESOURCE__KERNEL_RESOURCE_NONE || !has_endpoint)
		printf(" kernel=%s", enum_name(&capos__kernel_resource__descriptor,
					       (int)g->kernel, tmp, sizeof tmp));
	/* Shown for the resource that uses them, and whenever set at all. */
	if (g->kernel == CAPOS__KERNEL_RESOURCE__KERNEL_RESOURCE_IOPORT ||
	    g->port_base != 0 || g->port_count != 0)
		printf(" port_base=0x%" PRIx32 " port_count=%" PRIu32,
		       g->port_base, g->port_count);
	if (g->kernel == CAPOS__KERNEL_RESOURCE__KERNEL_RESOURCE_IRQ || g->irq != 0)
		printf(" irq=%" PRIu32, g->irq);
	printf(" rights=");
	if (g->n_rights == 0)
		print_default_rights(g, has_endpoint);
	for (i = 0; i < g->n_rights; i++)
		printf("%s%s", i > 0 ? "," : "",
		       enum_name(&capos__grant_right__descriptor, (int)g->rights[i],
				 tmp, sizeof tmp));
	printf(" badge=%s\n", yesno(g->badge));
}

static void print_component(const Capos__Component *c)
{
	char tmp[32];
	size_t i;

	printf("  component ");
	pstr(c->name);
	printf(":\n    binary: ");
	pstr(c->binary);
	printf("\n    priority: %" PRIu32 "\n", c->priority);
	printf("    time_slice_us: %" PRIu32 "%s\n", c->time_slice_us,
	       c->time_slice_us == 0 ? " (kernel default)" : "");
	printf("    profile: ");
	if (c->profile == NULL || c->profile[0] == '\0')
		printf("none");
	else
		pstr(c->profile);
	printf("\n    restart: %s max_restarts=%" PRIu32 "%s\n",
	       enum_name(&capos__restart_policy__descriptor, (int)c->restart, tmp, sizeof tmp),
	       c->max_restarts,
	       c->max_restarts == 0 && c->restart != CAPOS__RESTART_POLICY__RESTART_NEVER ?
	       " (unlimited)" : "");

	if (c->n_serves == 0)
		printf("    serves: none\n");
	for (i = 0; i < c->n_serves; i++) {
		printf("    serve ");
		pstr(c->serves[i]->name);
		printf(": interface_id=0x%04" PRIx32 "%s\n", c->serves[i]->interface_id,
		       c->serves[i]->interface_id == 0 ? " (untyped)" : "");
	}
	if (c->n_caps == 0)
		printf("    caps: none\n");
	for (i = 0; i < c->n_caps; i++)
		print_grant(c->caps[i]);
	if (c->n_watches == 0)
		printf("    watches: none\n");
	for (i = 0; i < c->n_watches; i++) {
		printf("    watch ");
		pstr(c->watches[i]->name);
		printf(": endpoint=");
		pstr(c->watches[i]->endpoint);
		printf(" bits=0x%" PRIx64 "\n", c->watches[i]->bits);
	}
	for (i = 0; i < c->n_params; i++) {
		printf("    param ");
		pstr(c->params[i]->key);
		printf(" = ");
		pstr(c->params[i]->value);
		putchar('\n');
	}
}

static void print_manifest(const Capos__System *s)
{
	size_t i, unknown;

	print_system(s);
	print_profiles(s);
	if (s->n_components == 0)
		printf("components: none\n");
	else
		printf("components: %zu\n", s->n_components);
	for (i = 0; i < s->n_components; i++)
		print_component(s->components[i]);
	unknown = count_unknown(&s->base);
	if (unknown != 0)
		printf("note: %zu field(s) not in this tool's manifest.proto were skipped\n",
		       unknown);
}

/* ---- the package ----------------------------------------------------- */

static int inspect_pkg(const char *path, const uint8_t *buf, size_t len)
{
	const struct capos_pkg_entry *man = NULL;
	struct bootpkg pkg;
	enum bootpkg_status st;
	Capos__System *sys;
	unsigned manifests = 0;
	int bad = -1;
	uint32_t i;

	st = bootpkg_parse(buf, len, &pkg, &bad);
	if (st != BOOTPKG_OK) {
		if (bad >= 0)
			die_msg(path, "invalid boot package: entry %d: %s", bad,
				bootpkg_status_str(st));
		else
			die_msg(path, "invalid boot package: %s", bootpkg_status_str(st));
		return 1;
	}

	printf("package: %" PRIu64 " bytes, format version %u, %" PRIu32 " %s\n",
	       pkg.size, CAPOS_PKG_VERSION, pkg.count,
	       pkg.count == 1 ? "entry" : "entries");
	for (i = 0; i < pkg.count; i++) {
		const struct capos_pkg_entry *e = &pkg.entries[i];

		printf("  entry %" PRIu32 ": ", i);
		pstr(e->name);
		printf(" kind=%s size=%" PRIu64 " crc=0x%08" PRIx32 " offset=%" PRIu64 "\n",
		       kind_name(e->kind), e->size, e->crc32, e->offset);
		if (e->kind == CAPOS_PKG_KIND_MANIFEST) {
			if (man == NULL)
				man = e;
			manifests++;
		}
	}

	if (man == NULL) {
		printf("no manifest: the package has no manifest entry (kind 2)\n");
		return 0;
	}
	if (manifests > 1) {
		die_msg(path, "the boot package has %u manifest entries; a package holds at most one",
			manifests);
		return 1;
	}

	sys = capos__system__unpack(NULL, (size_t)man->size, bootpkg_data(&pkg, man));
	if (sys == NULL) {
		die_msg(path, "manifest entry '%s' (%" PRIu64 " bytes) does not decode "
			"as capos.System (idl/manifest.proto)", man->name, man->size);
		return 1;
	}
	printf("manifest: entry ");
	pstr(man->name);
	printf(", %" PRIu64 " bytes\n", man->size);
	print_manifest(sys);
	capos__system__free_unpacked(sys, NULL);
	return 0;
}

/* ---- input ----------------------------------------------------------- */

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	uint8_t *b;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		die_msg(path, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		die_msg(path, "not a regular file");
		fclose(f);
		return -1;
	}
	if ((unsigned long long)st.st_size > FILE_MAX_BYTES) {
		die_msg(path, "too large for a boot package (%lld bytes)",
			(long long)st.st_size);
		fclose(f);
		return -1;
	}
	/* malloc's alignment suits bootpkg's typed entry view (8 bytes). */
	b = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (b == NULL || fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		die_msg(path, "cannot read: %s", b == NULL ? "out of memory" : "short read");
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = (size_t)st.st_size;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int inspect_image(const char *path, uint64_t file_size)
{
	char err[512];
	uint64_t off;
	uint8_t *pkg;
	size_t len;
	int rc;

	if (esp_find(path, file_size, &off, err, sizeof err) != 0) {
		die_msg(path, "invalid disk image: %s", err);
		return 1;
	}
	if (esp_read_pkg(path, off, &pkg, &len, err, sizeof err) != 0) {
		die_msg(path, "invalid disk image: %s", err);
		return 1;
	}
	printf("image: ESP at byte %" PRIu64 ", \\capos\\boot.pkg %zu bytes\n", off, len);
	rc = inspect_pkg(path, pkg, len);
	free(pkg);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s <image.img | boot.pkg>\n"
		"Prints a capOS disk image's or boot package's entries and its manifest.\n",
		prog);
}

int main(int argc, char **argv)
{
	const char *path;
	uint8_t head[1024];
	size_t n;
	struct stat st;
	FILE *f;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	path = argv[1];

	f = fopen(path, "rb");
	if (f == NULL) {
		die_msg(path, "cannot open: %s", strerror(errno));
		return 1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		die_msg(path, "not a regular file");
		fclose(f);
		return 1;
	}
	n = fread(head, 1, sizeof head, f);
	fclose(f);

	/* What the bytes say wins over the name; a .img that is not a GPT
	 * disk still gets the image's message. */
	if (!(n >= 8 && memcmp(head, CAPOS_PKG_MAGIC, 8) == 0) &&
	    (esp_is_gpt(head, n) || ends_with(path, ".img"))) {
		rc = inspect_image(path, (uint64_t)st.st_size);
	} else {
		uint8_t *buf;
		size_t len;

		if (read_file(path, &buf, &len) != 0)
			return 1;
		rc = inspect_pkg(path, buf, len);
		free(buf);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: error: cannot write the output\n", prog);
		return 1;
	}
	return rc;
}
