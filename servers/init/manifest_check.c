/*
 * manifest_check.c - init's boot-time re-validation of the manifest. The
 * build's validator (codegen/manifest.py) has already checked it; init
 * checks again, because the package on the disk is outside the build's
 * control. Same rules, same limits (docs/init.md): every number, character
 * set, reserved name and the rights table come from manifest_rules.h,
 * which manifest.py generates from its own definitions, and a refusal
 * names the rule by the code the validator tags the same problem with.
 * What nanopb's decode already refuses (a string or list over its bound)
 * never gets here. Stops at the first problem.
 *
 * Invariant: init accepts nothing codegen/manifest.py refuses, and refuses
 * nothing it accepts; tests/manifest/check_init.py runs this file on the
 * host against every fixture to hold both to it.
 */
#include <stdarg.h>
#include <string.h>

#include <capos/abi.h>
#include <capos/debug.h>

#include "manifest_check.h"

/* The generated values that the kernel ABI fixes too must agree with it. */
_Static_assert(MANIFEST_TIME_SLICE_MAX_US == CAPOS_MAX_TIME_SLICE_US,
	       "manifest.py TIME_SLICE_MAX_US is not CAPOS_MAX_TIME_SLICE_US");
_Static_assert(MANIFEST_STACK_PAGES == CAPOS_USER_STACK_PAGES,
	       "manifest.py STACK_PAGES is not CAPOS_USER_STACK_PAGES");
_Static_assert(MANIFEST_INIT_PAGES == CAPOS_ROOT_MAX_PAGES,
	       "manifest.py INIT_PAGES is not CAPOS_ROOT_MAX_PAGES");
_Static_assert(MANIFEST_PARAM_KEY_MAX == CAPOS_STARTUP_PARAM_KEY_MAX,
	       "manifest.py PARAM_KEY_MAX is not the startup page's");
_Static_assert(MANIFEST_LOCAL_NAME_MAX + 1u == CAPOS_STARTUP_NAME_MAX,
	       "manifest.py LOCAL_NAME_MAX is not the startup page's");
_Static_assert(sizeof(((capos_Grant *)0)->name) == CAPOS_STARTUP_NAME_MAX,
	       "manifest.options Grant.name is not a startup page name");
/* GrantRight n is CAPOS_RIGHT bit n-1 (init_grant_rights shifts by one). */
_Static_assert(CAPOS_RIGHT_READ == MANIFEST_RIGHT(capos_GrantRight_GRANT_RIGHT_READ) >> 1 &&
		       CAPOS_RIGHT_WRITE == MANIFEST_RIGHT(capos_GrantRight_GRANT_RIGHT_WRITE) >> 1 &&
		       CAPOS_RIGHT_GRANT == MANIFEST_RIGHT(capos_GrantRight_GRANT_RIGHT_GRANT) >> 1 &&
		       CAPOS_RIGHT_SEND == MANIFEST_RIGHT(capos_GrantRight_GRANT_RIGHT_SEND) >> 1 &&
		       CAPOS_RIGHT_RECV == MANIFEST_RIGHT(capos_GrantRight_GRANT_RIGHT_RECV) >> 1 &&
		       CAPOS_RIGHT_CONTROL ==
			       MANIFEST_RIGHT(capos_GrantRight_GRANT_RIGHT_CONTROL) >> 1,
	       "GrantRight values and CAPOS_RIGHT_* bits are out of step");

#define MAX_COMPONENTS pb_arraysize(capos_System, components)

static const struct manifest_rights_rule *rule_for(const capos_Grant *g)
{
	static const struct manifest_rights_rule none = { 0, 0, "an unknown grant" };
	if (g->endpoint[0])
		return &manifest_endpoint_rights;
	if ((uint32_t)g->kernel >= MANIFEST_N_KERNEL_RESOURCES)
		return &none; /* refused by the checker before anyone asks */
	return &manifest_kernel_rights[g->kernel];
}

