/*
 * test_viewjson.c - a view's rows written by viewjson.c are the bytes of
 * jansson's objects (the way the views were answered before).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "viewjson.h"

#define FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

static json_t *
head(void)
{
	return json_pack("{s:s,s:[s],s:[]}", "view", "shortage", "columns",
	    "name", "rows");
}

/* The rows as objects, dumped whole: the reference. */
static char *
as_objects(const struct report_table *t)
{
	json_t *h = head(), *rows = json_object_get(h, "rows"), *row;
	char *s;
	int i, j;

	for (i = 0; i < t->nrows; i++) {
		row = json_object();
		for (j = 0; j < t->ncols; j++) {
			const char *v = t->cells[i * t->ncols + j];

			json_object_set_new(row, t->cols[j],
			    v == NULL                ? json_null()
				: t->kinds[j] == 'i' ? json_integer(atoll(v))
				: t->kinds[j] == 'f' ? json_real(atof(v))
						     : json_string(v));
		}
		json_array_append_new(rows, row);
	}
	s = json_dumps(h, FLAGS);
	json_decref(h);
	return s;
}

static void
same_bytes(const struct report_table *t)
{
	char *want = as_objects(t), *got;
	size_t len = 0;

	got = viewjson_dump(head(), t, &len);
	cr_assert_not_null(want);
	cr_assert_not_null(got);
	cr_expect_eq(len, strlen(want));
	cr_expect_str_eq(got, want);
	free(want);
	free(got);
}

Test(viewjson, every_kind_of_cell_is_written_as_jansson_writes_it)
{
	static const char *cols[] = { "name", "n", "percent", "e \"x\"" };
	static char *cells[] = {
		"Asha Rao",
		"42",
		"66.7",
		"plain",
		"quote \" here",
		"-3",
		"100.0",
		"back\\slash",
		"line\nbreak\t\x01",
		"0",
		"0.0",
		"",
		"Ñandú \xe2\x80\xa8 日本",
		"123456789012",
		"33.3",
		NULL,
		"bad \xff utf-8",
		NULL,
		"74.9",
		"slash / <b>",
		"\xc3",
		"7",
		"1e3",
		"\x7f del",
	};
	struct report_table t = { "Shortage", 4, 6, cols, "sifs", cells };

	same_bytes(&t);
}

/* Numbers written as they come where that is jansson's text, and through
 * jansson where it is not (leading zeros, exponents, more digits). */
Test(viewjson, number_cells_are_jansson_s_numbers_whatever_their_text)
{
	static const char *cols[] = { "n", "percent" };
	static char *cells[] = {
		"0",
		"0.0",
		"-0",
		"0.5",
		"007",
		"05.5",
		"-12",
		"100.0",
		"123456789012345678",
		"123456789.5",
		"1234567890123456789",
		"1234567890.5",
		"99999999999999999999",
		"74.50",
		"1e3",
		"1e3",
		"12abc",
		"66.",
		"-",
		".5",
		"+4",
		"-3.5",
		" 4",
		"7.25",
		"4 ",
		"33.3",
	};
	struct report_table t = { "Numbers", 2, 13, cols, "if", cells };

	same_bytes(&t);
}

Test(viewjson, a_row_whose_every_cell_is_left_out_is_an_empty_object)
{
	static const char *cols[] = { "a", "b" };
	static char *cells[] = { "\xff", "\xfe", "ok", "\xff" };
	struct report_table t = { "T", 2, 2, cols, "ss", cells };

	same_bytes(&t);
}

Test(viewjson, no_rows_is_an_empty_array)
{
	static const char *cols[] = { "a" };
	struct report_table t = { "T", 1, 0, cols, "s", NULL };

	same_bytes(&t);
}
