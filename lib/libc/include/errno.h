/* errno.h - one errno per process (the runtime's threads share it). */
#ifndef CAPOS_LIBC_ERRNO_H
#define CAPOS_LIBC_ERRNO_H

int *__errno_location(void);
#define errno (*__errno_location())

#define ENOENT 2
#define EIO    5
#define EBADF  9
#define ENOMEM 12
#define EINVAL 22
#define ERANGE 34
#define ENOSYS 38

#endif
