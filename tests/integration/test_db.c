/*
 * test_db.c - the database layer against the real MariaDB: a transaction
 * whose connection is lost must not go on in autocommit on a fresh
 * connection, and the handle must work again afterwards; the codes each
 * outcome maps to, parameters and cells of every kind, scripts.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include <string.h>

#include "guard.h"
#include "ratelimit.h"
#include "it.h"

Test(db, a_transaction_whose_connection_dies_writes_nothing)
{
	struct db *db = db_new(it_config()), *killer = db_new(it_config());
	struct arena *a = arena_new(1 << 20);
	struct db_rows rows;
	char name[96];
	long long id;

	IT_REQUIRE_STACK();
	snprintf(name, sizeof(name), "tx-%s", it_uniq());
	cr_assert_eq(db_begin(db), DB_OK);
	cr_assert_eq(db_exec(db, "INSERT INTO course VALUES (?, 'first')", "s",
			 name),
	    DB_OK);
	cr_assert_eq(db_query_one(db, a, &rows, "SELECT CONNECTION_ID()", ""),
	    DB_OK);
	id = db_get_int(&rows, 0, 0);
	cr_assert_eq(db_exec(killer, "KILL ?", "I", id), DB_OK);

	/* the rest of the transaction fails; nothing lands in autocommit */
	snprintf(name, sizeof(name), "tx2-%s", it_uniq());
	cr_assert_neq(db_exec(db, "INSERT INTO course VALUES (?, 'second')",
			  "s", name),
	    DB_OK);
	cr_assert_neq(db_exec(db, "INSERT INTO course VALUES (?, 'third')", "s",
			  "tx3-never"),
	    DB_OK, "still refused until the caller rolls back");
	cr_assert_neq(db_commit(db), DB_OK);
	db_rollback(db);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM course WHERE course_id "
				"LIKE 'tx%' AND course_name IN ('first', "
				"'second', 'third')",
			 ""),
	    0, "nothing of the broken transaction was written");

	/* and the handle reconnects for the next request */
	cr_assert_eq(db_begin(db), DB_OK);
	cr_assert_eq(db_query_one(db, a, &rows, "SELECT 1", ""), DB_OK);
	cr_assert_eq(db_commit(db), DB_OK);
	db_free(db);
	db_free(killer);
	arena_free(a);
}

Test(db, the_rate_limiter_counts_per_key_and_refuses_past_the_limit)
{
	struct http_req r;
	char key[96], other[96];
	int i;

	IT_REQUIRE_STACK();
	memset(&r, 0, sizeof(r));
	r.arena = arena_new(1 << 20);
	r.db = it_db();
	r.cfg = it_config();
	snprintf(key, sizeof(key), "test:%s", it_uniq());
	snprintf(other, sizeof(other), "test-other:%s", it_uniq());
	for (i = 0; i < 3; i++)
		cr_assert_eq(ratelimit_hit(&r, key, 3, 3600), 0, "hit %d",
		    i + 1);
	cr_assert_eq(ratelimit_hit(&r, key, 3, 3600), 429);
	cr_assert_eq(r.status, 429);
	cr_assert_eq(r.nhdrs, 1);
	cr_assert_str_eq(r.hdr_names[0], "Retry-After");
	cr_assert_eq(ratelimit_hit(&r, other, 3, 3600), 0, "keys are separate");
	cr_assert_eq(it_sql_int("SELECT hits FROM rate_limit WHERE rl_key = ?",
			 "s", key),
	    4);
	arena_free(r.arena);
}

/* One statement and the code the layer maps its outcome to. */
/* strings inline: Criterion runs each case in a process of its own */
struct rc_case {
	char what[48], sql[160], types[4];
	int rc;
};

static struct rc_case rc_cases[] = {
	{ "a plain statement", "DO 1", "", DB_OK },
	{ "a duplicate key",
	    "INSERT INTO course VALUES ('db-dup', 'x'), "
	    "('db-dup', 'y')",
	    "", DB_CONFLICT },
	{ "a missing parent row",
	    "INSERT INTO subject (course_id, class_id, "
	    "teacher_email) VALUES ('no-such', 0, "
	    "'nobody@x')",
	    "", DB_FK },
	{ "a syntax error", "SELEKT 1", "", DB_ERR },
	{ "a type letter it does not know", "DO ?", "x", DB_ERR },
	{ "more parameters than the statement has", "DO ?", "ii", DB_ERR },
};

ParameterizedTestParameters(db, each_outcome_maps_to_its_code)
{
	return cr_make_param_array(struct rc_case, rc_cases,
	    sizeof(rc_cases) / sizeof(rc_cases[0]));
}

ParameterizedTest(struct rc_case *c, db, each_outcome_maps_to_its_code)
{
	struct db *db;

	IT_REQUIRE_STACK();
	db = db_new(it_config());
	cr_assert_eq(db_exec(db, c->sql, c->types, 1, 2), c->rc, "%s", c->what);
	/* and the handle goes on working */
	cr_assert_eq(db_exec(db, "DO 1", ""), DB_OK, "%s", c->what);
	db_free(db);
}

