/*
 * fuzz.h - what every libFuzzer target in tests/fuzz shares: the entry
 * points libFuzzer calls and a NUL-terminated copy of its input (the
 * parsers take C strings, as they get them from FastCGI, files and JSON).
 */
#ifndef EHZ_FUZZ_H
#define EHZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a malloc'd C string (a NUL inside ends it early). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/*
 * Splits s at the first newline: s keeps the head, the tail is returned
 * ("" when there is no newline).
 */
static inline char *
fuzz_split(char *s)
{
	char *nl = strchr(s, '\n');

	if (nl == NULL)
		return s + strlen(s);
	*nl = '\0';
	return nl + 1;
}

#endif
