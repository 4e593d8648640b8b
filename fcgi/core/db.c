/*
 * db.c - the only file that includes mysql.h.
 *
 * Each worker thread (and the relay) owns one struct db: a connection made
 * lazily, remade once when the server went away (a restarted MariaDB), and a
 * small cache of prepared statements that is dropped with the connection.
 * Results are copied into the caller's arena as strings, so no MYSQL_RES
 * outlives a call.  Server error text goes to the log, never to a client;
 * callers only see the DB_* codes.
 */
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "stats.h"
#include "log.h"

#define STMT_CACHE 96
#define CELL_BUF 64
#define MAX_BIND 32

struct stmt_entry {
	char *sql;
	MYSQL_STMT *st;
};

struct db {
	const struct config *cfg;
	MYSQL *my;
	int in_tx;
	/*
	 * The connection was lost inside a transaction: the server rolled it
	 * back, so every further statement of it must fail (never run on a
	 * fresh autocommit connection) until the caller rolls back.
	 */
	int broken;
	int was_connected;       /* a new connection is then a reconnect */
	unsigned int io_timeout; /* read/write bound, s; 0: DB_TIMEOUT */
	long long affected, insert_id;
	struct stmt_entry cache[STMT_CACHE];
	int ncache;
	/* A replica handle: its own address (DB_REPLICA), else NULL/0. */
	char *host;
	long port;
	/* The primary's reader (db_reader): the replica and its last check. */
	struct db *replica;
	long long replica_until; /* monotonic ms the verdict holds until */
	int replica_ok;
};

void
db_library_init(void)
{
	mysql_library_init(0, NULL, NULL);
}

void
db_thread_end(void)
{
	mysql_thread_end();
}

struct db *
db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db)
		db->cfg = cfg;
	return db;
}

void
db_set_io_timeout(struct db *db, unsigned int seconds)
{
	if (db)
		db->io_timeout = seconds;
}

static void
drop_cache(struct db *db)
{
	int i;

	for (i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].st);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
}

static void
disconnect(struct db *db)
{
	drop_cache(db);
	if (db->my)
		mysql_close(db->my);
	db->my = NULL;
	if (db->in_tx)
		db->broken = 1;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	db_free(db->replica);
	free(db->host);
	free(db);
}

static int
connect_db(struct db *db)
{
	const struct config *c = db->cfg;
	/* One bound for connect, read and write: a hung (not dead) server
	 * costs a request DB_TIMEOUT, not a minute, and it answers 503. */
	unsigned int timeout = (unsigned int)c->db_timeout;
	unsigned int io = db->io_timeout ? db->io_timeout : timeout;
	const char *host = db->host ? db->host : c->db_host;
	unsigned int port = (unsigned int)(db->host ? db->port : c->db_port);
	int local = strcmp(host, "localhost") == 0;

	if (db->my)
		return DB_OK;
	if ((db->my = mysql_init(NULL)) == NULL)
		return DB_DOWN;
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &io);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &io);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/*
	 * READ COMMITTED: no gap locks, so two students inserting their
	 * first attendance rows of a session never deadlock; the code locks
	 * existing rows (student, window) where it needs order.
	 */
	mysql_options(db->my, MYSQL_INIT_COMMAND,
	    "SET time_zone='+00:00', tx_isolation='READ-COMMITTED', "
	    "sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,"
	    "ERROR_FOR_DIVISION_BY_ZERO'");
	if (!mysql_real_connect(db->my, local ? "localhost" : host, c->db_user,
		c->db_password, c->db_name, port, local ? c->db_socket : NULL,
		0)) {
		log_warn("db: connect failed: %s", mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		stats_count(STATS_DB_CONNECT_FAILS);
		return DB_DOWN;
	}
	if (db->was_connected)
		stats_count(STATS_DB_RECONNECTS);
	db->was_connected = 1;
	return DB_OK;
}

static int
gone(unsigned int err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
	    err == ER_CONNECTION_KILLED || err == 4031 /* idle timeout */;
}

