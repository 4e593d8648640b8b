/*
 * db.h - one MariaDB connection and parameterised statements.
 *
 * Parameter types for the `types` strings:
 *   's' const char *   (NULL binds SQL NULL)
 *   'i' int            'I' long long          'd' double
 */
#ifndef EHZ_DB_H
#define EHZ_DB_H

#include <stdarg.h>

#include "arena.h"

struct config;
struct db;

enum db_rc {
	DB_OK = 0,
	DB_NOTFOUND = 1,  /* db_query_one found no row */
	DB_CONFLICT = 2,  /* duplicate key */
	DB_FK = 3,        /* foreign key refused */
	DB_ERR = -1,      /* anything else; the detail is logged */
	DB_DOWN = -2,     /* no connection (after one reconnect try) */
	DB_DEADLOCK = -3, /* deadlock or lock wait timeout: retry */
};

struct db_rows {
	int nrows, ncols;
	char **v;           /* nrows * ncols cells, NULL for SQL NULL */
	const char **names; /* column names */
};

/* A handle that connects lazily; NULL on OOM. */
struct db *db_new(const struct config *cfg);
void db_free(struct db *db);
/*
 * How long a read or write of this handle's connections may wait, s
 * (default DB_TIMEOUT, the request path's bound).  The admin CLI and the
 * tests' own connection run bulk statements (restore, migrations, fixture
 * loads) that may take longer; they set more before the first statement.
 */
void db_set_io_timeout(struct db *db, unsigned int seconds);
#ifdef EHAZIRA_TEST_HOOKS
/*
 * Test builds only (docs/testing.md): the nth statement from now on this
 * thread fails with DB_ERR without reaching the server; 0 disarms.
 */
void db_testhook_fail_at(int n);
#endif
/* Call once per process before threads start. */
void db_library_init(void);
void db_thread_end(void);

/*
 * The handle to read reports from: db's replica (DB_REPLICA) when one is
 * set, answers and lags no more than DB_REPLICA_MAX_LAG, else db itself.
 * The verdict is cached per handle (so per thread) for a second, or five
 * after a failure.  Only for reads that write nothing back: a replica is
 * read-only and may be behind, so attendance writes and anything
 * read-then-written always use db.  Within a transaction it is db.
 */
struct db *db_reader(struct db *db);
/* DB_OK when the server answers, reconnecting first if needed. */
int db_ping(struct db *db);
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
int db_in_tx(const struct db *db);

/* Runs a statement.  Affected rows and insert id via the getters. */
int db_exec(struct db *db, const char *sql, const char *types, ...);
long long db_affected(const struct db *db);
long long db_insert_id(const struct db *db);
/* Runs a query; every cell is copied into the arena as a string. */
int db_query(struct db *db, struct arena *a, struct db_rows *out,
    const char *sql, const char *types, ...);
/* As db_query, but DB_NOTFOUND when no row came back. */
int db_query_one(struct db *db, struct arena *a, struct db_rows *out,
    const char *sql, const char *types, ...);
/* va_list forms, for wrappers. */
int db_vexec(struct db *db, const char *sql, const char *types, va_list ap);
int db_vquery(struct db *db, struct arena *a, struct db_rows *out,
    const char *sql, const char *types, va_list ap);
/* Runs a multi-statement script (migrations); no parameters. */
int db_script(struct db *db, const char *sql);

const char *db_get(const struct db_rows *r, int row, int col);
long long db_get_int(const struct db_rows *r, int row, int col);
/* The column index of a name, or -1 (for SELECT * across schema versions). */
int db_col(const struct db_rows *r, const char *name);

#endif
