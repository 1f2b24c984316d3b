#ifndef HUSK_UTIL_PROC_H
#define HUSK_UTIL_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* Start time (field 22 of /proc/<pid>/stat, clock ticks since boot), 0
 * when the process is gone or a zombie. */
unsigned long long proc_start_time(pid_t pid);
/* True when pid is alive and is the process started at start_time. */
bool proc_alive(pid_t pid, unsigned long long start_time);

#endif