static int
map_err(struct db *db, unsigned int err, const char *what, const char *msg)
{
	switch (err) {
	case ER_DUP_ENTRY:
		return DB_CONFLICT;
	case ER_NO_REFERENCED_ROW_2:
	case ER_ROW_IS_REFERENCED_2:
		return DB_FK;
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		log_warn("db: %s: %s", what, msg);
		return DB_DEADLOCK;
	}
	log_error("db: %s: (%u) %s", what, err, msg);
	stats_count(STATS_DB_ERRORS);
	if (gone(err)) {
		disconnect(db);
		return DB_DOWN;
	}
	return DB_ERR;
}

int
db_ping(struct db *db)
{
	if (db->my && mysql_ping(db->my) != 0)
		disconnect(db);
	return connect_db(db);
}

int
db_in_tx(const struct db *db)
{
	return db->in_tx;
}

#ifdef EHAZIRA_TEST_HOOKS
static _Thread_local int fail_at;

void
db_testhook_fail_at(int n)
{
	fail_at = n;
}

/* Whether this statement is the one a test asked to fail. */
static int
injected(const char *sql)
{
	if (fail_at <= 0 || --fail_at > 0)
		return 0;
	log_error("db: failure injected by a test: %.60s", sql);
	return 1;
}
#else
#define injected(sql) 0
#endif

static int
simple(struct db *db, const char *sql)
{
	int rc;

	if (db->broken)
		return DB_DOWN;
	if (injected(sql))
		return DB_ERR;
	if ((rc = connect_db(db)) != DB_OK)
		return rc;
	if (mysql_real_query(db->my, sql, strlen(sql)) != 0)
		return map_err(db, mysql_errno(db->my), sql,
		    mysql_error(db->my));
	return DB_OK;
}

int
db_begin(struct db *db)
{
	int rc;

	db->broken = 0;
	db->in_tx = 0;
	/*
	 * A connection that went stale while idle is noticed here, before
	 * any work: nothing has happened yet, so one reconnect and retry is
	 * safe (and costs nothing on the usual path, unlike a ping).
	 */
	if ((rc = simple(db, "START TRANSACTION")) == DB_DOWN)
		rc = simple(db, "START TRANSACTION");
	if (rc == DB_OK)
		db->in_tx = 1;
	return rc;
}

int
db_commit(struct db *db)
{
	int rc = simple(db, "COMMIT");

	/* A COMMIT that failed on a live connection must not leave the
	 * transaction, and its locks, to this connection's next request. */
	if (rc != DB_OK)
		db_rollback(db);
	db->in_tx = 0;
	db->broken = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->my && !db->broken &&
	    mysql_real_query(db->my, "ROLLBACK", 8) != 0)
		map_err(db, mysql_errno(db->my), "ROLLBACK",
		    mysql_error(db->my));
	db->in_tx = 0;
	db->broken = 0;
}

/* Drains the results of a multi-statement script; DB_OK or the error. */
static int
drain_script(struct db *db)
{
	MYSQL_RES *res;
	int status;

	do {
		if ((res = mysql_store_result(db->my)) != NULL)
			mysql_free_result(res);
		status = mysql_next_result(db->my);
		if (status > 0)
			return map_err(db, mysql_errno(db->my), "script",
			    mysql_error(db->my));
	} while (status == 0);
	return DB_OK;
}

/*
 * Multi-statement mode is on only for the script: with it on for every
 * connection, one injected ";" would be enough to run a second statement.
 */
int
db_script(struct db *db, const char *sql)
{
	int rc;

	if ((rc = connect_db(db)) != DB_OK)
		return rc;
	if (mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON))
		return map_err(db, mysql_errno(db->my), "script",
		    mysql_error(db->my));
	if (mysql_real_query(db->my, sql, strlen(sql)) != 0)
		rc = map_err(db, mysql_errno(db->my), "script",
		    mysql_error(db->my));
	else
		rc = drain_script(db);
	if (db->my)
		mysql_set_server_option(db->my,
		    MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return rc;
}

static MYSQL_STMT *
prepare(struct db *db, const char *sql, int *rc)
{
	MYSQL_STMT *st;
	int i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql ||
		    strcmp(db->cache[i].sql, sql) == 0)
			return db->cache[i].st;
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		*rc = DB_ERR;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*rc = map_err(db, mysql_stmt_errno(st), sql,
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache == STMT_CACHE) {
		/* Evict the oldest; the hot statements are re-prepared. */
		mysql_stmt_close(db->cache[0].st);
		free(db->cache[0].sql);
		memmove(db->cache, db->cache + 1,
		    sizeof(db->cache[0]) * (STMT_CACHE - 1));
		db->ncache--;
	}
	db->cache[db->ncache].sql = strdup(sql);
	db->cache[db->ncache++].st = st;
	return st;
}

