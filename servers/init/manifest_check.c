/*
 * manifest_check.c - init's boot-time re-validation of the manifest. The
 * build's validator (codegen/manifest.py) has already checked it; init
 * checks again what can be checked here, because the package on the disk
 * is outside the build's control. Same rules, same limits (docs/init.md):
 * names, references, duplicates, priorities, rights, profiles big enough,
 * no dependency cycle. Stops at the first problem.
 */
#include <stdarg.h>
#include <string.h>

#include <capos/debug.h>

#include "init.h"

#define PRIORITY_MIN 1u
#define PRIORITY_MAX 254u
#define RUNTIME_SLOTS 2u  /* the runtime's margin (init uses one for `ready`) */
#define STACK_PAGES CAPOS_USER_STACK_PAGES
#define RUNTIME_PAGES 8u
#define IRQ_MAX 15u
#define PORT_END 0x10000u
#define INTERFACE_MAX 0xffffu

/* Rights a grant may ask for, per source, and what an empty list means. */
#define R(x) (1u << capos_GrantRight_GRANT_RIGHT_##x)
struct rights_rule {
	uint32_t allowed, dflt;
	const char *words;
};

static struct rights_rule rule_for(const capos_Grant *g)
{
	if (g->endpoint[0])
		return (struct rights_rule){ R(SEND) | R(GRANT), R(SEND), "an endpoint grant" };
	switch (g->kernel) {
	case capos_KernelResource_KERNEL_RESOURCE_IOPORT:
		return (struct rights_rule){ R(READ) | R(WRITE), R(READ) | R(WRITE), "an IOPORT grant" };
	case capos_KernelResource_KERNEL_RESOURCE_IRQ:
		return (struct rights_rule){ R(SEND) | R(RECV), R(RECV), "an IRQ grant" };
	case capos_KernelResource_KERNEL_RESOURCE_KERNEL_INFO:
		return (struct rights_rule){ R(READ), R(READ), "a KERNEL_INFO grant" };
	case capos_KernelResource_KERNEL_RESOURCE_SPAWNER:
		return (struct rights_rule){ R(SEND) | R(GRANT), R(SEND), "a SPAWNER grant" };
	case capos_KernelResource_KERNEL_RESOURCE_CAP_MANAGER:
		return (struct rights_rule){ R(READ) | R(WRITE) | R(GRANT) | R(CONTROL),
					     R(READ) | R(WRITE) | R(GRANT) | R(CONTROL),
					     "a CAP_MANAGER grant" };
	case capos_KernelResource_KERNEL_RESOURCE_PROCESS_CONTROL:
		return (struct rights_rule){ R(READ) | R(CONTROL), R(READ),
					     "a PROCESS_CONTROL grant" };
	case capos_KernelResource_KERNEL_RESOURCE_THREAD:
		return (struct rights_rule){ R(CONTROL), R(CONTROL), "a THREAD grant" };
	case capos_KernelResource_KERNEL_RESOURCE_NOTIFICATION:
		return (struct rights_rule){ R(SEND) | R(RECV), R(SEND) | R(RECV),
					     "a NOTIFICATION grant" };
	default:
		return (struct rights_rule){ 0, 0, "a grant" };
	}
}

int init_param_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > CAPOS_STARTUP_PARAM_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		      k[i] == '.'))
			return 0;
	return 1;
}

int init_param_reserved(const char *k)
{
	return !strcmp(k, "hostname") || !strcmp(k, "log_level") ||
	       !strcmp(k, "log_ring_records") || !strcmp(k, "seed_utc_seconds") ||
	       !strncmp(k, "badge.", 6);
}

static char *g_why;
static size_t g_n;

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(g_why, g_n, fmt, ap);
	va_end(ap);
	return -1;
}

