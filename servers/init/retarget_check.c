/*
 * retarget_check.c - may an endpoint move to a component (retarget_check.h).
 * A component speaks an interface when its manifest entry serves some
 * endpoint with that interface id: that is its declaration that its code
 * dispatches the interface's methods.
 */
#include <string.h>

#include "retarget_check.h"

static int find_component(const capos_System *sys, const char *name, size_t len,
			  uint32_t *out)
{
	for (pb_size_t i = 0; i < sys->components_count; i++)
		if (strlen(sys->components[i].name) == len &&
		    memcmp(sys->components[i].name, name, len) == 0) {
			*out = i;
			return 1;
		}
	return 0;
}

capos_status_t init_retarget_check(const capos_System *sys, const char *endpoint,
				   const char *target, uint32_t *from, uint32_t *serve,
				   uint32_t *to)
{
	const char *dot = strchr(endpoint, '.');
	if (!dot || !find_component(sys, endpoint, (size_t)(dot - endpoint), from))
		return CAPOS_NOT_FOUND;
	const capos_Component *src = &sys->components[*from];
	pb_size_t j;
	for (j = 0; j < src->serves_count; j++)
		if (strcmp(src->serves[j].name, dot + 1) == 0)
			break;
	if (j == src->serves_count || !find_component(sys, target, strlen(target), to))
		return CAPOS_NOT_FOUND;
	*serve = j;
	if (*to == *from)
		return CAPOS_INVALID_ARGUMENT;
	const capos_Component *dst = &sys->components[*to];
	for (pb_size_t k = 0; k < dst->serves_count; k++)
		if (dst->serves[k].interface_id == src->serves[j].interface_id)
			return CAPOS_OK;
	return CAPOS_WRONG_TYPE;
}

int init_retarget_takes(const capos_Component *c)
{
	int thread = 0, ntfn = 0, capmgr = 0;
	for (pb_size_t i = 0; i < c->caps_count; i++) {
		const capos_Grant *g = &c->caps[i];
		if (g->endpoint[0])
			continue;
		if (g->kernel == capos_KernelResource_KERNEL_RESOURCE_THREAD)
			thread = 1;
		else if (g->kernel == capos_KernelResource_KERNEL_RESOURCE_NOTIFICATION)
			ntfn = 1;
		else if (g->kernel == capos_KernelResource_KERNEL_RESOURCE_CAP_MANAGER) {
			int write = g->rights_count == 0; /* the default has WRITE */
			for (pb_size_t k = 0; k < g->rights_count; k++)
				write |= g->rights[k] == capos_GrantRight_GRANT_RIGHT_WRITE;
			capmgr |= write;
		}
	}
	return thread && ntfn && capmgr;
}