/*
 * Drops st from the cache (if a lost connection has not dropped it
 * already).  A statement whose result failed halfway (a deadlock while
 * an INSERT ... RETURNING's rows came) answered every later execute with
 * "(2006) Server has gone away" while the connection itself still
 * worked: the two-node wave's batch leaders failed that way
 * (docs/benchmarks.md).  Prepared again, it works.
 */
static void
forget(struct db *db, MYSQL_STMT *st)
{
	int i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].st == st) {
			mysql_stmt_close(st);
			free(db->cache[i].sql);
			memmove(db->cache + i, db->cache + i + 1,
			    sizeof(db->cache[0]) *
				(size_t)(db->ncache - i - 1));
			db->ncache--;
			return;
		}
}

struct params {
	MYSQL_BIND bind[MAX_BIND];
	long long ints[MAX_BIND];
	double dbls[MAX_BIND];
	unsigned long lens[MAX_BIND];
	my_bool nulls[MAX_BIND];
	int n;
};

static int
collect(struct params *p, const char *types, va_list ap)
{
	const char *s;
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; types && types[i]; i++) {
		MYSQL_BIND *b = &p->bind[i];

		if (i == MAX_BIND)
			return -1;
		switch (types[i]) {
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL) {
				b->buffer_type = MYSQL_TYPE_NULL;
				p->nulls[i] = 1;
				b->is_null = &p->nulls[i];
				break;
			}
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = (void *)s;
			p->lens[i] = strlen(s);
			b->buffer_length = p->lens[i];
			b->length = &p->lens[i];
			break;
		case 'i':
			p->ints[i] = va_arg(ap, int);
			goto integer;
		case 'I':
			p->ints[i] = va_arg(ap, long long);
		integer:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &p->ints[i];
			break;
		case 'd':
			p->dbls[i] = va_arg(ap, double);
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = &p->dbls[i];
			break;
		default:
			return -1;
		}
	}
	p->n = i;
	return 0;
}

/* The result buffers of one fetch: one CELL_BUF string per column. */
struct cells {
	MYSQL_BIND *rb;
	char (*bufs)[CELL_BUF];
	unsigned long *lens;
	my_bool *nulls;
};

static void
cells_free(struct cells *c)
{
	free(c->rb);
	free(c->bufs);
	free(c->lens);
	free(c->nulls);
}

/* Allocates and binds the buffers and copies the column names; 0 or -1. */
static int
cells_bind(struct cells *c, MYSQL_RES *meta, struct arena *a,
    struct db_rows *out)
{
	MYSQL_FIELD *f = mysql_fetch_fields(meta);
	int n = out->ncols, i;

	c->rb = calloc((size_t)n, sizeof(*c->rb));
	c->bufs = calloc((size_t)n, CELL_BUF);
	c->lens = calloc((size_t)n, sizeof(*c->lens));
	c->nulls = calloc((size_t)n, sizeof(*c->nulls));
	out->names = arena_alloc(a, sizeof(char *) * (size_t)n);
	if (!c->rb || !c->bufs || !c->lens || !c->nulls || !out->names)
		return -1;
	for (i = 0; i < n; i++) {
		out->names[i] = arena_strdup(a, f[i].name);
		c->rb[i].buffer_type = MYSQL_TYPE_STRING;
		c->rb[i].buffer = c->bufs[i];
		c->rb[i].buffer_length = CELL_BUF;
		c->rb[i].length = &c->lens[i];
		c->rb[i].is_null = &c->nulls[i];
	}
	return 0;
}

/* Column i of the current row into arena memory (long values refetched). */
static int
cell_copy(MYSQL_STMT *st, const struct cells *c, int i, struct arena *a,
    char **cell)
{
	MYSQL_BIND one = { 0 };

	if (c->nulls[i]) {
		*cell = NULL;
		return 0;
	}
	if (c->lens[i] < CELL_BUF) {
		*cell = arena_strndup(a, c->bufs[i], c->lens[i]);
		return *cell ? 0 : -1;
	}
	if ((*cell = arena_alloc(a, c->lens[i] + 1)) == NULL)
		return -1;
	one.buffer_type = MYSQL_TYPE_STRING;
	one.buffer = *cell;
	one.buffer_length = c->lens[i] + 1;
	if (mysql_stmt_fetch_column(st, &one, (unsigned int)i, 0) != 0)
		return -1;
	(*cell)[c->lens[i]] = '\0';
	return 0;
}

