/*
 * fuzz_config.c - config lines (KEY = value, comments, blanks) through
 * config.c's file reader, then each value read through its range check
 * (whole numbers, ranges, enums, secrets).  config.c is included for its
 * static read_file().
 */
#include <unistd.h>

#include "config.c"
#include "fuzz.h"

static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/tmp/ehz-fuzz-config-XXXXXX");
	if ((fd = mkstemp(path)) >= 0)
		close(fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *vals[NKEYS] = { 0 }, err[512];
	FILE *fp = fopen(path, "w");
	size_t i;

	if (fp == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	if (read_file(path, vals, err, sizeof(err)) == 0) {
		for (i = 0; i < NKEYS; i++)
			if (vals[i] != NULL)
				(void)config_check(keys[i].name, vals[i], err,
				    sizeof(err));
	}
	for (i = 0; i < NKEYS; i++)
		free(vals[i]);
	return 0;
}
