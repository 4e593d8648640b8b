/*
 * backup.c - `ehazira-admin backup DIR`: a consistent online backup.
 *
 * mariadb-dump --single-transaction reads every table inside one InnoDB
 * snapshot (REPEATABLE READ, START TRANSACTION WITH CONSISTENT SNAPSHOT)
 * without locking them, so attendance keeps running: every transaction
 * committed before the backup's start is in it, none committed after its
 * end is.  docs/operations.md says why a logical dump and not
 * mariadb-backup.
 *
 * The dump is gzip-compressed here (zlib) and hashed (SHA-256 of the file
 * as stored) while it streams, into DIR/.ehazira-<time>.partial/; then a
 * manifest (format, times, server, the applied migrations, the file's
 * size and hash, a final "end" line) is written, everything is fsync'd,
 * and the directory is renamed to DIR/ehazira-<time>.  A backup that
 * fails (disk full, unwritable, dump error) says why, removes what it
 * wrote, and can never leave a directory of the complete-looking name.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "admin.h"
#include "backupfmt.h"
#include "config.h"
#include "dbtool.h"
#include "migrations.h"

#define CHUNK (64 * 1024)

struct out {
	int fd;
	EVP_MD_CTX *md;
	long long size;
	const char *path;
};

/* UTC now: 20260105T100000Z (compact) or 2026-01-05T10:00:00.123Z. */
static void
utc_now(char *buf, size_t n, int compact)
{
	struct timeval tv;
	struct tm tm;
	char s[24];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	if (compact) {
		strftime(buf, n, "%Y%m%dT%H%M%SZ", &tm);
		return;
	}
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%.19s.%03dZ", s, (int)(tv.tv_usec / 1000) % 1000);
}