/* Doubles the row array when full; 0 or -1. */
static int
rows_grow(struct db_rows *out, struct arena *a, char ***v, int *cap)
{
	char **nv;
	size_t had = sizeof(char *) * (size_t)(*cap * out->ncols);

	if (out->nrows < *cap)
		return 0;
	if ((nv = arena_alloc(a, 2 * had)) == NULL)
		return -1;
	memcpy(nv, *v, had);
	*v = nv;
	*cap *= 2;
	return 0;
}

static int
fetch_rows(struct db *db, MYSQL_STMT *st, struct arena *a, struct db_rows *out)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	struct cells c = { 0 };
	int cap = 16, rc = DB_ERR, i, fr;
	char **v;

	memset(out, 0, sizeof(*out));
	if (meta == NULL)
		return DB_OK;
	out->ncols = (int)mysql_num_fields(meta);
	v = arena_alloc(a, sizeof(char *) * (size_t)(cap * out->ncols));
	if (v == NULL || cells_bind(&c, meta, a, out) < 0)
		goto out;
	if (mysql_stmt_bind_result(st, c.rb) != 0 ||
	    mysql_stmt_store_result(st) != 0) {
		rc = map_err(db, mysql_stmt_errno(st), "fetch",
		    mysql_stmt_error(st));
		goto out;
	}
	while ((fr = mysql_stmt_fetch(st)) == 0 || fr == MYSQL_DATA_TRUNCATED) {
		if (rows_grow(out, a, &v, &cap) < 0)
			goto out;
		for (i = 0; i < out->ncols; i++)
			if (cell_copy(st, &c, i, a,
				&v[out->nrows * out->ncols + i]) < 0)
				goto out;
		out->nrows++;
	}
	if (fr != MYSQL_NO_DATA) {
		rc = map_err(db, mysql_stmt_errno(st), "fetch",
		    mysql_stmt_error(st));
		goto out;
	}
	out->v = v;
	rc = DB_OK;
out:
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	cells_free(&c);
	return rc;
}

static int
run(struct db *db, struct arena *a, struct db_rows *out, const char *sql,
    const char *types, va_list ap)
{
	struct params p;
	MYSQL_STMT *st;
	int rc = DB_ERR, tries;
	va_list cp;

	if (db->broken)
		return DB_DOWN;
	if (injected(sql))
		return DB_ERR;
	for (tries = 0; tries < 2; tries++) {
		va_copy(cp, ap);
		if (collect(&p, types, cp) < 0) {
			va_end(cp);
			log_error("db: bad parameter types '%s'", types);
			return DB_ERR;
		}
		va_end(cp);
		if ((rc = connect_db(db)) != DB_OK)
			return rc;
		if ((st = prepare(db, sql, &rc)) == NULL)
			goto retry;
		if ((unsigned long)p.n != mysql_stmt_param_count(st)) {
			log_error("db: %d parameters for %lu in: %s", p.n,
			    mysql_stmt_param_count(st), sql);
			return DB_ERR;
		}
		if (p.n && mysql_stmt_bind_param(st, p.bind) != 0) {
			rc = map_err(db, mysql_stmt_errno(st), sql,
			    mysql_stmt_error(st));
			goto retry;
		}
		if (mysql_stmt_execute(st) != 0) {
			rc = map_err(db, mysql_stmt_errno(st), sql,
			    mysql_stmt_error(st));
			goto retry;
		}
		db->affected = (long long)mysql_stmt_affected_rows(st);
		db->insert_id = (long long)mysql_stmt_insert_id(st);
		if (out && (rc = fetch_rows(db, st, a, out)) != DB_OK)
			forget(db, st);
		if (out)
			return rc;
		mysql_stmt_free_result(st);
		return DB_OK;
	retry:
		/* Only a lost connection outside a transaction is retried. */
		if (rc != DB_DOWN || db->in_tx)
			return rc;
	}
	return rc;
}

int
db_vexec(struct db *db, const char *sql, const char *types, va_list ap)
{
	return run(db, NULL, NULL, sql, types, ap);
}

