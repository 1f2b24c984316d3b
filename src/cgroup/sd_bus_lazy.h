/* libsystemd's sd-bus, loaded on first use by the systemd cgroup driver.
 *
 * husk starts once per container operation and only --systemd-cgroup
 * talks to systemd: linking libsystemd (and the seven libraries it pulls
 * in) made every start pay for their loading and relocation.  The driver
 * calls sd-bus through this table instead, which sd_bus_lazy_load() fills
 * with dlopen/dlsym.  <systemd/sd-bus.h> still gives the types and the
 * prototypes the pointers are checked against. */
#ifndef HUSK_CGROUP_SD_BUS_LAZY_H
#define HUSK_CGROUP_SD_BUS_LAZY_H

#include <systemd/sd-bus.h>

#include "util/error.h"

/* The sd_bus_<name> functions the driver calls. */
#define SD_BUS_LAZY_FUNCTIONS(X) \
	X(open_system) X(new) X(set_address) X(start) X(unref) X(flush_close_unref) \
	X(get_property_string) X(call_method) X(call) X(process) X(wait) X(match_signal) \
	X(slot_unref) X(message_new_method_call) X(message_unref) X(message_read) \
	X(message_append) X(message_append_array) X(message_open_container) \
	X(message_close_container) X(error_is_set) X(error_has_name) X(error_free)

struct sd_bus_lazy {
#define SD_BUS_LAZY_FIELD(name) typeof(sd_bus_##name) *name;
	SD_BUS_LAZY_FUNCTIONS(SD_BUS_LAZY_FIELD)
#undef SD_BUS_LAZY_FIELD
};

/* Filled by sd_bus_lazy_load(); call nothing in it before that succeeded. */
extern struct sd_bus_lazy sd_bus_lazy;

/* Loads libsystemd.so.0 once and fills sd_bus_lazy (again: a no-op). */
int sd_bus_lazy_load(husk_error **err);

#endif