uint32_t init_grant_rights(const capos_Grant *g)
{
	uint32_t mask = 0;
	if (!g->rights_count)
		mask = rule_for(g)->dflt;
	for (pb_size_t k = 0; k < g->rights_count; k++)
		if ((uint32_t)g->rights[k] < MANIFEST_N_GRANT_RIGHTS) /* checked already */
			mask |= MANIFEST_RIGHT(g->rights[k]);
	return mask >> 1; /* GrantRight NONE is bit 0 of the mask, no right */
}

/* s is 1..max characters, all of `chars`. */
static int charset_ok(const char *s, size_t max, const char *chars)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr(chars, s[i]))
			return 0;
	return 1;
}

int init_param_key_ok(const char *k)
{
	return charset_ok(k, MANIFEST_PARAM_KEY_MAX, MANIFEST_PARAM_KEY_CHARS);
}

int init_param_reserved(const char *k)
{
	for (uint32_t i = 0; i < MANIFEST_N_RESERVED_PARAMS; i++)
		if (!strcmp(k, manifest_reserved_params[i]))
			return 1;
	return !strncmp(k, MANIFEST_RESERVED_PARAM_PREFIX, strlen(MANIFEST_RESERVED_PARAM_PREFIX));
}

static char *g_why;
static size_t g_n;

__attribute__((format(printf, 2, 3))) static int fail(enum manifest_rule rule, const char *fmt,
						      ...)
{
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(g_why, g_n, fmt, ap);
	va_end(ap);
	return (int)rule;
}

/* A profile, component or local name: 1-23 of [A-Za-z0-9_-] (nanopb has
 * already bounded the length by the field's size). */
static int name_ok(const char *s)
{
	return charset_ok(s, MANIFEST_LOCAL_NAME_MAX, MANIFEST_NAME_CHARS);
}

static int interface_declared(uint32_t id)
{
	for (uint32_t i = 0; i < MANIFEST_N_INTERFACE_IDS; i++)
		if (manifest_interface_ids[i] == id)
			return 1;
	return 0;
}

const capos_Profile *init_profile(const capos_System *sys, const char *name)
{
	for (pb_size_t i = 0; i < sys->profiles_count; i++)
		if (!strcmp(sys->profiles[i].name, name))
			return &sys->profiles[i];
	return NULL;
}

int init_resolve_endpoint(const capos_System *sys, const char *ref, uint32_t *comp,
			  uint32_t *serve)
{
	const char *dot = strchr(ref, '.');
	if (!dot || dot == ref || !dot[1] || strchr(dot + 1, '.'))
		return 0;
	size_t cl = (size_t)(dot - ref);
	for (pb_size_t i = 0; i < sys->components_count; i++) {
		const capos_Component *c = &sys->components[i];
		if (strlen(c->name) != cl || memcmp(c->name, ref, cl))
			continue;
		for (pb_size_t j = 0; j < c->serves_count; j++)
			if (!strcmp(c->serves[j].name, dot + 1)) {
				*comp = i;
				*serve = j;
				return 1;
			}
		return 0;
	}
	return 0;
}

/* Kahn's algorithm in manifest order: a component starts once every
 * component serving an endpoint it is granted has started. */
int init_start_order(const capos_System *sys, uint32_t *order)
{
	uint32_t n = sys->components_count, done = 0;
	uint8_t placed[MAX_COMPONENTS] = { 0 };
	while (done < n) {
		int progress = 0;
		for (uint32_t i = 0; i < n; i++) {
			if (placed[i])
				continue;
			const capos_Component *c = &sys->components[i];
			int ok = 1;
			for (pb_size_t j = 0; ok && j < c->caps_count; j++) {
				uint32_t dc, ds;
				if (c->caps[j].endpoint[0] &&
				    init_resolve_endpoint(sys, c->caps[j].endpoint, &dc, &ds) &&
				    dc != i && !placed[dc])
					ok = 0;
			}
			if (ok) {
				placed[i] = 1;
				order[done++] = i;
				progress = 1;
			}
		}
		if (!progress)
			return 0;
	}
	return 1;
}

/* Dot-separated labels (RFC 1123) of 1..MANIFEST_HOSTNAME_LABEL_MAX, none
 * starting or ending with '-'; one final '.' allowed. The characters are
 * checked apart. */
