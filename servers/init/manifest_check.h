/*
 * manifest_check.h - init's boot-time re-validation of the manifest
 * (manifest_check.c) and the lookups build.c shares with it. Depends only
 * on the decoded manifest (nanopb's capos_System) and the generated rule
 * tables, so the same file is built for the host and checked there against
 * every refused fixture of tests/manifest (tests/manifest/check_init.py).
 */
#ifndef INIT_MANIFEST_CHECK_H
#define INIT_MANIFEST_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.pb.h"
#include "manifest_rules.h"

/* 0 (MANIFEST_RULE_OK) if the manifest may be built; else the rule it
 * breaks (enum manifest_rule, the code codegen/manifest.py tags the same
 * problem with) and why, one sentence, in `why`. Stops at the first
 * problem. binary_pages(name) is the number of pages the package's program
 * `name` loads, or -1 when the package holds no such program. */
int init_check_manifest(const capos_System *sys, int (*binary_pages)(const char *name),
			char *why, size_t n);
/* policy_check.c: the BrokerPolicy rules (MANIFEST_RULE_BROKER_POLICY and
 * why, or 0). */
int init_check_broker_policy(const capos_System *sys, char *why, size_t n);
/* Start order: dependencies (served endpoints) before their clients.
 * Returns 0 on a cycle (init_check_manifest reports it first). */
int init_start_order(const capos_System *sys, uint32_t *order);
/* Component params: a well-formed key; one init sets itself. */
int init_param_key_ok(const char *key);
int init_param_reserved(const char *key);
/* The profile a component names, or NULL. */
const capos_Profile *init_profile(const capos_System *sys, const char *name);
/* "component.endpoint" -> component index and serve index; 0 if none. */
int init_resolve_endpoint(const capos_System *sys, const char *ref, uint32_t *comp,
			  uint32_t *serve);
/* The CAPOS_RIGHT_* a grant asks for: its rights list, or when that is
 * empty the default of its source (the generated rights table). */
uint32_t init_grant_rights(const capos_Grant *g);

#endif
