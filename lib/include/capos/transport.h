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
#include <capos/rpc.h>

uint8_t *capos_transport_buffer(void);
#define CAPOS_TRANSPORT_BUFFER_SIZE CAPOS_MSG_BODY_MAX

/* Sends label + len bytes of the buffer to cap, with the caps in send
 * (NULL: none; moved or copied as its move bits say), and waits for the
 * reply: *reply_label and *reply_len describe it, *received (count 0 on
 * any status but OK) the caps it carried, in new slots of the caller's
 * table (received NULL: they are dropped). Returns the transport status
 * (INVALID_CAP, DISCONNECTED, LIMIT_EXCEEDED, ...); CAPOS_OK means a reply
 * arrived. */
capos_status_t capos_transport_call(capos_cap_t cap, uint64_t label, uint32_t len,
				    const struct capos_cap_list *send, uint64_t *reply_label,
				    uint32_t *reply_len, struct capos_cap_list *received);

/* Deletes caps that arrived but that nobody may keep. On the target,
 * through the program's own CapabilityManager (startup name `capmgr`):
 * a kernel call, so it overwrites this thread's IPC buffer. A program
 * without `capmgr` cannot delete them: they stay in its table, unused
 * (each costs a slot until the program ends). On the host, the loopback's
 * table forgets them. Entries that are CAPOS_NO_CAP are skipped. */
void capos_transport_drop(const struct capos_cap_list *caps);

#ifdef CAPOS_HOST
/*
 * Host loopback (lib/src/loopback.c): one in-process cap table of
 * CAPOS_LOOPBACK_SLOTS slots for the whole test program (host tests are
 * one process, so clients and servers share it). A slot is empty, an
 * endpoint (a service binding + the badge its calls carry), or a plain
 * object (an opaque token: a key, a process handle). A Call on an
 * endpoint slot runs the service's dispatcher in the caller. Caps sent
 * are copied (a new slot naming the same thing) or moved (the source slot
 * empties) into the first free slots, all or none, as the kernel does;
 * the handler's leftovers are deleted after the dispatch; reply caps go
 * to new slots for the caller.
 */
#define CAPOS_LOOPBACK_SLOTS 64u

/* Makes cap an endpoint of svc, calls through it carrying `badge`
 * (whatever the slot held before is dropped). */
void capos_loopback_register(capos_cap_t cap, struct capos_rpc_service svc, uint64_t badge);
/* Empties every slot. */
void capos_loopback_reset(void);
/* The next n Calls on cap's endpoint fail in the transport with st (a
 * server that died, say), before reaching the dispatcher. */
void capos_loopback_fail_next(capos_cap_t cap, capos_status_t st, int n);
/* Calls that reached the dispatcher of cap's endpoint since it was
 * registered (through any cap to it). */
uint64_t capos_loopback_delivered(capos_cap_t cap);
/* A plain object with `token` in the first free slot; CAPOS_NO_CAP when
 * the table is full. */
capos_cap_t capos_loopback_new_object(uint64_t token);
/* A second cap to ep's service with another badge (how a host-tested
 * server hands out per-client caps), in the first free slot;
 * CAPOS_NO_CAP when ep is not an endpoint or the table is full. */
capos_cap_t capos_loopback_mint(capos_cap_t ep, uint64_t badge);
/* 1 if the slot holds a cap. */
int capos_loopback_cap_present(capos_cap_t cap);
/* A plain object's token; 0 for an empty slot or an endpoint. */
uint64_t capos_loopback_cap_token(capos_cap_t cap);
/* Occupied slots (to check that nothing leaked). */
uint32_t capos_loopback_caps_used(void);
#endif

#endif
