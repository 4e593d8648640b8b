/*
 * migrations.h - the schema's migrations as this build knows them (the
 * NNN_name.sql files of a schema directory) and as a database recorded
 * them (schema_migrations).  Shared by migrate, backup and restore, which
 * all need "which migrations exist, which are applied".
 */
#ifndef EHZ_MIGRATIONS_H
#define EHZ_MIGRATIONS_H

#include "db.h"

#define MIGRATIONS_MAX 256

struct admin;

/* One row of schema_migrations. */
struct migration_row {
	const char *version;
	const char *applied_at;
	int started; /* 1: begun but never finished (half-applied) */
};

/*
 * The migration files of dir, sorted by name, as strdup'd names in
 * names[]; their number, or -1 with a message on stderr.
 */
int migrations_list(const char *dir, char *names[], int max);
void migrations_free(char *names[], int n);
/* 1 when name is one of names[0..n). */
int migrations_known(char *const names[], int n, const char *name);
/*
 * The applied rows, in version order, copied into the admin's arena;
 * their number (0 when the table does not exist yet), or -1.  Reads both
 * the current table and the one older releases made (no state column).
 */
int migrations_applied(struct admin *ad, struct migration_row **out);

#endif