Test(db, parameters_of_every_type_and_null_come_back_as_strings)
{
	struct arena *a = arena_new(1 << 20);
	struct db_rows rows;

	IT_REQUIRE_STACK();
	cr_assert_eq(db_query(it_db(), a, &rows,
			 "SELECT ? AS s, ? AS i, ? AS big, ? AS d, ? AS n",
			 "siIds", "héllo", -7, 1LL << 40, 2.5, NULL),
	    DB_OK);
	cr_assert_eq(rows.nrows, 1);
	cr_assert_eq(rows.ncols, 5);
	cr_assert_str_eq(db_get(&rows, 0, 0), "héllo");
	cr_assert_eq(db_get_int(&rows, 0, 1), -7);
	cr_assert_eq(db_get_int(&rows, 0, 2), 1LL << 40);
	cr_assert_str_eq(db_get(&rows, 0, 3), "2.5");
	cr_assert_null(db_get(&rows, 0, 4), "SQL NULL is NULL");
	cr_assert_eq(db_get_int(&rows, 0, 4), 0);
	/* out of range is NULL, not a read past the rows */
	cr_assert_null(db_get(&rows, 1, 0));
	cr_assert_null(db_get(&rows, 0, 5));
	cr_assert_null(db_get(&rows, -1, 0));
	cr_assert_eq(db_col(&rows, "d"), 3);
	cr_assert_eq(db_col(&rows, "nope"), -1);
	arena_free(a);
}

Test(db, many_rows_and_long_cells_are_copied_whole)
{
	struct arena *a = arena_new(4 << 20);
	struct db_rows rows;
	int i;

	IT_REQUIRE_STACK();
	/* more rows than the first row array, cells longer than the
	 * fetch buffer */
	cr_assert_eq(db_query(it_db(), a, &rows,
			 "SELECT seq, REPEAT('x', ?) FROM seq_1_to_100", "i",
			 5000),
	    DB_OK);
	cr_assert_eq(rows.nrows, 100);
	for (i = 0; i < rows.nrows; i++) {
		cr_assert_eq(db_get_int(&rows, i, 0), i + 1);
		cr_assert_eq(strlen(db_get(&rows, i, 1)), 5000);
	}
	cr_assert_eq(db_query_one(it_db(), a, &rows,
			 "SELECT 1 FROM seq_1_to_3 WHERE seq > 5", ""),
	    DB_NOTFOUND);
	/* a statement without a result set leaves no rows */
	cr_assert_eq(db_query(it_db(), a, &rows, "DO 1", ""), DB_OK);
	cr_assert_eq(rows.nrows, 0);
	arena_free(a);
}

Test(db, a_statement_whose_rows_fail_halfway_works_again_with_other_values)
{
	struct arena *a = arena_new(1 << 20);
	struct db_rows rows;
	static const char sql[] =
	    "SELECT IF(seq = ?, (SELECT 1 UNION SELECT 2), seq) "
	    "FROM seq_1_to_5";

	IT_REQUIRE_STACK();
	/* row 3's subquery fails while the rows come; the cached statement
	 * must not stay broken.  (The case that did break it, a deadlock
	 * while an INSERT ... RETURNING's rows came, is not reproducible
	 * here; docs/benchmarks.md tells how the two-node wave found it.) */
	cr_assert_neq(db_query(it_db(), a, &rows, sql, "i", 3), DB_OK);
	cr_assert_eq(db_query(it_db(), a, &rows, sql, "i", 99), DB_OK);
	cr_assert_eq(rows.nrows, 5);
	cr_assert_eq(db_get_int(&rows, 4, 0), 5);
	cr_assert_eq(db_ping(it_db()), DB_OK);
	arena_free(a);
}

Test(db, affected_rows_and_the_insert_id_are_the_last_statements)
{
	char name[64];

	IT_REQUIRE_STACK();
	snprintf(name, sizeof(name), "DB %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) VALUES "
			    "(?)",
			 "s", name),
	    DB_OK);
	cr_assert_gt(db_insert_id(it_db()), 0);
	cr_assert_eq(db_insert_id(it_db()),
	    it_sql_int("SELECT department_id FROM department WHERE "
		       "department_name = ?",
		"s", name));
	cr_assert_eq(it_sql("UPDATE department SET department_name = ? WHERE "
			    "department_name = ?",
			 "ss", name, name),
	    DB_OK);
	cr_assert_eq(db_affected(it_db()), 0, "no change, no affected row");
}

Test(db, a_script_runs_every_statement_and_stops_at_the_first_error)
{
	struct db *db;
	char sql[512], name[64];

	IT_REQUIRE_STACK();
	db = db_new(it_config());
	snprintf(name, sizeof(name), "scr-%s", it_uniq());
	snprintf(sql, sizeof(sql),
	    "INSERT INTO course VALUES ('%s-1', 'a'); "
	    "SELECT 1; INSERT INTO course VALUES ('%s-2', 'b');",
	    name, name);
	cr_assert_eq(db_script(db, sql), DB_OK);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO course VALUES ('%s-3', 'c'); SELEKT; "
	    "INSERT INTO course VALUES ('%s-4', 'd');",
	    name, name);
	cr_assert_eq(db_script(db, sql), DB_ERR);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM course WHERE course_id "
				"LIKE CONCAT(?, '-%')",
			 "s", name),
	    3, "the two of the first script and the one before the error");
	/* multi-statement mode is off again: one statement per call */
	cr_assert_eq(db_exec(db, "DO 1; DO 2", ""), DB_ERR);
	db_free(db);
}

Test(db, ping_and_a_transaction_state_that_the_caller_can_see)
{
	struct db *db;

	IT_REQUIRE_STACK();
	db = db_new(it_config());
	cr_assert_eq(db_ping(db), DB_OK);
	cr_assert_eq(db_in_tx(db), 0);
	cr_assert_eq(db_begin(db), DB_OK);
	cr_assert_eq(db_in_tx(db), 1);
	db_rollback(db);
	cr_assert_eq(db_in_tx(db), 0);
	cr_assert_eq(db_ping(db), DB_OK);
	db_free(db);
}
