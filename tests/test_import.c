/*
 * test_import.c - the CSV reader of `ehazira-admin import` (import.c's
 * static parse(), included): quoting, CRLF, the BOM, blank lines, and a
 * file larger than the memory it may use.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "import.c"

/* import.c records each run through views.c, which these tests do not
 * link: parse() is all they drive. */
int
admin_job_record_row(struct admin *ad, const char *kind, long long started,
    int ok, const char *summary)
{
	(void)ad;
	(void)kind;
	(void)started;
	(void)ok;
	(void)summary;
	return 0;
}

struct parse_case {
	const char *text;
	int rc, nrows, line_of_last;
	const char *last_field;
};

static struct parse_case cases[] = {
	{ "a,b\n1,2\n", 0, 2, 2, "2" },
	{ "\xef\xbb\xbf"
	  "a,\"x, \"\"y\"\"\"\r\n",
	    0, 1, 1, "x, \"y\"" },
	{ "a\n\n\nb\n", 0, 2, 4, "b" },
	{ "a,\"two\nlines\"\nc\n", 0, 2, 3, "c" },
	{ "a,\"open\n", -1, 0, 0, NULL },
};

Test(import, csv_text_is_split_into_rows_and_fields)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new(1 << 20);
		char *text = strdup(cases[i].text);
		struct csv csv = { 0 };
		int bad = 0, rc = parse(text, a, &csv, &bad);
		struct row *last;

		cr_expect_eq(rc, cases[i].rc, "case %zu", i);
		if (rc == 0) {
			cr_expect_eq(csv.nrows, cases[i].nrows, "case %zu", i);
			last = &csv.rows[csv.nrows - 1];
			cr_expect_eq(last->line, cases[i].line_of_last,
			    "case %zu", i);
			cr_expect_str_eq(last->f[last->n - 1],
			    cases[i].last_field, "case %zu", i);
		}
		free(csv.rows);
		free(text);
		arena_free(a);
	}
}

/* Found by tests/fuzz/fuzz_csv: past the arena's cap a field was left
 * NULL and the blank-line check read through it. */
Test(import, a_file_past_the_memory_cap_is_refused_not_crashed_on)
{
	struct arena *a = arena_new(16 * 1024);
	size_t n = 12 * 1024, i;
	char *text = malloc(n + 1);
	struct csv csv = { 0 };
	int bad = 0;

	for (i = 0; i < n; i++)
		text[i] = i % 2 ? '\n' : 'x';
	text[n] = '\0';
	cr_assert_eq(parse(text, a, &csv, &bad), -2);
	cr_assert_gt(bad, 1, "the line reached is named");
	free(csv.rows);
	free(text);
	arena_free(a);
}
