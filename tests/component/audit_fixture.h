/*
 * audit_fixture.h - reading the real audit server's records back over the
 * loopback in cmocka component tests (test_debug.c, test_init_audit.c):
 * what a server under test recorded is checked as a client of the log
 * sees it, through AuditLog.Read. Each call fails the test when the log
 * does not answer.
 */
#ifndef TESTS_COMPONENT_AUDIT_FIXTURE_H
#define TESTS_COMPONENT_AUDIT_FIXTURE_H

#include <stdint.h>

#include "audit.capos.h"

/* The record at sequence seq (1-based) of the log at `log`; exactly one
 * must come back. */
capos_AuditRecord afx_record(capos_cap_t log, uint64_t seq);

/* The log's last record; there must be one. */
capos_AuditRecord afx_latest(capos_cap_t log);

/* The sequence number of the log's last record (0: none yet). */
uint64_t afx_last(capos_cap_t log);

#endif
