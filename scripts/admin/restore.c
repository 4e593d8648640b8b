/*
 * restore.c - `ehazira-admin restore [--force] [--schema DIR] BACKUP`:
 * brings back a backup made by `ehazira-admin backup`.
 *
 * Everything that can be checked is checked before the database is
 * touched: the manifest is complete (its "end" line), every migration it
 * lists is one this build knows (a backup from a newer schema is refused:
 * this build's code would not match its tables), and the dump file has
 * the manifest's size and SHA-256.  A database that already has tables is
 * replaced only with --force (its tables are dropped first, so nothing of
 * a later schema is left beside the restored one).  The dump is then fed,
 * decompressed, to the `mariadb` client, which stops at the first error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "admin.h"
#include "backupfmt.h"
#include "config.h"
#include "db.h"
#include "dbtool.h"
#include "migrations.h"

struct restore {
	const char *backup, *schema;
	int force;
	struct backup_manifest m;
	char *known[MIGRATIONS_MAX];
	int nknown;
};

/* Everything short of touching the database; 0 when it may go ahead. */
static int
check_backup(struct restore *r)
{
	char path[4200], err[4400], sha[65];
	long long size;
	int i;

	snprintf(path, sizeof(path), "%s/%s", r->backup, BACKUPFMT_MANIFEST);
	if (backupfmt_read(path, &r->m, err, sizeof(err)) < 0) {
		fprintf(stderr, "restore: refused: %s\n", err);
		return -1;
	}
	if (!r->m.complete || r->m.file[0] == '\0') {
		fprintf(stderr,
		    "restore: refused: %s is incomplete (no end "
		    "line): the backup did not finish\n",
		    path);
		return -1;
	}
	for (i = 0; i < r->m.nmig; i++)
		if (!migrations_known(r->known, r->nknown,
			r->m.migrations[i])) {
			fprintf(stderr,
			    "restore: refused: the backup is from a newer "
			    "schema: migration %s is not in %s; restore it "
			    "with the eHazira version that made it\n",
			    r->m.migrations[i], r->schema);
			return -1;
		}
	snprintf(path, sizeof(path), "%s/%s", r->backup, r->m.file);
	if (backupfmt_file_sha(path, sha, &size) < 0) {
		fprintf(stderr, "restore: refused: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (size != r->m.size || strcmp(sha, r->m.sha) != 0) {
		fprintf(stderr,
		    "restore: refused: %s is corrupt or incomplete (%lld "
		    "bytes, sha256 %s; the manifest says %lld bytes, %s)\n",
		    path, size, sha, r->m.size, r->m.sha);
		return -1;
	}
	return 0;
}

/* `name` quoted for SQL as an identifier (` doubled); NULL on OOM. */
static const char *
ident(struct arena *a, const char *name)
{
	char *out = arena_alloc(a, 2 * strlen(name) + 3), *o = out;
	const char *s;

	if (out == NULL)
		return NULL;
	*o++ = '`';
	for (s = name; *s; s++) {
		if (*s == '`')
			*o++ = '`';
		*o++ = *s;
	}
	*o++ = '`';
	*o = '\0';
	return out;
}

/* Refuses (without --force) or empties a database that has tables. */
static int
clear_target(struct admin *ad, const struct restore *r)
{
	struct db_rows t;
	const char *sql;
	int i;

	if (db_query(ad->db, ad->arena, &t,
		"SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
		"WHERE TABLE_SCHEMA = DATABASE()",
		"") != DB_OK) {
		fprintf(stderr, "restore: cannot reach the database\n");
		return -1;
	}
	if (t.nrows > 0 && !r->force) {
		fprintf(stderr,
		    "restore: database '%s' has %d tables; restoring replaces "
		    "all of them: stop the workers and the relay, then run "
		    "again with --force\n",
		    ad->cfg->db_name, t.nrows);
		return -1;
	}
	for (i = 0; i < t.nrows; i++) {
		sql = arena_printf(ad->arena,
		    "SET FOREIGN_KEY_CHECKS = 0; DROP %s IF EXISTS %s",
		    strcmp(db_get(&t, i, 1), "VIEW") == 0 ? "VIEW" : "TABLE",
		    ident(ad->arena, db_get(&t, i, 0)));
		if (sql == NULL || db_script(ad->db, sql) != DB_OK) {
			fprintf(stderr, "restore: cannot drop %s\n",
			    db_get(&t, i, 0));
			return -1;
		}
	}
	return 0;
}

/* Writes all of p to fd; -1 with errno. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Feeds the decompressed dump to `mariadb`; 0 when it took all of it. */
static int
load_dump(struct admin *ad, const struct restore *r)
{
	static char buf[64 * 1024];
	char db[256], path[4200];
	char *argv[] = { "mariadb", NULL, db, "--default-character-set=utf8mb4",
		"--batch", "--binary-mode", NULL };
	struct dbtool t = { 0 };
	gzFile gz;
	pid_t pid;
	int fd, n = 0, st, rc = -1;

	snprintf(db, sizeof(db), "--database=%s", ad->cfg->db_name);
	snprintf(path, sizeof(path), "%s/%s", r->backup, r->m.file);
	if ((gz = gzopen(path, "rb")) == NULL) {
		fprintf(stderr, "restore: cannot open %s\n", path);
		return -1;
	}
	if (dbtool_open(&t, ad->cfg) < 0)
		goto out;
	if ((pid = dbtool_spawn(&t, argv, 0, &fd)) < 0) {
		fprintf(stderr, "restore: cannot start mariadb\n");
		goto out;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n) < 0)
			break;
	if (n < 0)
		kill(pid, SIGTERM); /* a damaged stream: load nothing more */
	close(fd);
	st = dbtool_wait(pid);
	if (n != 0 || st != 0)
		fprintf(stderr,
		    "restore: loading %s failed (%s); the database "
		    "is partly loaded: fix the cause and restore "
		    "again with --force\n",
		    path,
		    n < 0 ? "damaged gzip stream" : "mariadb reported it");
	else
		rc = 0;
out:
	dbtool_close(&t);
	gzclose(gz);
	return rc;
}

