/*
 * invoke.c - a Call on a cap that is not an endpoint lands here: pick the
 * object type's method table. Each object decodes and runs its own methods
 * in kern/object/<object>.c, after the generic checks of object/method.c
 * (rights, object state, label, argument length; docs/kernel.md, "Adding a
 * kernel method").
 */
#include <stddef.h>

#include "core/invoke.h"
#include "object/method.h"

capos_status_t invoke_kernel_object(struct thread *t, struct cap *c)
{
	if (t->ipc->len > CAPOS_MSG_BODY_MAX)
		return CAPOS_INVALID_ARGUMENT;
	const struct kmethod_table *tab;
	switch (c->type) {
	case CAPOS_CAP_CAP_MANAGER:
		tab = &capmgr_methods;
		break;
	case CAPOS_CAP_PROCESS:
		tab = &process_methods;
		break;
	case CAPOS_CAP_THREAD:
		tab = &thread_methods;
		break;
	case CAPOS_CAP_IOPORT:
		tab = &ioport_methods;
		break;
	case CAPOS_CAP_KERNEL_INFO:
		tab = &kernel_info_methods;
		break;
	case CAPOS_CAP_SHARED_BUFFER:
		tab = &shared_buffer_methods;
		break;
	case CAPOS_CAP_IRQ_CONTROL:
		tab = &irq_control_methods;
		break;
	case CAPOS_CAP_IRQ_HANDLER:
		tab = &irq_handler_methods;
		break;
	case CAPOS_CAP_PROCESS_CONTROL:
		tab = &process_control_methods;
		break;
	default:
		/* Endpoint, Reply and Notification never get here (syscall.c);
		 * Endpoint methods the kernel answers are reached through the
		 * CapabilityManager (object/capmgr.c). */
		return CAPOS_WRONG_TYPE;
	}
	return kmethod_invoke(tab, t, c);
}