static int hostname_labels_ok(const char *h)
{
	size_t n = strlen(h);
	if (n && h[n - 1] == '.')
		n--;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && h[i] != '.')
			continue;
		size_t len = i - start;
		if (len == 0 || len > MANIFEST_HOSTNAME_LABEL_MAX || h[start] == '-' ||
		    h[i - 1] == '-')
			return 0;
		start = i + 1;
	}
	return 1;
}

/* 1..MANIFEST_PRINCIPAL_MAX of the principal characters, the first not
 * '-' or '.'. */
static int principal_ok(const char *p)
{
	return p[0] && strchr(MANIFEST_PRINCIPAL_FIRST_CHARS, p[0]) &&
	       charset_ok(p, MANIFEST_PRINCIPAL_MAX, MANIFEST_PRINCIPAL_CHARS);
}

static int check_system(const capos_System *sys)
{
	if (sys->hostname[0] &&
	    !charset_ok(sys->hostname, sizeof(sys->hostname) - 1, MANIFEST_HOSTNAME_CHARS))
		return fail(MANIFEST_RULE_HOSTNAME, "hostname '%s' may hold only letters, digits, "
			    "'-' and '.'", sys->hostname);
	if (sys->hostname[0] && !hostname_labels_ok(sys->hostname))
		return fail(MANIFEST_RULE_HOSTNAME, "hostname '%s' is not a host name (empty "
			    "label, or one starting or ending with '-')", sys->hostname);
	if ((uint32_t)sys->log_level > (uint32_t)_capos_LogLevel_MAX)
		return fail(MANIFEST_RULE_ENUM, "log_level has unknown value %d", (int)sys->log_level);
	if (sys->seed_utc_seconds < 0)
		return fail(MANIFEST_RULE_SEED, "seed_utc_seconds is negative");
	if ((uint64_t)sys->seed_utc_seconds > MANIFEST_SEED_MAX)
		return fail(MANIFEST_RULE_SEED, "seed_utc_seconds is after the year 9999");
	if (sys->log_ring_records > MANIFEST_LOG_RING_MAX)
		return fail(MANIFEST_RULE_RING_SIZE, "log_ring_records %u is more than the log "
			    "server holds (%u)", (unsigned)sys->log_ring_records,
			    MANIFEST_LOG_RING_MAX);
	const capos_BrokerPolicy *bp = &sys->broker_policy;
	for (pb_size_t i = 0; sys->has_broker_policy && i < bp->maintenance_principals_count; i++) {
		const char *p = bp->maintenance_principals[i];
		if (!p[0])
			return fail(MANIFEST_RULE_PRINCIPAL,
				    "broker_policy has an empty maintenance principal");
		if (!principal_ok(p))
			return fail(MANIFEST_RULE_PRINCIPAL, "maintenance principal '%s' is not a "
				    "valid name", p);
		for (pb_size_t k = 0; k < i; k++)
			if (!strcmp(bp->maintenance_principals[k], p))
				return fail(MANIFEST_RULE_PRINCIPAL, "maintenance principal '%s' is "
					    "listed twice", p);
	}
	int rule = init_check_broker_policy(sys, g_why, g_n); /* policy_check.c */
	if (rule)
		return rule;
	if (sys->components_count == 0)
		return fail(MANIFEST_RULE_NO_COMPONENTS, "the manifest has no components");
	return 0;
}

static int check_profiles(const capos_System *sys)
{
	for (pb_size_t i = 0; i < sys->profiles_count; i++) {
		const capos_Profile *p = &sys->profiles[i];
		if (!name_ok(p->name))
			return fail(MANIFEST_RULE_NAME, "profile #%u has no valid name", (unsigned)i + 1);
		for (pb_size_t k = 0; k < i; k++)
			if (!strcmp(sys->profiles[k].name, p->name))
				return fail(MANIFEST_RULE_DUPLICATE, "profile '%s' is defined twice",
					    p->name);
		if (!p->has_limits)
			return fail(MANIFEST_RULE_PROFILE_LIMITS, "profile '%s' has no limits",
				    p->name);
		if (p->limits.max_threads == 0)
			return fail(MANIFEST_RULE_PROFILE_LIMITS, "profile '%s' allows 0 threads",
				    p->name);
		if (p->limits.max_slots == 0 || p->limits.max_pages == 0)
			return fail(MANIFEST_RULE_PROFILE_LIMITS,
				    "profile '%s' allows 0 slots or 0 pages", p->name);
		if (p->limits.max_pages > MANIFEST_PROFILE_PAGES_MAX)
			return fail(MANIFEST_RULE_PROFILE_PAGES, "profile '%s' allows %u pages, more "
				    "than the machine has (%u)", p->name,
				    (unsigned)p->limits.max_pages, MANIFEST_PROFILE_PAGES_MAX);
	}
	return 0;
}

