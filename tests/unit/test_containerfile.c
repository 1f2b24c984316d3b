/* The Containerfile parser (src/build/parse.c) and the word lexer with
 * variable substitution (src/build/shlex.c). */
#include "tap.h"

#include "build/ignore.h"
#include "build/parse.h"
#include "build/shlex.h"

static int parse(const char *text, struct containerfile *cf, char **msg)
{
	husk_error *err = NULL;
	int r = containerfile_parse(text, strlen(text), "Containerfile", cf, &err);
	*msg = err ? strdup(err->msg) : NULL;
	husk_error_free(err);
	return r;
}

/* text parses (one TAP line, what it is) */
static bool parses(const char *text, struct containerfile *cf, const char *what)
{
	char *msg;
	int r = parse(text, cf, &msg);
	ok(r == 0, "%s parses (%s)", what, msg ? msg : "ok");
	free(msg);
	return r == 0;
}

static void test_basic(void)
{
	struct containerfile cf;
	const char *t = "# syntax=docker/dockerfile:1\n"
			"# comment\n"
			"arg V=1\n"
			"from busybox AS build\n"
			"Run echo a \\\n"
			"  # inside\n"
			"\n"
			"  && echo b\n"
			"COPY --chown=1:2 --from=x [\"a b\", \"c/\"]\n"
			"CMD [\"sh\", \"-c\"]\n"
			"CMD [not json\n"
			"ENV A=1\r\n";
	parses(t, &cf, "a Containerfile");
	is_int((int) cf.n, 7, "7 instructions");
	is_str(cf.v[0].keyword, "ARG", "lower-case arg");
	is_int(cf.v[1].line, 4, "FROM on line 4");
	is_str(cf.v[1].rest, "busybox AS build", "FROM's arguments");
	is_str(cf.v[2].rest, "echo a   && echo b", "continuation joined, comment and empty line dropped");
	is_int(cf.v[2].line, 5, "RUN on its first line");
	ok(cf.v[3].exec_form, "COPY exec form");
	is_str(cf.v[3].args[0], "a b", "COPY first source");
	is_str(instr_flag(&cf.v[3], "chown"), "1:2", "--chown");
	is_str(instr_flag(&cf.v[3], "from"), "x", "--from");
	ok(instr_flag(&cf.v[3], "link") == NULL, "no --link");
	ok(cf.v[4].exec_form && cf.v[4].args[2] == NULL, "CMD exec form, 2 words");
	ok(!cf.v[5].exec_form, "not JSON: the shell form");
	is_str(cf.v[5].rest, "[not json", "shell form text");
	is_str(cf.v[6].rest, "A=1", "CRLF line end");
	containerfile_free(&cf);
}

static void test_escape(void)
{
	struct containerfile cf;
	char *msg;
	ok(parse("# escape=`\nFROM scratch\nCOPY a `\n b\\\n", &cf, &msg) == 0, "escape=` parses");
	free(msg);
	is_int(cf.escape, '`', "escape is a backtick");
	is_str(cf.v[1].rest, "a  b\\", "backtick continues, backslash is plain");
	containerfile_free(&cf);
	ok(parse("FROM scratch\n# escape=`\nCOPY a `\n", &cf, &msg) == 0, "a late directive is a comment");
	is_str(cf.v[1].rest, "a `", "and the backtick is plain");
	free(msg);
	containerfile_free(&cf);
}

static void test_errors(void)
{
	struct containerfile cf;
	char *msg;
	ok(parse("FROM a\n\nFOO bar\n", &cf, &msg) < 0, "unknown instruction fails");
	is_str(msg, "Containerfile:3: unknown instruction \"FOO\"", "with file and line");
	free(msg);
	ok(parse("RUN x\n", &cf, &msg) < 0, "RUN first fails");
	like(msg, "Containerfile:1: the first instruction must be FROM", "says FROM");
	free(msg);
	ok(parse("# only\n", &cf, &msg) < 0, "no FROM fails");
	free(msg);
	ok(parse("FROM a\nWORKDIR\n", &cf, &msg) < 0, "no arguments fails");
	like(msg, ":2: WORKDIR needs arguments", "names the instruction");
	free(msg);
	ok(parse("FROM a\nSHELL sh -c\n", &cf, &msg) < 0, "SHELL shell form fails");
	free(msg);
	ok(parse("# escape=x\nFROM a\n", &cf, &msg) < 0, "a bad escape fails");
	free(msg);
	ok(containerfile_parse("FROM a\0", 7, "F", &cf, &(husk_error *){ NULL }) < 0, "NUL fails");
}

