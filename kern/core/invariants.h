#ifndef KERN_CORE_INVARIANTS_H
#define KERN_CORE_INVARIANTS_H

#include <stdint.h>

/*
 * Walks every kernel object and checks the invariants that teardown and
 * reference counting must keep; returns the number of violations (each is
 * also printed). Built when CAPOS_INVARIANT_CHECKS is defined (tests), and
 * reachable through KernelInfo.check_invariants.
 */
uint64_t kernel_check_invariants(uint64_t *objects_checked);

#endif
