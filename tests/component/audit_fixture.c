/*
 * audit_fixture.c - AuditLog.Read for the component tests
 * (audit_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_fixture.h"

capos_AuditRecord afx_record(capos_cap_t log, uint64_t seq)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_AuditReadResult r;
	f.cursor = seq;
	f.max = 1;
	assert_int_equal(auditlog_read(log, &f, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 1);
	return r.records[0];
}

capos_AuditRecord afx_latest(capos_cap_t log)
{
	return afx_record(log, afx_last(log));
}

uint64_t afx_last(capos_cap_t log)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_AuditReadResult r;
	f.max = 1;
	assert_int_equal(auditlog_read(log, &f, &r), CAPOS_OK);
	return r.last_sequence;
}
