/*
 * migrations.c - lists of migrations: the files this build ships and the
 * rows a database recorded.  A migration's identity is its whole file
 * name (schema_migrations.version), so a file is never renamed once
 * released: see docs/operations.md.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "migrations.h"

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NNN_anything.sql: a digit first, .sql last. */
static int
is_migration(const char *name)
{
	size_t len = strlen(name);

	return len > 8 && name[0] >= '0' && name[0] <= '9' &&
	    strcmp(name + len - 4, ".sql") == 0;
}

int
migrations_list(const char *dir, char *names[], int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL) {
		fprintf(stderr,
		    "ehazira-admin: cannot open schema directory "
		    "'%s'\n",
		    dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_migration(e->d_name))
			continue;
		if (n == max) {
			fprintf(stderr,
			    "ehazira-admin: more than %d "
			    "migrations in '%s'\n",
			    max, dir);
			migrations_free(names, n);
			closedir(d);
			return -1;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	return n;
}

void
migrations_free(char *names[], int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
}

int
migrations_known(char *const names[], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int
migrations_applied(struct admin *ad, struct migration_row **out)
{
	struct db_rows t, rows;
	struct migration_row *m;
	int i, state;

	*out = NULL;
	if (db_query(ad->db, ad->arena, &t,
		"SELECT COUNT(*) FROM information_schema.TABLES WHERE "
		"TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
		"'schema_migrations'",
		"") != DB_OK)
		return -1;
	if (db_get_int(&t, 0, 0) == 0)
		return 0;
	/* SELECT *: releases before the state column have no such column */
	if (db_query(ad->db, ad->arena, &rows,
		"SELECT * FROM schema_migrations ORDER BY version",
		"") != DB_OK)
		return -1;
	if (rows.nrows == 0)
		return 0;
	m = arena_alloc(ad->arena, sizeof(*m) * (size_t)rows.nrows);
	if (m == NULL)
		return -1;
	state = db_col(&rows, "state");
	for (i = 0; i < rows.nrows; i++) {
		m[i].version = db_get(&rows, i, db_col(&rows, "version"));
		m[i].applied_at = db_get(&rows, i, db_col(&rows, "applied_at"));
		m[i].started = state >= 0 && db_get(&rows, i, state) != NULL &&
		    strcmp(db_get(&rows, i, state), "started") == 0;
	}
	*out = m;
	return rows.nrows;
}
