/*
 * retarget_check.h - the rules of ProcessControl.Retarget, free of system
 * calls (host component tests run them on hand-made manifests).
 */
#ifndef INIT_RETARGET_CHECK_H
#define INIT_RETARGET_CHECK_H

#include <stdint.h>

#include <capos/abi.h>

#include "manifest.pb.h"

/* May `endpoint` ("component.endpoint", the manifest's name) move to the
 * component named `target`? On CAPOS_OK, *from and *serve name the endpoint
 * (component index, index in its serves) and *to the target's index.
 *  NOT_FOUND         no such endpoint or component;
 *  INVALID_ARGUMENT  the target already serves it (nothing to move);
 *  WRONG_TYPE        the target declares no served endpoint with the
 *                    endpoint's interface id: it does not speak it. */
capos_status_t init_retarget_check(const capos_System *sys, const char *endpoint,
				   const char *target, uint32_t *from, uint32_t *serve,
				   uint32_t *to);

/* Can component c's service loop take an endpoint while it runs (a serve
 * notice, capos/service.h)? Only with what the loop needs for it: its own
 * thread (to bind a notification), a notification and its table with
 * WRITE (NOTIFY_ARRIVAL). Init refuses a retarget to anything else
 * (UNSUPPORTED) rather than strand the endpoint's callers. Whether its
 * code opted in (take_endpoints) no manifest says. */
int init_retarget_takes(const capos_Component *c);

#endif