int
db_vquery(struct db *db, struct arena *a, struct db_rows *out, const char *sql,
    const char *types, va_list ap)
{
	return run(db, a, out, sql, types, ap);
}

int
db_exec(struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(db, NULL, NULL, sql, types, ap);
	va_end(ap);
	return rc;
}

int
db_query(struct db *db, struct arena *a, struct db_rows *out, const char *sql,
    const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(db, a, out, sql, types, ap);
	va_end(ap);
	return rc;
}

int
db_query_one(struct db *db, struct arena *a, struct db_rows *out,
    const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(db, a, out, sql, types, ap);
	va_end(ap);
	if (rc == DB_OK && out->nrows == 0)
		return DB_NOTFOUND;
	return rc;
}

long long
db_affected(const struct db *db)
{
	return db->affected;
}

long long
db_insert_id(const struct db *db)
{
	return db->insert_id;
}

const char *
db_get(const struct db_rows *r, int row, int col)
{
	if (row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->v[row * r->ncols + col];
}

long long
db_get_int(const struct db_rows *r, int row, int col)
{
	const char *v = db_get(r, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

int
db_col(const struct db_rows *r, const char *name)
{
	int i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return i;
	return -1;
}

/*
 * Whether the replica may answer reads now: its SQL thread runs and
 * Seconds_Behind_Master is known (NULL while either replication thread is
 * stopped or not connected) and within DB_REPLICA_MAX_LAG.  A server that
 * replicates from nothing (no status row: a promoted one) is not a
 * replica.  Needs SLAVE MONITOR (scripts/stack grants it).
 */
static int
replica_fresh(struct db *rep)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	MYSQL_FIELD *f;
	const char *lag = NULL, *sql = NULL;
	unsigned int i, n;
	int ok = 0;

	if (db_ping(rep) != DB_OK)
		return 0;
	if (mysql_real_query(rep->my, "SHOW SLAVE STATUS", 17) != 0 ||
	    (res = mysql_store_result(rep->my)) == NULL) {
		map_err(rep, mysql_errno(rep->my), "SHOW SLAVE STATUS",
		    mysql_error(rep->my));
		return 0;
	}
	if ((row = mysql_fetch_row(res)) != NULL) {
		n = mysql_num_fields(res);
		f = mysql_fetch_fields(res);
		for (i = 0; i < n; i++) {
			if (strcmp(f[i].name, "Seconds_Behind_Master") == 0)
				lag = row[i];
			else if (strcmp(f[i].name, "Slave_SQL_Running") == 0)
				sql = row[i];
		}
		ok = lag && sql && strcmp(sql, "Yes") == 0 &&
		    atol(lag) <= rep->cfg->db_replica_max_lag;
	}
	mysql_free_result(res);
	return ok;
}

/* The replica handle of db: the same timeouts (an admin's long report
 * runs as long on the replica), DB_REPLICA's address. */
static struct db *
replica_new(const struct db *db)
{
	const struct config *c = db->cfg;
	struct db *rep = db_new(c);
	char host[256];

	if (rep == NULL)
		return NULL;
	rep->io_timeout = db->io_timeout;
	if (config_hostport(c->db_replica, host, sizeof(host), &rep->port) <
		0 ||
	    (rep->host = strdup(host)) == NULL) {
		db_free(rep);
		return NULL;
	}
	return rep;
}

struct db *
db_reader(struct db *db)
{
	long long now;
	int was;

	if (db->cfg->db_replica[0] == '\0' || db->host || db->in_tx)
		return db;
	now = clock_mono_ms();
	if (now < db->replica_until)
		return db->replica_ok ? db->replica : db;
	if (db->replica == NULL && (db->replica = replica_new(db)) == NULL)
		return db;
	was = db->replica_ok;
	db->replica_ok = replica_fresh(db->replica);
	if (was != db->replica_ok || db->replica_until == 0)
		log_info("db: reports read the %s",
		    db->replica_ok ? "replica"
				   : "primary (the replica is down or lags)");
	/* Checked again after a second; a replica that failed waits longer,
	 * so a down one costs a refused connect every few seconds, no more. */
	db->replica_until = now + (db->replica_ok ? 1000 : 5000);
	return db->replica_ok ? db->replica : db;
}
