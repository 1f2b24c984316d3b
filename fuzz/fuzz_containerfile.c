/* A Containerfile as husk build reads it (containerfile_parse: here-
 * documents, flags, HEALTHCHECK, ONBUILD triggers again through
 * instr_parse), then every instruction's words through the shell lexer (shlex.c) with ARG-like
 * variables set, as the steps substitute them. */
#include "fuzz.h"

#include "build/parse.h"
#include "build/shlex.h"
#include "util/error.h"

static const char *lookup(void *ctx, const char *name)
{
	(void) ctx;
	if (strcmp(name, "A") == 0)
		return "a value";
	return strcmp(name, "E") == 0 ? "" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	husk_error *err = NULL;
	struct containerfile cf;
	if (containerfile_parse(text, size, "Containerfile", &cf, &err) == 0) {
		struct shlex sh = { .escape = cf.escape, .lookup = lookup };
		for (size_t i = 0; i < cf.n; i++) {
			if (cf.v[i].exec_form)
				continue;
			char **words = NULL, *word = NULL;
			if (shlex_words(&sh, cf.v[i].rest, &words, &err) == 0) {
				for (char **w = words; *w; w++)
					free(*w);
				free(words);
			}
			husk_error_freep(&err);
			if (shlex_word(&sh, cf.v[i].rest, &word, &err) == 0)
				free(word);
			husk_error_freep(&err);
			instr_flag(&cf.v[i], "from");
			for (char **h = cf.v[i].heredocs; *h; h++)
				if (strlen(*h) > (size_t) -2)
					abort();   /* every body a string */
			if (cf.v[i].kind == I_ONBUILD) {
				/* the trigger as it is parsed when it runs */
				struct instr *t = NULL;
				if (instr_parse(cf.v[i].rest, "Containerfile", cf.v[i].line, &t, &err) == 0)
					instr_free(t);
				husk_error_freep(&err);
			}
		}
		containerfile_free(&cf);
	}
	husk_error_free(err);
	free(text);
	return 0;
}