/* Local names (serves, caps, watches) share the startup page; `ready` is
 * init's own (docs/init.md). */
static int check_local_names(const capos_Component *c)
{
	const char *names[pb_arraysize(capos_Component, serves) +
			  pb_arraysize(capos_Component, caps) +
			  pb_arraysize(capos_Component, watches)];
	uint32_t k = 0;
	for (pb_size_t j = 0; j < c->serves_count; j++)
		names[k++] = c->serves[j].name;
	for (pb_size_t j = 0; j < c->caps_count; j++)
		names[k++] = c->caps[j].name;
	for (pb_size_t j = 0; j < c->watches_count; j++)
		names[k++] = c->watches[j].name;
	for (uint32_t a = 0; a < k; a++) {
		if (!name_ok(names[a]))
			return fail(MANIFEST_RULE_NAME, "component '%s' has a local name '%s' that is "
				    "empty or not letters, digits, '_' and '-'", c->name, names[a]);
		if (!strcmp(names[a], MANIFEST_RESERVED_LOCAL_NAME))
			return fail(MANIFEST_RULE_RESERVED_NAME, "component '%s' uses the local name "
				    "'%s', which init keeps for its readiness notification", c->name,
				    names[a]);
		for (uint32_t b = 0; b < a; b++)
			if (!strcmp(names[a], names[b]))
				return fail(MANIFEST_RULE_LOCAL_NAME,
					    "component '%s' uses the local name '%s' twice", c->name,
					    names[a]);
	}
	return 0;
}

