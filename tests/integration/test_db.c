/*
 * test_db.c - the database layer against the real MariaDB: a transaction
 * whose connection is lost must not go on in autocommit on a fresh
 * connection, and the handle must work again afterwards.
 */
#include <criterion/criterion.h>
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