/* BuildKit's here-documents, HEALTHCHECK, ONBUILD and flags husk refuses. */
static void test_buildkit(void)
{
	struct containerfile cf;
	char *msg;
	const char *t = "FROM a\n"
			"RUN <<EOF\n"
			"echo one # not a comment\n"
			"\n"
			"echo two \\\n"
			"EOF\n"
			"RUN cat <<-'A' >/f && cat <<B\n"
			"\tx $y\n"
			"\tA\n"
			"b\n"
			"B\n"
			"COPY <<EOF /dest\n"
			"content\n"
			"EOF\n"
			"RUN echo '<<NOT'\n"
			"HEALTHCHECK --interval=5s --retries=2 CMD [\"true\"]\n"
			"HEALTHCHECK NONE\n"
			"onbuild RUN echo trig\n";
	if (!parses(t, &cf, "here-documents, HEALTHCHECK, ONBUILD"))
		return;
	is_int((int) cf.n, 8, "8 instructions");
	is_str(cf.v[1].rest, "echo one # not a comment\n\necho two \\\n", "a lone <<EOF: its body is the script");
	is_str(cf.v[1].heredocs[0], cf.v[1].rest, "the body kept");
	is_str(cf.v[2].rest, "cat <<-'A' >/f && cat <<B\n\tx $y\n\tA\nb\nB", "else the text and documents for the shell");
	is_str(cf.v[2].heredocs[0], "x $y\n", "<<- drops the tabs");
	is_str(cf.v[2].heredocs[1], "b\n", "the second document");
	is_int(cf.v[3].line, 12, "COPY on line 12");
	is_str(cf.v[3].heredocs[0], "content\n", "COPY's document");
	is_str(cf.v[3].rest, "<<EOF /dest", "COPY's words");
	ok(cf.v[4].heredocs[0] == NULL, "a quoted << is none");
	is_str(cf.v[5].sub, "CMD", "HEALTHCHECK CMD");
	ok(cf.v[5].exec_form && !strcmp(cf.v[5].args[0], "true"), "its exec form");
	is_str(instr_flag(&cf.v[5], "interval"), "5s", "--interval");
	is_str(cf.v[6].sub, "NONE", "HEALTHCHECK NONE");
	is_str(cf.v[7].rest, "RUN echo trig", "ONBUILD's trigger");
	containerfile_free(&cf);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "FROM a\nRUN --network=host true\n", "Containerfile:2: RUN --network: a flag husk build does not support" },
		{ "FROM a\nCOPY --link a /b\n", "Containerfile:2: COPY --link: a flag husk build does not support" },
		{ "FROM --platform=linux/arm64 a\n", "Containerfile:1: FROM --platform=linux/arm64: husk builds linux/amd64 only" },
		{ "FROM a\nRUN <<EOF\nno end\n", "Containerfile:2: here-document <<EOF: no line EOF ends it" },
		{ "FROM a\nHEALTHCHECK true\n", "Containerfile:2: HEALTHCHECK expects CMD command or NONE" },
		{ "FROM a\nHEALTHCHECK --retries=1 NONE\n", "Containerfile:2: HEALTHCHECK NONE takes no flags" },
		{ "FROM a\nONBUILD ONBUILD RUN x\n", "Containerfile:2: ONBUILD cannot trigger ONBUILD" },
		{ "FROM a\nONBUILD FROM b\n", "Containerfile:2: ONBUILD cannot trigger FROM" },
		{ "FROM a\nONBUILD FOO b\n", "Containerfile:2: unknown instruction \"FOO\"" },
		{ "# syntax=example.com/frontend\nFROM a\n", "Containerfile:1: syntax directive: husk build reads the Dockerfile language only (docker/dockerfile[:VERSION]), not example.com/frontend" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(parse(bad[i].text, &cf, &msg) < 0, "refused: %s", bad[i].msg);
		is_str(msg, bad[i].msg, "its error");
		free(msg);
	}
	ok(parse("# syntax=docker/dockerfile:1.7\n# check=skip=all\nFROM --platform=linux/amd64 a\n", &cf, &msg) == 0,
	   "--platform=linux/amd64, syntax=docker/dockerfile:1.7 and check= are accepted");
	free(msg);
	containerfile_free(&cf);
}