static int check_grant(const capos_System *sys, uint32_t i, const capos_Grant *g)
{
	const char *cn = sys->components[i].name;
	if (g->endpoint[0] && g->kernel)
		return fail(MANIFEST_RULE_GRANT_KIND, "component '%s' cap '%s' sets both endpoint "
			    "and kernel", cn, g->name);
	if (!g->endpoint[0] && !g->kernel)
		return fail(MANIFEST_RULE_GRANT_KIND, "component '%s' cap '%s' sets neither "
			    "endpoint nor kernel", cn, g->name);
	if ((uint32_t)g->kernel >= MANIFEST_N_KERNEL_RESOURCES)
		return fail(MANIFEST_RULE_ENUM, "component '%s' cap '%s' names unknown kernel "
			    "resource %d", cn, g->name, (int)g->kernel);
	uint32_t dc, ds;
	if (g->endpoint[0] && !init_resolve_endpoint(sys, g->endpoint, &dc, &ds))
		return fail(MANIFEST_RULE_ENDPOINT_REF, "component '%s' cap '%s' names endpoint "
			    "'%s', which no component serves", cn, g->name, g->endpoint);
	int ioport = g->kernel == capos_KernelResource_KERNEL_RESOURCE_IOPORT;
	int irq = g->kernel == capos_KernelResource_KERNEL_RESOURCE_IRQ;
	if (!ioport && (g->port_base || g->port_count))
		return fail(MANIFEST_RULE_GRANT_FIELD, "component '%s' cap '%s' sets ports but is "
			    "not an IOPORT grant", cn, g->name);
	/* port_count is compared with what is left, so no sum can wrap. */
	if (ioport && (g->port_count == 0 || g->port_base >= MANIFEST_PORT_END ||
		       g->port_count > MANIFEST_PORT_END - g->port_base))
		return fail(MANIFEST_RULE_IOPORT_RANGE, "component '%s' cap '%s' has an empty or "
			    "out-of-range port range", cn, g->name);
	if (!irq && g->irq)
		return fail(MANIFEST_RULE_GRANT_FIELD, "component '%s' cap '%s' sets irq but is not "
			    "an IRQ grant", cn, g->name);
	if (irq && g->irq > MANIFEST_IRQ_MAX)
		return fail(MANIFEST_RULE_IRQ_RANGE, "component '%s' cap '%s' irq %u is outside "
			    "0-%u", cn, g->name, (unsigned)g->irq, MANIFEST_IRQ_MAX);
	if (irq && strlen(g->name) > MANIFEST_IRQ_NAME_MAX)
		return fail(MANIFEST_RULE_IRQ_NAME, "component '%s' cap '%s': an IRQ grant's name "
			    "must leave room for '%s' (%u characters at most)", cn, g->name,
			    MANIFEST_IRQ_ACK_SUFFIX, MANIFEST_IRQ_NAME_MAX);
	if (g->badge && !g->endpoint[0])
		return fail(MANIFEST_RULE_GRANT_FIELD, "component '%s' cap '%s' asks for a badge, "
			    "which only an endpoint grant can carry", cn, g->name);
	if (g->input && !g->endpoint[0])
		return fail(MANIFEST_RULE_GRANT_FIELD, "component '%s' cap '%s' asks for input, "
			    "which only an endpoint grant can carry", cn, g->name);
	/* The operator's keystrokes go to one component only. */
	for (uint32_t k = 0; g->input && k < i; k++)
		for (pb_size_t j = 0; j < sys->components[k].caps_count; j++) {
			const capos_Grant *o = &sys->components[k].caps[j];
			if (o->input && !strcmp(o->endpoint, g->endpoint))
				return fail(MANIFEST_RULE_INPUT, "component '%s' cap '%s' asks for "
					    "input on '%s', which is granted already to component "
					    "'%s'", cn, g->name, g->endpoint,
					    sys->components[k].name);
		}
	const struct manifest_rights_rule *rr = rule_for(g);
	uint32_t seen = 0;
	for (pb_size_t k = 0; k < g->rights_count; k++) {
		uint32_t r = (uint32_t)g->rights[k];
		if (r >= MANIFEST_N_GRANT_RIGHTS)
			return fail(MANIFEST_RULE_ENUM, "component '%s' cap '%s' lists unknown right %u",
				    cn, g->name, (unsigned)r);
		if (r == capos_GrantRight_GRANT_RIGHT_NONE)
			return fail(MANIFEST_RULE_RIGHTS_LIST, "component '%s' cap '%s' lists NONE "
				    "among its rights", cn, g->name);
		if (seen & MANIFEST_RIGHT(r))
			return fail(MANIFEST_RULE_RIGHTS_LIST, "component '%s' cap '%s' lists right "
				    "%s twice", cn, g->name, manifest_grant_right_names[r]);
		seen |= MANIFEST_RIGHT(r);
		if (!(rr->allowed & MANIFEST_RIGHT(r)))
			return fail(MANIFEST_RULE_RIGHTS, "component '%s' cap '%s' asks for right %s, "
				    "more than %s carries", cn, g->name,
				    manifest_grant_right_names[r], rr->words);
	}
	return 0;
}

static int check_binary(const capos_Component *c, int (*binary_pages)(const char *name),
			int *load)
{
	if (!c->binary[0])
		return fail(MANIFEST_RULE_BINARY, "component '%s' has no binary", c->name);
	if (!charset_ok(c->binary, sizeof(c->binary) - 1, MANIFEST_BINARY_CHARS))
		return fail(MANIFEST_RULE_BINARY, "component '%s' binary '%s' may hold only letters, "
			    "digits, '_', '-', '.' and '+'", c->name, c->binary);
	for (uint32_t k = 0; k < MANIFEST_N_RESERVED_BINARIES; k++)
		if (!strcmp(c->binary, manifest_reserved_binaries[k]))
			return fail(MANIFEST_RULE_BINARY, "component '%s' binary '%s' is reserved",
				    c->name, c->binary);
	*load = binary_pages(c->binary);
	if (*load < 0)
		return fail(MANIFEST_RULE_BINARY, "component '%s' binary '%s' is not a program in "
			    "the boot package", c->name, c->binary);
	return 0;
}

