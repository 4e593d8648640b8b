/*
 * initconfig.c - `ehazira-admin init-config FILE [--from TEMPLATE]`: a new
 * config with fresh random secrets, mode 0600, never over an existing file.
 * It runs before any config is loaded (there is none yet); the writing is
 * config_write_new's, so the list of secrets is the config table's.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "config.h"

int
admin_init_config(int argc, char **argv)
{
	const char *template = NULL;
	char err[512];

	if (argc == 4 && strcmp(argv[2], "--from") == 0)
		template = argv[3];
	else if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr,
		    "usage: ehazira-admin init-config FILE [--from TEMPLATE]\n");
		return 2;
	}
	if (config_write_new(argv[1], template, err, sizeof(err)) < 0) {
		fprintf(stderr, "ehazira-admin: %s\n", err);
		return 1;
	}
	printf("wrote %s (mode 0600): keep it private; point EHAZIRA_CONF "
	       "at it\n",
	    argv[1]);
	return 0;
}
