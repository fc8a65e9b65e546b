/*
 * typed_ops.c - a typed service binding takes only its own ops struct
 * (run_tests.py typed): as it stands this compiles with -Werror; with
 * -DWRONG_SERVICE (Clock's ops given to KeyValueStore's constructor) or
 * -DWRONG_DISPATCH (to its dispatcher) it must not.
 */
#include "golden.capos.h"

struct capos_rpc_service bind_clock(const struct clock_ops *ops);
capos_status_t run_clock(const struct clock_ops *ops, struct capos_rpc_request *rq);

struct capos_rpc_service bind_clock(const struct clock_ops *ops)
{
#ifdef WRONG_SERVICE
	return keyvaluestore_service(ops, NULL);
#else
	return clock_service(ops, NULL);
#endif
}

capos_status_t run_clock(const struct clock_ops *ops, struct capos_rpc_request *rq)
{
#ifdef WRONG_DISPATCH
	return keyvaluestore_dispatch(ops, NULL, rq);
#else
	return clock_dispatch(ops, NULL, rq);
#endif
}