static const char *lookup(void *ctx, const char *name)
{
	(void) ctx;
	if (!strcmp(name, "A"))
		return "va";
	if (!strcmp(name, "E"))
		return "";
	if (!strcmp(name, "S"))
		return "x y";
	return NULL;
}

static char *word(const char *in)
{
	struct shlex sh = { .escape = '\\', .lookup = lookup };
	char *out = NULL;
	husk_error *err = NULL;
	if (shlex_word(&sh, in, &out, &err) < 0) {
		out = strdup(err->msg);
		husk_error_free(err);
	}
	return out;
}

static void test_shlex(void)
{
	struct { const char *in, *want; } cases[] = {
		{ "$A", "va" }, { "${A}b", "vab" }, { "${U:-d}", "d" }, { "${E:-d}", "d" },
		{ "${E-d}", "" }, { "${A:+set}", "set" }, { "${U:+set}", "" }, { "${E+set}", "set" },
		{ "'$A'", "$A" }, { "\"$A b\"", "va b" }, { "\\$A", "$A" }, { "a\\ b", "a b" },
		{ "${U:-${A}}", "va" }, { "$", "$" }, { "$U.", "." }, { "\"\\\"\"", "\"" },
		{ "${A", "bad substitution: no } after ${A" }, { "'x", "unexpected end of text: no closing '" },
		{ "${A?x}", "bad substitution: \"${A?\": only :- :+ - + are known" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = word(cases[i].in);
		is_str(got, cases[i].want, "%s", cases[i].in);
		free(got);
	}
	struct shlex sh = { .escape = '\\', .lookup = lookup };
	char **w = NULL;
	husk_error *err = NULL;
	ok(shlex_words(&sh, "a=$S \"b c\"=d  'e'", &w, &err) == 0, "words");
	is_str(w[0], "a=x y", "a value is not split");
	is_str(w[1], "b c=d", "quoted space kept");
	is_str(w[2], "e", "single quotes removed");
	ok(w[3] == NULL, "three words");
	for (char **p = w; *p; p++)
		free(*p);
	free(w);
}

static void test_ignore(void)
{
	struct ignore ig;
	husk_error *err = NULL;
	ok(ignore_parse("# comment\n  *.log  \n/secret\n./build/\n**/tmp\ndocs\n!docs/keep.md\na/**/z\n[ab]?.c\n",
			&ig, &err) == 0, "an ignore file parses");
	struct { const char *path; bool want; } cases[] = {
		{ "x.log", true }, { "d/x.log", false }, { "secret", true }, { "secret/in", true },
		{ "build", true }, { "build/o", true }, { "tmp", true }, { "a/b/tmp", true },
		{ "a/b/tmp/f", true }, { "docs/x", true }, { "docs/keep.md", false }, { "a/z", true },
		{ "a/q/r/z", true }, { "a/q/r/y", false }, { "ax.c", true }, { "cx.c", false },
		{ "keep", false }, { "comment", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(ignore_match(&ig, cases[i].path), cases[i].want, "ignore %s", cases[i].path);
	ignore_free(&ig);
}

int main(void)
{
	tap_init();
	tap_group(test_ignore);
	tap_group(test_basic);
	tap_group(test_escape);
	tap_group(test_errors);
	tap_group(test_buildkit);
	tap_group(test_shlex);
	return tap_done();
}