static int check_serves(const capos_Component *c)
{
	for (pb_size_t j = 0; j < c->serves_count; j++) {
		uint32_t id = c->serves[j].interface_id;
		if (id == 0)
			continue;
		if (id > MANIFEST_INTERFACE_MAX)
			return fail(MANIFEST_RULE_INTERFACE_ID, "component '%s' endpoint '%s' interface "
				    "id is wider than 16 bits", c->name, c->serves[j].name);
		if (id < MANIFEST_INTERFACE_RESERVED_END)
			return fail(MANIFEST_RULE_INTERFACE_ID, "component '%s' endpoint '%s' interface "
				    "id is reserved", c->name, c->serves[j].name);
		if (id < MANIFEST_INTERFACE_PRIVATE_BASE && !interface_declared(id))
			return fail(MANIFEST_RULE_INTERFACE_ID, "component '%s' endpoint '%s' interface "
				    "id %#x is not declared by any service in idl/", c->name,
				    c->serves[j].name, (unsigned)id);
	}
	return 0;
}

static int check_watches(const capos_System *sys, uint32_t i)
{
	const capos_Component *c = &sys->components[i];
	for (pb_size_t j = 0; j < c->watches_count; j++) {
		uint32_t dc, ds;
		const capos_Watch *w = &c->watches[j];
		if (!init_resolve_endpoint(sys, w->endpoint, &dc, &ds))
			return fail(MANIFEST_RULE_ENDPOINT_REF, "component '%s' watch '%s' names "
				    "endpoint '%s', which no component serves", c->name, w->name,
				    w->endpoint);
		if (dc == i)
			return fail(MANIFEST_RULE_WATCH, "component '%s' watch '%s' watches its own "
				    "endpoint", c->name, w->name);
		if (!w->bits)
			return fail(MANIFEST_RULE_WATCH, "component '%s' watch '%s' has bits 0",
				    c->name, w->name);
	}
	return 0;
}

static int check_params(const capos_Component *c)
{
	for (pb_size_t j = 0; j < c->params_count; j++) {
		const char *k = c->params[j].key;
		if (!init_param_key_ok(k))
			return fail(MANIFEST_RULE_PARAM, "component '%s' param key '%s' is not 1-%u of "
				    "a-z, 0-9, '_', '.'", c->name, k, MANIFEST_PARAM_KEY_MAX);
		if (init_param_reserved(k))
			return fail(MANIFEST_RULE_PARAM, "component '%s' param key '%s' is reserved "
				    "for init", c->name, k);
		for (pb_size_t q = 0; q < j; q++)
			if (!strcmp(c->params[q].key, k))
				return fail(MANIFEST_RULE_PARAM, "component '%s' param key '%s' is "
					    "given twice", c->name, k);
	}
	return 0;
}

/* The profile's floors (docs/manifest.md, "Profiles"). */
static int check_fits(const capos_System *sys, const capos_Component *c, int load)
{
	const capos_Profile *p = init_profile(sys, c->profile);
	if (!p)
		return fail(MANIFEST_RULE_PROFILE_REF, "component '%s' profile '%s' is not defined",
			    c->name, c->profile);
	uint32_t slots = c->caps_count + c->serves_count + c->watches_count + MANIFEST_RUNTIME_SLOTS;
	if (p->limits.max_slots < slots)
		return fail(MANIFEST_RULE_PROFILE_TOO_SMALL, "component '%s' needs %u capability "
			    "slots but profile '%s' has %u", c->name, (unsigned)slots, p->name,
			    (unsigned)p->limits.max_slots);
	uint32_t eps = c->serves_count + c->watches_count;
	if (p->limits.max_endpoints < eps)
		return fail(MANIFEST_RULE_PROFILE_TOO_SMALL, "component '%s' needs %u endpoints but "
			    "profile '%s' has %u", c->name, (unsigned)eps, p->name,
			    (unsigned)p->limits.max_endpoints);
	uint64_t pages = (uint64_t)load + MANIFEST_STACK_PAGES + MANIFEST_RUNTIME_PAGES;
	if (p->limits.max_pages < pages)
		return fail(MANIFEST_RULE_PROFILE_TOO_SMALL, "component '%s' needs at least %lu pages "
			    "but profile '%s' has %u", c->name, (unsigned long)pages, p->name,
			    (unsigned)p->limits.max_pages);
	return 0;
}

