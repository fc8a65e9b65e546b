/*
 * capos/transport.h - one Call, as capos_rpc_call needs it.
 *
 * The request is encoded straight into capos_transport_buffer() (on the
 * target: this thread's IPC buffer body, so the kernel's single copy is the
 * only one); after the call the reply is in the same buffer.
 */
#ifndef CAPOS_TRANSPORT_H
#define CAPOS_TRANSPORT_H

#include <stdint.h>

#include <capos/abi.h>

uint8_t *capos_transport_buffer(void);
#define CAPOS_TRANSPORT_BUFFER_SIZE CAPOS_MSG_BODY_MAX

/* Sends label + len bytes of the buffer to cap and waits for the reply:
 * *reply_label and *reply_len describe it. Returns the transport status
 * (INVALID_CAP, DISCONNECTED, ...); CAPOS_OK means a reply arrived. */
capos_status_t capos_transport_call(capos_cap_t cap, uint64_t label, uint32_t len,
				    uint64_t *reply_label, uint32_t *reply_len);

#ifdef CAPOS_HOST
/* Host loopback: a Call on `cap` runs dispatch(ops, ctx, request) in the
 * caller, with `badge` as the client's badge. */
#include <capos/rpc.h>
void capos_loopback_register(capos_cap_t cap, capos_rpc_dispatch_fn dispatch,
			     const void *ops, void *ctx, uint64_t badge);
void capos_loopback_reset(void);
/* The next n Calls on cap fail in the transport with st (a server that
 * died, say), before reaching the dispatcher. */
void capos_loopback_fail_next(capos_cap_t cap, capos_status_t st, int n);
/* Calls that reached cap's dispatcher since registration. */
uint64_t capos_loopback_delivered(capos_cap_t cap);
#endif

#endif
