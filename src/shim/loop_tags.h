/* The shim's epoll tags: what an event's fd is (loop.c, attach_server.c). */
#ifndef HUSK_SHIM_LOOP_TAGS_H
#define HUSK_SHIM_LOOP_TAGS_H

#include <stdint.h>

enum { TAG_SIGNAL = 1, TAG_OUT, TAG_ERR, TAG_LISTEN, TAG_CLIENT };
#define TAG(kind, fd) (((uint64_t) (kind) << 32) | (uint32_t) (fd))
#define TAG_KIND(u) ((int) ((u) >> 32))
#define TAG_FD(u) ((int) (uint32_t) (u))

#endif
