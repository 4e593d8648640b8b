/*
 * migrate.c - schema migrations and static seed files.
 *
 * admin_migrate applies schema/NNN_name.sql files in order, once each,
 * recording them in schema_migrations.  Running it again is a no-op.
 * MariaDB commits DDL implicitly, so a migration that fails half-way is
 * reported by name and must be fixed forward.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "buf.h"
#include "db.h"

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
admin_migrate(struct admin *ad, int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "schema";
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[256], path[4096], *sql;
	struct db_rows rows;
	int n = 0, i, applied = 0, rc = 1;

	if (d == NULL) {
		fprintf(stderr, "migrate: cannot open '%s'\n", dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t len = strlen(e->d_name);
		if (len > 8 && e->d_name[0] >= '0' && e->d_name[0] <= '9' &&
		    strcmp(e->d_name + len - 4, ".sql") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	if (db_exec(ad->db,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		"version VARCHAR(190) NOT NULL PRIMARY KEY, "
		"applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
		"") != DB_OK) {
		fprintf(stderr, "migrate: cannot reach the database\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (db_query(ad->db, ad->arena, &rows,
			"SELECT 1 FROM schema_migrations WHERE version = ?",
			"s", names[i]) != DB_OK)
			goto out;
		if (rows.nrows > 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((sql = buf_read_file(path, NULL)) == NULL) {
			fprintf(stderr, "migrate: cannot read '%s'\n", path);
			goto out;
		}
		if (db_script(ad->db, sql) != DB_OK) {
			fprintf(stderr, "migrate: '%s' failed (see log)\n",
			    names[i]);
			free(sql);
			goto out;
		}
		free(sql);
		if (db_exec(ad->db,
			"INSERT INTO schema_migrations (version) VALUES (?)",
			"s", names[i]) != DB_OK)
			goto out;
		printf("migrate: applied %s\n", names[i]);
		applied++;
	}
	if (applied == 0)
		printf("migrate: up to date (%d migrations)\n", n);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

int
admin_seed(struct admin *ad, int argc, char **argv)
{
	char *sql;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: ehazira-admin seed FILE\n");
		return 2;
	}
	if ((sql = buf_read_file(argv[1], NULL)) == NULL) {
		fprintf(stderr, "seed: cannot read '%s'\n", argv[1]);
		return 1;
	}
	rc = db_script(ad->db, sql);
	free(sql);
	if (rc != DB_OK) {
		fprintf(stderr, "seed: '%s' failed (see log)\n", argv[1]);
		return 1;
	}
	printf("seed: applied %s\n", argv[1]);
	return 0;
}
