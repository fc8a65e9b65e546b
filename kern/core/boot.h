#ifndef KERN_CORE_BOOT_H
#define KERN_CORE_BOOT_H

#include <capos/bootinfo.h>

#include "lib/bootpkg.h"

/*
 * Runs the boot package's programs as root tasks, one after another: each
 * starts when the previous one has died and been reaped, so every run
 * begins from the same free-frame count (printed, for the tests). When the
 * last one is gone the machine shuts down cleanly. Issue 6 replaces this
 * with a single init that reads the manifest.
 */
void boot_start(const struct capos_boot_info *bi, const struct bootpkg *pkg);

#endif