/* After loading: the restored bookkeeping matches the manifest. */
static int
report(struct admin *ad, const struct restore *r)
{
	struct migration_row *rows;
	int n, i;

	if ((n = migrations_applied(ad, &rows)) != r->m.nmig) {
		fprintf(stderr,
		    "restore: the restored database has %d "
		    "migrations, the manifest %d\n",
		    n, r->m.nmig);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].version, r->m.migrations[i]) != 0) {
			fprintf(stderr,
			    "restore: restored migration %s, the "
			    "manifest says %s\n",
			    rows[i].version, r->m.migrations[i]);
			return -1;
		}
	printf("restore: restored %s (taken %s, %d migrations)\n", r->backup,
	    r->m.started, n);
	if (r->nknown > n)
		printf("restore: %d migrations of this build are pending: run "
		       "ehazira-admin migrate\n",
		    r->nknown - n);
	return 0;
}

int
admin_restore(struct admin *ad, int argc, char **argv)
{
	struct restore r = { .schema = "schema" };
	int i, rc = 1;

	for (i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "--force") == 0)
			r.force = 1;
		else if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc)
			r.schema = argv[++i];
		else
			break;
	if (i != argc - 1) {
		fprintf(stderr,
		    "usage: ehazira-admin restore [--force] "
		    "[--schema DIR] BACKUP\n");
		return 2;
	}
	r.backup = argv[i];
	signal(SIGPIPE, SIG_IGN);
	if ((r.nknown = migrations_list(r.schema, r.known, MIGRATIONS_MAX)) < 0)
		return 1;
	if (check_backup(&r) == 0 && clear_target(ad, &r) == 0 &&
	    load_dump(ad, &r) == 0 && report(ad, &r) == 0)
		rc = 0;
	backupfmt_free(&r.m);
	migrations_free(r.known, r.nknown);
	return rc;
}
