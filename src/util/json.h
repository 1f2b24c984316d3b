/* Small readable names over json-c's type checks. */
#ifndef HUSK_UTIL_JSON_H
#define HUSK_UTIL_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline bool json_is_string(json_object *v) { return json_object_is_type(v, json_type_string); }
static inline bool json_is_boolean(json_object *v) { return json_object_is_type(v, json_type_boolean); }
static inline bool json_is_integer(json_object *v) { return json_object_is_type(v, json_type_int); }
static inline bool json_is_object(json_object *v) { return json_object_is_type(v, json_type_object); }
static inline bool json_is_array(json_object *v) { return json_object_is_type(v, json_type_array); }

/* The member key of obj; NULL when missing or JSON null. */
static inline json_object *json_member(json_object *obj, const char *key)
{
	json_object *v = NULL;
	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* An array of the strings of a NULL-terminated vector (v may be NULL). */
static inline json_object *json_strv(char **v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

/* Integers as the spec uses them: int64 or, above INT64_MAX, uint64 (e.g.
 * RLIM_INFINITY written as 18446744073709551615). */
static inline bool json_is_negative(json_object *v)
{
	return json_object_get_int64(v) < 0;
}

/* A string with a NUL byte inside (the JSON escape \u0000), which every
 * C string would cut short there. */
static inline bool json_string_has_nul(json_object *v)
{
	return strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v);
}

static inline void json_putp(json_object **o)
{
	json_object_put(*o);
	*o = NULL;
}
#define cleanup_json __attribute__((cleanup(json_putp)))

#include "util/error.h"
#include <stddef.h>

/* Parses a whole JSON text; errors say where ("line 3, column 7: ..."). */
int json_parse_text(const char *text, size_t len, json_object **ret, husk_error **err);

/* Whether a JSON text has the escape \u0000 anywhere, keys included: json-c
 * keeps keys as C strings, so a NUL in one cannot be seen after parsing. */
bool json_text_has_nul(const char *text, size_t len);

/* Serialises v (pretty or compact) into a string the caller frees. */
char *json_to_string(json_object *v, bool pretty);

#endif