/* Writes and hashes n bytes; -1 with errno on a short or failed write. */
static int
out_write(struct out *o, const unsigned char *p, size_t n)
{
	ssize_t w;

	EVP_DigestUpdate(o->md, p, n);
	o->size += (long long)n;
	while (n > 0) {
		if ((w = write(o->fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Compresses what reads from fd into o until EOF; -1 on any error. */
static int
deflate_stream(int fd, struct out *o)
{
	static unsigned char in[CHUNK], buf[CHUNK];
	z_stream z = { 0 };
	ssize_t got = 1;
	int flush, zrc = Z_OK, rc = -1;

	/* 15 + 16: a gzip wrapper, so `zcat` reads the file too */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	do {
		if ((got = read(fd, in, sizeof(in))) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		flush = got == 0 ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = in;
		z.avail_in = (uInt)got;
		do {
			z.next_out = buf;
			z.avail_out = sizeof(buf);
			zrc = deflate(&z, flush);
			if (out_write(o, buf, sizeof(buf) - z.avail_out) < 0)
				goto out;
		} while (z.avail_out == 0);
	} while (got > 0);
	rc = zrc == Z_STREAM_END ? 0 : -1;
out:
	deflateEnd(&z);
	return rc;
}

/* Runs mariadb-dump into path; 0, or -1 having said why. */
static int
dump_to(const struct config *cfg, const char *path, char sha[65],
    long long *size)
{
	char db[256];
	char *argv[] = { "mariadb-dump", NULL, "--single-transaction",
		"--quick", "--skip-lock-tables", "--triggers", "--routines",
		"--hex-blob", "--no-tablespaces",
		"--default-character-set=utf8mb4", db, NULL };
	struct out o = { .path = path };
	struct dbtool t;
	pid_t pid = -1;
	int fd = -1, rc = -1, wrc, st;

	snprintf(db, sizeof(db), "%s", cfg->db_name);
	if (dbtool_open(&t, cfg) < 0)
		return -1;
	o.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	o.md = EVP_MD_CTX_new();
	if (o.fd < 0 || o.md == NULL ||
	    EVP_DigestInit_ex(o.md, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "backup: cannot create %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if ((pid = dbtool_spawn(&t, argv, 1, &fd)) < 0) {
		fprintf(stderr, "backup: cannot start mariadb-dump\n");
		goto out;
	}
	errno = 0;
	wrc = deflate_stream(fd, &o);
	if (wrc < 0) {
		fprintf(stderr, "backup: cannot write %s: %s\n", path,
		    errno ? strerror(errno) : "compression failed");
		kill(pid, SIGTERM);
	}
	close(fd);
	fd = -1;
	st = dbtool_wait(pid);
	if (wrc == 0 && st != 0)
		fprintf(stderr, "backup: mariadb-dump failed (status %d)\n",
		    st);
	else if (wrc == 0 && (fsync(o.fd) < 0 || close(o.fd) < 0))
		fprintf(stderr, "backup: cannot write %s: %s\n", path,
		    strerror(errno));
	else if (wrc == 0) {
		o.fd = -1;
		backupfmt_hex(o.md, sha);
		*size = o.size;
		rc = 0;
	}
out:
	if (o.fd >= 0)
		close(o.fd);
	EVP_MD_CTX_free(o.md);
	dbtool_close(&t);
	return rc;
}

/* The applied migrations, refusing a half-applied schema; n or -1. */
static int
schema_now(struct admin *ad, struct backup_manifest *m)
{
	struct migration_row *rows;
	int n, i;

	if ((n = migrations_applied(ad, &rows)) < 0) {
		fprintf(stderr, "backup: cannot reach the database\n");
		return -1;
	}
	for (i = 0; i < n && i < MIGRATIONS_MAX; i++) {
		if (rows[i].started) {
			fprintf(stderr,
			    "backup: migration %s is half-applied; "
			    "repair it first (ehazira-admin "
			    "migrate --status)\n",
			    rows[i].version);
			return -1;
		}
		m->migrations[i] = (char *)rows[i].version;
	}
	m->nmig = i;
	return n;
}

static int
same_schema(const struct backup_manifest *a, const struct backup_manifest *b)
{
	int i;

	if (a->nmig != b->nmig)
		return 0;
	for (i = 0; i < a->nmig; i++)
		if (strcmp(a->migrations[i], b->migrations[i]) != 0)
			return 0;
	return 1;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Dump, manifest, fsync: everything inside the .partial directory. */
static int
fill_partial(struct admin *ad, const char *part, struct backup_manifest *m)
{
	struct backup_manifest after = { 0 };
	struct db_rows v;
	char path[4200];

	if (schema_now(ad, m) < 0)
		return -1;
	snprintf(m->database, sizeof(m->database), "%s", ad->cfg->db_name);
	if (db_query_one(ad->db, ad->arena, &v, "SELECT VERSION()", "") ==
	    DB_OK)
		snprintf(m->server, sizeof(m->server), "%s", db_get(&v, 0, 0));
	snprintf(m->file, sizeof(m->file), "%s", BACKUPFMT_DUMP);
	snprintf(path, sizeof(path), "%s/%s", part, m->file);
	utc_now(m->started, sizeof(m->started), 0);
	if (dump_to(ad->cfg, path, m->sha, &m->size) < 0)
		return -1;
	utc_now(m->finished, sizeof(m->finished), 0);
	/* a migration during the dump would make the snapshot's DDL unsure */
	if (schema_now(ad, &after) < 0 || !same_schema(m, &after)) {
		fprintf(stderr,
		    "backup: the schema changed during the backup "
		    "(a migration ran); take it again\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", part, BACKUPFMT_MANIFEST);
	if (backupfmt_write(path, m) < 0 || fsync_dir(part) < 0) {
		fprintf(stderr, "backup: cannot write %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Removes a failed attempt; says so when even that fails. */
static void
discard(const char *part)
{
	const char *files[] = { BACKUPFMT_MANIFEST, BACKUPFMT_DUMP };
	char path[4200];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", part, files[i]);
		unlink(path);
	}
	if (rmdir(part) < 0 && errno != ENOENT)
		fprintf(stderr,
		    "backup: could not remove %s (%s); it is "
		    "incomplete: delete it\n",
		    part, strerror(errno));
}

/* DIR must be an existing directory: a typo must not become a backup. */
static int
check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		fprintf(stderr, "backup: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "backup: %s: not a directory\n", dir);
		return -1;
	}
	return 0;
}

int
admin_backup(struct admin *ad, int argc, char **argv)
{
	struct backup_manifest m = { 0 };
	char stamp[32], part[4096], final[4096];
	struct stat st;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: ehazira-admin backup DIR\n");
		return 2;
	}
	if (check_dir(argv[1]) < 0)
		return 1;
	utc_now(stamp, sizeof(stamp), 1);
	snprintf(part, sizeof(part), "%s/.ehazira-%s.partial", argv[1], stamp);
	snprintf(final, sizeof(final), "%s/ehazira-%s", argv[1], stamp);
	if (stat(final, &st) == 0) {
		fprintf(stderr, "backup: %s exists already\n", final);
		return 1;
	}
	if (mkdir(part, 0700) < 0) {
		fprintf(stderr, "backup: cannot create %s: %s\n", part,
		    strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* past a file-size limit, fail like on a full disk (EFBIG), not die */
	signal(SIGXFSZ, SIG_IGN);
	if (fill_partial(ad, part, &m) < 0)
		goto fail;
	if (rename(part, final) < 0) {
		fprintf(stderr, "backup: cannot rename %s to %s: %s\n", part,
		    final, strerror(errno));
		goto fail;
	}
	if (fsync_dir(argv[1]) < 0)
		fprintf(stderr, "backup: warning: cannot sync %s: %s\n",
		    argv[1], strerror(errno));
	printf("backup: wrote %s (%lld bytes, %d migrations, sha256 %s)\n",
	    final, m.size, m.nmig, m.sha);
	return 0;
fail:
	discard(part);
	fprintf(stderr, "backup: FAILED; no backup was written\n");
	return 1;
}
