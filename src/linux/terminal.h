/* process.terminal: a pty made inside the container (its own devpts), the
 * slave becoming the process's controlling terminal and stdio, the master
 * sent to whoever asked for it over a unix socket (runc's console-socket
 * protocol: SCM_RIGHTS plus the pty's name). */
#ifndef HUSK_LINUX_TERMINAL_H
#define HUSK_LINUX_TERMINAL_H

#include <stdbool.h>
#include "util/error.h"

/* In the container process, after pivot_root.  console_sock: a connected
 * unix socket the master goes to.  mount_console: bind the slave over
 * /dev/console.  rows/cols: the initial size, 0 to leave it. */
int terminal_setup(int console_sock, bool mount_console, unsigned rows, unsigned cols,
		   husk_error **err);

/* Connects to a console socket path given on the command line. */
int terminal_connect(const char *path, husk_error **err);

/* Receives the master fd sent by terminal_setup(). */
int terminal_recv_master(int sock, husk_error **err);

/* Relays between the caller's stdin/stdout and a pty master in the
 * foreground; see core/foreground.c. */

#endif