static int check_component(const capos_System *sys, uint32_t i,
			   int (*binary_pages)(const char *name))
{
	const capos_Component *c = &sys->components[i];
	int rule, load = 0;
	if (!name_ok(c->name))
		return fail(MANIFEST_RULE_NAME, "component #%u has no valid name", (unsigned)i + 1);
	for (uint32_t k = 0; k < i; k++)
		if (!strcmp(sys->components[k].name, c->name))
			return fail(MANIFEST_RULE_DUPLICATE, "component '%s' is defined twice",
				    c->name);
	if ((rule = check_binary(c, binary_pages, &load)))
		return rule;
	if (c->priority < MANIFEST_PRIORITY_MIN || c->priority > MANIFEST_PRIORITY_MAX)
		return fail(MANIFEST_RULE_PRIORITY, "component '%s' priority %u is outside %u-%u",
			    c->name, (unsigned)c->priority, MANIFEST_PRIORITY_MIN,
			    MANIFEST_PRIORITY_MAX);
	if (c->time_slice_us > MANIFEST_TIME_SLICE_MAX_US)
		return fail(MANIFEST_RULE_TIME_SLICE, "component '%s' time_slice_us %u is above %u",
			    c->name, (unsigned)c->time_slice_us, MANIFEST_TIME_SLICE_MAX_US);
	if ((uint32_t)c->restart > (uint32_t)_capos_RestartPolicy_MAX)
		return fail(MANIFEST_RULE_ENUM, "component '%s' has an unknown restart policy",
			    c->name);
	if (c->max_restarts && c->restart == capos_RestartPolicy_RESTART_NEVER)
		return fail(MANIFEST_RULE_MAX_RESTARTS, "component '%s' sets max_restarts with "
			    "RESTART_NEVER", c->name);
	if ((rule = check_serves(c)) || (rule = check_local_names(c)))
		return rule;
	for (pb_size_t j = 0; j < c->caps_count; j++)
		if ((rule = check_grant(sys, i, &c->caps[j])))
			return rule;
	if ((rule = check_watches(sys, i)) || (rule = check_params(c)))
		return rule;
	return check_fits(sys, c, load);
}

/* An IOPORT grant's ports as [first, last]; 0 when it is no (valid) one. */
static int grant_ports(const capos_Grant *g, uint32_t *first, uint32_t *last)
{
	if (g->endpoint[0] || g->kernel != capos_KernelResource_KERNEL_RESOURCE_IOPORT ||
	    g->port_count == 0 || g->port_base >= MANIFEST_PORT_END ||
	    g->port_count > MANIFEST_PORT_END - g->port_base)
		return 0;
	*first = g->port_base;
	*last = g->port_base + g->port_count - 1u;
	return 1;
}

static int shutdown_may_hold(const capos_Component *c, uint32_t a, uint32_t b)
{
	if (strcmp(c->binary, MANIFEST_SHUTDOWN_BINARY))
		return 0;
	for (uint32_t k = 0; k < MANIFEST_N_SHUTDOWN_PORTS; k++)
		if (manifest_shutdown_ports[k].first <= a && b <= manifest_shutdown_ports[k].last)
			return 1;
	return 0;
}

/* I/O ports and IRQ lines: one holder each (ports: one component; an IRQ
 * line: one grant), and no port the kernel or the platform keeps, but the
 * shutdown component's power and reset registers. */
