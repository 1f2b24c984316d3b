#include "util/json.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int json_parse_text(const char *text, size_t len, json_object **ret, husk_error **err)
{
	json_tokener *tok = json_tokener_new();
	if (tok == NULL)
		return husk_fail(err, ENOMEM, "parse JSON");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *v = json_tokener_parse_ex(tok, text, (int) len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (v == NULL && jerr == json_tokener_continue) {
		/* A bare number is complete only once the input ends: say so. */
		v = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_continue)
			jerr = json_tokener_error_parse_eof;
	}
	json_tokener_free(tok);
	if (v != NULL && jerr == json_tokener_success) {
		/* Only white space may follow the value (memchr, not strchr:
		 * a NUL byte is not white space). */
		while (end < len && text[end] != '\0' && memchr(" \t\r\n", text[end], 4))
			end++;
		if (end == len) {
			*ret = v;
			return 0;
		}
		jerr = json_tokener_error_parse_unexpected;
	}
	json_object_put(v);
	int line = 1, col = 1;
	for (size_t i = 0; i < end && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return husk_fail(err, 0, "invalid JSON at line %d, column %d: %s", line, col,
			 json_tokener_error_desc(jerr));
}

bool json_text_has_nul(const char *text, size_t len)
{
	static const char esc[] = "\\u0000";
	const char *end = text + len, *p = text;
	while ((p = memmem(p, (size_t) (end - p), esc, sizeof(esc) - 1)) != NULL) {
		/* An escape only when the backslashes before it are even in
		 * number: \\u0000 is an escaped backslash, then "u0000". */
		size_t before = 0;
		while (p - before > text && p[-(ptrdiff_t) before - 1] == '\\')
			before++;
		if (before % 2 == 0)
			return true;
		p++;
	}
	return false;
}

char *json_to_string(json_object *v, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	const char *s = json_object_to_json_string_ext(v, flags);
	return s ? strdup(s) : NULL;
}
