/*
 * fuzz_csv.c - the CSV reader of `ehazira-admin import` (RFC 4180 with
 * quotes, CRLF, a BOM) and the header check behind it, on any file an
 * administrator may be handed.  import.c is included for its static
 * parse() and header() (which names unknown columns on stderr: tests/fuzz/run
 * closes the target's stderr, libFuzzer keeps its own).
 */
#include <stdio.h>

#include "fuzz.h"
#include "import.c"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct arena *ar = arena_new(64 * 1024);
	struct csv csv = { 0 };
	size_t k;
	int bad = 0;

	if (text != NULL && parse(text, ar, &csv, &bad) == 0 && csv.nrows > 0) {
		for (k = 0; k < NKINDS; k++)
			(void)header("fuzz.csv", &kinds[k], &csv);
	}
	free(csv.rows);
	free(text);
	arena_free(ar);
	return 0;
}
