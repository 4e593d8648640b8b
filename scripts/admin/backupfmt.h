/*
 * backupfmt.h - the on-disk form of a backup made by `ehazira-admin
 * backup`: a directory holding dump.sql.gz and a text manifest,
 *
 *   ehazira-backup 1
 *   database ehazira
 *   server 10.11.6-MariaDB
 *   tool mariadb-dump --single-transaction
 *   started 2026-01-05T10:00:00.123Z
 *   finished 2026-01-05T10:00:04.456Z
 *   migration 001_init.sql            (one line per applied migration)
 *   file dump.sql.gz 123456 <sha256 hex of the file>
 *   end
 *
 * The "end" line is written last: a manifest without it is incomplete.
 */
#ifndef EHZ_BACKUPFMT_H
#define EHZ_BACKUPFMT_H

#include <openssl/evp.h>

#include "migrations.h"

#define BACKUPFMT_VERSION 1
#define BACKUPFMT_DUMP "dump.sql.gz"
#define BACKUPFMT_MANIFEST "manifest"

struct backup_manifest {
	int version;
	char database[192], server[128], started[40], finished[40];
	char *migrations[MIGRATIONS_MAX];
	int nmig;
	char file[64], sha[65];
	long long size;
	int complete; /* the "end" line was there */
};

/* The digest of md as lowercase hex. */
void backupfmt_hex(EVP_MD_CTX *md, char out[65]);
/* SHA-256 and size of a file; 0, or -1 with errno. */
int backupfmt_file_sha(const char *path, char sha[65], long long *size);
/* Writes and fsyncs the manifest; 0, or -1 with errno. */
int backupfmt_write(const char *path, const struct backup_manifest *m);
/*
 * Reads a manifest; 0, or -1 with a reason in err (missing, unreadable,
 * not a backup, a newer format).  A manifest without its end line reads
 * with complete = 0.
 */
int backupfmt_read(const char *path, struct backup_manifest *m, char *err,
    size_t errlen);
/* Frees the migration names; call it after backupfmt_read either way. */
void backupfmt_free(struct backup_manifest *m);

#endif
