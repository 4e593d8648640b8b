/*
 * migrate.c - schema migrations and static seed files.
 *
 * admin_migrate applies schema/NNN_name.sql files in name order, once
 * each, recording them in schema_migrations; `migrate --status` lists
 * applied and pending ones.  Migrations only move forward: a database
 * that holds a migration this build does not know (made by a newer
 * eHazira), or a pending file that sorts before an applied one, is
 * refused rather than guessed at.
 *
 * Each migration runs as START TRANSACTION; a 'started' bookkeeping row;
 * the file; the row set to 'applied'; COMMIT.  A migration of plain DML
 * is then all-or-nothing.  MariaDB commits implicitly before each DDL
 * statement, which also commits the 'started' row: a DDL migration that
 * fails (or is killed) half-way leaves that row behind, and every later
 * run reports it by name instead of applying more on top of a schema in
 * an unknown state (docs/operations.md says how to repair).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "buf.h"
#include "db.h"
#include "migrations.h"

struct plan {
	char *files[MIGRATIONS_MAX];
	int nfiles;
	struct migration_row *rows;
	int nrows;
};

/*
 * The bookkeeping table; tables made by releases before the state column
 * gain it, their rows being 'applied' (they were recorded only after
 * their file had run through).
 */
static int
ensure_table(struct admin *ad)
{
	if (db_exec(ad->db,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		"version VARCHAR(190) NOT NULL PRIMARY KEY, "
		"applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
		"state ENUM('started','applied') NOT NULL DEFAULT 'applied'"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
		"") != DB_OK ||
	    db_exec(ad->db,
		"ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS "
		"state ENUM('started','applied') NOT NULL DEFAULT 'applied'",
		"") != DB_OK) {
		fprintf(stderr, "migrate: cannot reach the database\n");
		return -1;
	}
	return 0;
}

static int
applied(const struct plan *p, const char *name)
{
	int i;

	for (i = 0; i < p->nrows; i++)
		if (strcmp(p->rows[i].version, name) == 0)
			return 1;
	return 0;
}

/* 0 when the pending files can be applied on top of the recorded rows. */
static int
check_forward(const struct plan *p)
{
	const char *last = p->nrows > 0 ? p->rows[p->nrows - 1].version : "";
	int i, bad = 0;

	for (i = 0; i < p->nrows; i++) {
		if (p->rows[i].started) {
			fprintf(stderr,
			    "migrate: %s was started at %s and never finished: "
			    "the schema may be half-changed; repair it by hand "
			    "(docs/operations.md, \"Upgrades\") before going "
			    "on\n",
			    p->rows[i].version, p->rows[i].applied_at);
			bad = 1;
		} else if (!migrations_known(p->files, p->nfiles,
			       p->rows[i].version)) {
			fprintf(stderr,
			    "migrate: the database has %s, which this build "
			    "does not know: a newer eHazira upgraded it; run "
			    "that version (migrations only move forward)\n",
			    p->rows[i].version);
			bad = 1;
		}
	}
	for (i = 0; i < p->nfiles; i++)
		if (!applied(p, p->files[i]) && strcmp(p->files[i], last) < 0) {
			fprintf(stderr,
			    "migrate: %s is pending but sorts before the "
			    "applied %s: give it a number after %s\n",
			    p->files[i], last, last);
			bad = 1;
		}
	return bad ? -1 : 0;
}

/* After a failure: did the file's DDL commit the 'started' row? */
static void
report_failure(struct admin *ad, const char *name)
{
	struct db_rows rows;

	if (db_query(ad->db, ad->arena, &rows,
		"SELECT state FROM schema_migrations WHERE version = ?", "s",
		name) == DB_OK &&
	    rows.nrows == 0)
		fprintf(stderr,
		    "migrate: %s failed and was rolled back; nothing of it "
		    "is applied (see the log for the error)\n",
		    name);
	else
		fprintf(stderr,
		    "migrate: %s failed after part of it was committed (DDL "
		    "commits implicitly in MariaDB); it is recorded as "
		    "started: repair by hand (docs/operations.md)\n",
		    name);
}

static int
apply_one(struct admin *ad, const char *dir, const char *name)
{
	char path[4096], *sql;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((sql = buf_read_file(path, NULL)) == NULL) {
		fprintf(stderr, "migrate: cannot read '%s'\n", path);
		return -1;
	}
	if (db_begin(ad->db) != DB_OK ||
	    db_exec(ad->db,
		"INSERT INTO schema_migrations (version, state) VALUES "
		"(?, 'started')",
		"s", name) != DB_OK) {
		fprintf(stderr, "migrate: cannot record %s\n", name);
		db_rollback(ad->db);
		goto out;
	}
	if (db_script(ad->db, sql) != DB_OK ||
	    db_exec(ad->db,
		"UPDATE schema_migrations SET state = 'applied', applied_at "
		"= CURRENT_TIMESTAMP WHERE version = ?",
		"s", name) != DB_OK ||
	    db_commit(ad->db) != DB_OK) {
		db_rollback(ad->db);
		report_failure(ad, name);
		goto out;
	}
	printf("migrate: applied %s\n", name);
	rc = 0;
out:
	free(sql);
	return rc;
}

static void
print_status(const struct plan *p)
{
	int i, pending = 0, started = 0;

	for (i = 0; i < p->nrows; i++) {
		started += p->rows[i].started;
		printf("%-8s %-40s %s\n",
		    p->rows[i].started ? "STARTED"
			: migrations_known(p->files, p->nfiles,
			      p->rows[i].version)
			? "applied"
			: "unknown",
		    p->rows[i].version, p->rows[i].applied_at);
	}
	for (i = 0; i < p->nfiles; i++)
		if (!applied(p, p->files[i])) {
			printf("%-8s %s\n", "pending", p->files[i]);
			pending++;
		}
	printf("migrate: %d applied, %d pending%s\n", p->nrows - started,
	    pending, started ? ", 1 or more half-applied" : "");
}

int
admin_migrate(struct admin *ad, int argc, char **argv)
{
	int status = argc > 1 && strcmp(argv[1], "--status") == 0;
	const char *dir = argc > 1 + status ? argv[1 + status] : "schema";
	struct plan p = { 0 };
	int i, done = 0, rc = 1;

	if (argc > 2 + status || (argc > 1 && argv[1][0] == '-' && !status)) {
		fprintf(stderr,
		    "usage: ehazira-admin migrate [--status] "
		    "[DIR]\n");
		return 2;
	}
	if ((p.nfiles = migrations_list(dir, p.files, MIGRATIONS_MAX)) < 0)
		return 1;
	/* --status only reads: it must not create or alter the table */
	if ((!status && ensure_table(ad) < 0) ||
	    (p.nrows = migrations_applied(ad, &p.rows)) < 0) {
		fprintf(stderr, "migrate: cannot read schema_migrations\n");
		goto out;
	}
	if (status) {
		print_status(&p);
		rc = check_forward(&p) < 0;
		goto out;
	}
	if (check_forward(&p) < 0)
		goto out;
	for (i = 0; i < p.nfiles; i++) {
		if (applied(&p, p.files[i]))
			continue;
		if (apply_one(ad, dir, p.files[i]) < 0)
			goto out;
		done++;
	}
	if (done == 0)
		printf("migrate: up to date (%d migrations)\n", p.nfiles);
	rc = 0;
out:
	migrations_free(p.files, p.nfiles);
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