static int check_devices(const capos_System *sys)
{
	for (uint32_t i = 0; i < sys->components_count; i++) {
		const capos_Component *c = &sys->components[i];
		for (pb_size_t j = 0; j < c->caps_count; j++) {
			const capos_Grant *g = &c->caps[j];
			uint32_t first, last;
			if (!g->endpoint[0] && g->kernel == capos_KernelResource_KERNEL_RESOURCE_IRQ) {
				for (uint32_t i0 = 0; i0 <= i; i0++) {
					const capos_Component *c0 = &sys->components[i0];
					for (pb_size_t j0 = 0; j0 < (i0 == i ? j : c0->caps_count); j0++) {
						const capos_Grant *g0 = &c0->caps[j0];
						if (!g0->endpoint[0] && g0->irq == g->irq &&
						    g0->kernel == capos_KernelResource_KERNEL_RESOURCE_IRQ)
							return fail(MANIFEST_RULE_IRQ_SHARED,
								    "component '%s' cap '%s' irq %u is "
								    "granted already to component '%s'",
								    c->name, g->name, (unsigned)g->irq,
								    c0->name);
					}
				}
			}
			if (!grant_ports(g, &first, &last))
				continue;
			for (uint32_t k = 0; k < MANIFEST_N_RESERVED_PORTS; k++) {
				const struct manifest_port_range *r = &manifest_reserved_ports[k];
				uint32_t a = first > r->first ? first : r->first;
				uint32_t b = last < r->last ? last : r->last;
				if (a <= b && !shutdown_may_hold(c, a, b))
					return fail(MANIFEST_RULE_IOPORT_RESERVED, "component '%s' cap "
						    "'%s' ports %#x-%#x include %s, which the kernel "
						    "or the platform keeps", c->name, g->name,
						    (unsigned)first, (unsigned)last, r->words);
			}
			for (uint32_t i0 = 0; i0 < i; i0++) {
				const capos_Component *c0 = &sys->components[i0];
				for (pb_size_t j0 = 0; j0 < c0->caps_count; j0++) {
					uint32_t f0, l0;
					if (grant_ports(&c0->caps[j0], &f0, &l0) && first <= l0 &&
					    f0 <= last)
						return fail(MANIFEST_RULE_IOPORT_SHARED, "component '%s' "
							    "cap '%s' ports %#x-%#x overlap ports of "
							    "component '%s'", c->name, g->name,
							    (unsigned)first, (unsigned)last, c0->name);
				}
			}
		}
	}
	return 0;
}

/* Quotas nest: the components' pages (twice for a SPAWNER holder, whose
 * children may take as much again) and the largest once more (an upgrade
 * runs beside the old instance) fit in what init can give; manifest.py's
 * check_init_pages, stopping at the same component. */
static int check_init_pages(const capos_System *sys)
{
	const uint64_t budget = MANIFEST_INIT_PAGES - MANIFEST_INIT_OWN_PAGES;
	uint64_t total = 0, largest = 0;
	for (uint32_t i = 0; i < sys->components_count; i++) {
		const capos_Component *c = &sys->components[i];
		const capos_Profile *p = init_profile(sys, c->profile);
		if (!p)
			continue; /* refused as profile_ref before this */
		int spawns = 0;
		for (pb_size_t j = 0; j < c->caps_count; j++)
			spawns |= !c->caps[j].endpoint[0] &&
				  c->caps[j].kernel == capos_KernelResource_KERNEL_RESOURCE_SPAWNER;
		total += (uint64_t)p->limits.max_pages * (spawns ? 2 : 1);
		if (p->limits.max_pages > largest)
			largest = p->limits.max_pages;
		if (total + largest > budget)
			return fail(MANIFEST_RULE_INIT_PAGES, "component '%s' brings the components' "
				    "pages to %lu (and %lu for an upgrade), more than init can give: "
				    "%lu", c->name, (unsigned long)total, (unsigned long)largest,
				    (unsigned long)budget);
	}
	return 0;
}

int init_check_manifest(const capos_System *sys, int (*binary_pages)(const char *name),
			char *why, size_t n)
{
	int rule;
	g_why = why;
	g_n = n;
	why[0] = '\0';
	if ((rule = check_system(sys)) || (rule = check_profiles(sys)))
		return rule;
	for (uint32_t i = 0; i < sys->components_count; i++)
		if ((rule = check_component(sys, i, binary_pages)))
			return rule;
	if ((rule = check_devices(sys)) || (rule = check_init_pages(sys)))
		return rule;
	uint32_t order[MAX_COMPONENTS];
	if (!init_start_order(sys, order))
		return fail(MANIFEST_RULE_CYCLE, "the components' endpoint grants form a dependency "
			    "cycle");
	return MANIFEST_RULE_OK;
}