static int name_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (n == 0 || n >= max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
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
	uint8_t placed[INIT_MAX_COMPONENTS] = { 0 };
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

static int check_profiles(const capos_System *sys)
{
	for (pb_size_t i = 0; i < sys->profiles_count; i++) {
		const capos_Profile *p = &sys->profiles[i];
		if (!name_ok(p->name, sizeof(p->name)))
			return fail("profile #%u has no valid name", (unsigned)i + 1);
		for (pb_size_t k = 0; k < i; k++)
			if (!strcmp(sys->profiles[k].name, p->name))
				return fail("profile '%s' is defined twice", p->name);
		if (!p->has_limits)
			return fail("profile '%s' has no limits", p->name);
		if (p->limits.max_threads == 0)
			return fail("profile '%s' allows 0 threads", p->name);
		if (p->limits.max_slots == 0 || p->limits.max_pages == 0)
			return fail("profile '%s' allows 0 slots or 0 pages", p->name);
	}
	return 0;
}

/* Local names (serves, caps, watches) share the startup page; `ready` is
 * init's own (docs/init.md). */
static int check_local_names(const capos_Component *c)
{
	const char *names[INIT_MAX_SERVES + 12 + 4];
	uint32_t k = 0;
	for (pb_size_t j = 0; j < c->serves_count; j++)
		names[k++] = c->serves[j].name;
	for (pb_size_t j = 0; j < c->caps_count; j++)
		names[k++] = c->caps[j].name;
	for (pb_size_t j = 0; j < c->watches_count; j++)
		names[k++] = c->watches[j].name;
	for (uint32_t a = 0; a < k; a++) {
		if (!name_ok(names[a], 24))
			return fail("component '%s' has a local name '%s' that is empty or not "
				    "letters, digits, '_' and '-'", c->name, names[a]);
		if (!strcmp(names[a], "ready"))
			return fail("component '%s' uses the local name 'ready', which init "
				    "keeps for its readiness notification", c->name);
		for (uint32_t b = 0; b < a; b++)
			if (!strcmp(names[a], names[b]))
				return fail("component '%s' uses the local name '%s' twice", c->name,
					    names[a]);
	}
	return 0;
}

static int check_grant(const capos_System *sys, uint32_t i, const capos_Grant *g)
{
	const char *cn = sys->components[i].name;
	if (g->endpoint[0] && g->kernel)
		return fail("component '%s' cap '%s' sets both endpoint and kernel", cn, g->name);
	if (!g->endpoint[0] && !g->kernel)
		return fail("component '%s' cap '%s' sets neither endpoint nor kernel", cn, g->name);
	if (g->kernel > capos_KernelResource_KERNEL_RESOURCE_NOTIFICATION)
		return fail("component '%s' cap '%s' names unknown kernel resource %d", cn, g->name,
			    (int)g->kernel);
	uint32_t dc, ds;
	if (g->endpoint[0] && !init_resolve_endpoint(sys, g->endpoint, &dc, &ds))
		return fail("component '%s' cap '%s' names endpoint '%s', which no component serves",
			    cn, g->name, g->endpoint);
	int ioport = g->kernel == capos_KernelResource_KERNEL_RESOURCE_IOPORT;
	if (!ioport && (g->port_base || g->port_count))
		return fail("component '%s' cap '%s' sets ports but is not an IOPORT grant", cn,
			    g->name);
	if (ioport && (g->port_count == 0 || g->port_base >= PORT_END ||
		       g->port_base + g->port_count > PORT_END))
		return fail("component '%s' cap '%s' has an empty or out-of-range port range", cn,
			    g->name);
	if (g->kernel != capos_KernelResource_KERNEL_RESOURCE_IRQ && g->irq)
		return fail("component '%s' cap '%s' sets irq but is not an IRQ grant", cn, g->name);
	if (g->kernel == capos_KernelResource_KERNEL_RESOURCE_IRQ && g->irq > IRQ_MAX)
		return fail("component '%s' cap '%s' irq %u is outside 0-15", cn, g->name,
			    (unsigned)g->irq);
	if (g->kernel == capos_KernelResource_KERNEL_RESOURCE_IRQ && strlen(g->name) > 19)
		return fail("component '%s' cap '%s': an IRQ grant's name must leave room for "
			    "'_ack' (19 characters at most)", cn, g->name);
	if (g->badge && !g->endpoint[0])
		return fail("component '%s' cap '%s' asks for a badge, which only an endpoint "
			    "grant can carry", cn, g->name);
	struct rights_rule rr = rule_for(g);
	uint32_t seen = 0;
	for (pb_size_t k = 0; k < g->rights_count; k++) {
		uint32_t r = (uint32_t)g->rights[k];
		if (r == 0 || r > capos_GrantRight_GRANT_RIGHT_CONTROL)
			return fail("component '%s' cap '%s' lists right NONE or an unknown right", cn,
				    g->name);
		if (seen & (1u << r))
			return fail("component '%s' cap '%s' lists a right twice", cn, g->name);
		seen |= 1u << r;
		if (!(rr.allowed & (1u << r)))
			return fail("component '%s' cap '%s' asks for more rights than %s carries", cn,
				    g->name, rr.words);
	}
	return 0;
}

static int check_component(const capos_System *sys, uint32_t i,
			   int (*binary_pages)(const char *name))
{
	const capos_Component *c = &sys->components[i];
	if (!name_ok(c->name, sizeof(c->name)))
		return fail("component #%u has no valid name", (unsigned)i + 1);
	for (uint32_t k = 0; k < i; k++)
		if (!strcmp(sys->components[k].name, c->name))
			return fail("component '%s' is defined twice", c->name);
	if (!c->binary[0] || !strcmp(c->binary, "init") || !strcmp(c->binary, "manifest"))
		return fail("component '%s' has no usable binary", c->name);
	int load = binary_pages(c->binary);
	if (load < 0)
		return fail("component '%s' binary '%s' is not a program in the boot package",
			    c->name, c->binary);
	if (c->priority < PRIORITY_MIN || c->priority > PRIORITY_MAX)
		return fail("component '%s' priority %u is outside 1-254", c->name,
			    (unsigned)c->priority);
	if ((uint32_t)c->restart > capos_RestartPolicy_RESTART_ALWAYS)
		return fail("component '%s' has an unknown restart policy", c->name);
	if (c->max_restarts && c->restart == capos_RestartPolicy_RESTART_NEVER)
		return fail("component '%s' sets max_restarts with RESTART_NEVER", c->name);
	for (pb_size_t j = 0; j < c->serves_count; j++) {
		if (c->serves[j].interface_id > INTERFACE_MAX)
			return fail("component '%s' endpoint '%s' interface id is wider than 16 bits",
				    c->name, c->serves[j].name);
		if (c->serves[j].interface_id && c->serves[j].interface_id < 0x100)
			return fail("component '%s' endpoint '%s' interface id is reserved",
				    c->name, c->serves[j].name);
	}
	if (check_local_names(c))
		return -1;
	for (pb_size_t j = 0; j < c->caps_count; j++)
		if (check_grant(sys, i, &c->caps[j]))
			return -1;
	for (pb_size_t j = 0; j < c->watches_count; j++) {
		uint32_t dc, ds;
		const capos_Watch *w = &c->watches[j];
		if (!init_resolve_endpoint(sys, w->endpoint, &dc, &ds))
			return fail("component '%s' watch '%s' names endpoint '%s', which no "
				    "component serves", c->name, w->name, w->endpoint);
		if (dc == i)
			return fail("component '%s' watch '%s' watches its own endpoint", c->name,
				    w->name);
		if (!w->bits)
			return fail("component '%s' watch '%s' has bits 0", c->name, w->name);
	}
	for (pb_size_t j = 0; j < c->params_count; j++) {
		const char *k = c->params[j].key;
		if (!init_param_key_ok(k))
			return fail("component '%s' param key '%s' is not 1-31 of a-z, 0-9, '_', '.'",
				    c->name, k);
		if (init_param_reserved(k))
			return fail("component '%s' param key '%s' is reserved for init", c->name, k);
		for (pb_size_t q = 0; q < j; q++)
			if (!strcmp(c->params[q].key, k))
				return fail("component '%s' param key '%s' is given twice", c->name, k);
	}
	const capos_Profile *p = init_profile(sys, c->profile);
	if (!p)
		return fail("component '%s' profile '%s' is not defined", c->name, c->profile);
	uint32_t slots = c->caps_count + c->serves_count + c->watches_count + RUNTIME_SLOTS;
	if (p->limits.max_slots < slots)
		return fail("component '%s' needs %u capability slots but profile '%s' has %u",
			    c->name, (unsigned)slots, p->name, (unsigned)p->limits.max_slots);
	uint32_t eps = c->serves_count + c->watches_count;
	if (p->limits.max_endpoints < eps)
		return fail("component '%s' needs %u endpoints but profile '%s' has %u", c->name,
			    (unsigned)eps, p->name, (unsigned)p->limits.max_endpoints);
	uint32_t pages = (uint32_t)load + STACK_PAGES + RUNTIME_PAGES;
	if (p->limits.max_pages < pages)
		return fail("component '%s' needs at least %u pages but profile '%s' has %u",
			    c->name, (unsigned)pages, p->name, (unsigned)p->limits.max_pages);
	return 0;
}

int init_check_manifest(const capos_System *sys, int (*binary_pages)(const char *name),
			char *why, size_t n)
{
	g_why = why;
	g_n = n;
	why[0] = '\0';
	if (sys->components_count == 0)
		return fail("the manifest has no components");
	if (sys->components_count > INIT_MAX_COMPONENTS)
		return fail("too many components");
	if (check_profiles(sys))
		return -1;
	for (uint32_t i = 0; i < sys->components_count; i++)
		if (check_component(sys, i, binary_pages))
			return -1;
	uint32_t order[INIT_MAX_COMPONENTS];
	if (!init_start_order(sys, order))
		return fail("the components' endpoint grants form a dependency cycle");
	return 0;
}
