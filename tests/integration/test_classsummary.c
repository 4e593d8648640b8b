/*
 * test_classsummary.c - the class summary reads an ended session's marks
 * from its packed row (schema/026_session_register.sql) instead of the
 * marks; these tests prove the row says what the marks say after every
 * kind of write, and that the summary built from the rows is the summary
 * built from the marks, byte for byte (JSON and CSV).
 *
 * Each check reads the summary twice through the API: once as it is
 * (the rows), once with the subject's rows taken away (every session then
 * packed from its marks: the summary before 026), and puts the rows back.
 * The rows themselves are compared with the marks' GROUP_CONCAT as sets
 * of marks (a patched row keeps its marks in another order).
 *
 * Fixture: a class of six, one window opened, marks written while it is
 * open, the window closed by the teacher (which marks the rest absent);
 * then, one after another, a status change, slow set, a manual mark, a
 * remark, mark-all over the timeout absences, a deletion, a new mark, a
 * second window of the same session with a change while it is open, a
 * third ended by hand, and a bulk load with the triggers off and the
 * subject recounted after.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "itclass.h"

static struct it_class k;
static long long sid;
static char day[11];

/* One text cell of a query on the session, or "none". */
static const char *
cell(const char *sql)
{
	struct db_rows r;

	cr_assert_eq(db_query(it_db(), it_arena(), &r, sql, "I", sid), DB_OK,
	    "%s", sql);
	return r.nrows && db_get(&r, 0, 0) ? db_get(&r, 0, 0) : "none";
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The marks of a packed string, sorted, one space between. */
static char *
sorted(const char *packed)
{
	char *s = arena_printf(it_arena(), "%s", packed), *save = NULL, *t;
	char **v = calloc(strlen(s) + 1, sizeof(*v)), *out;
	size_t n = 0, i;

	cr_assert_not_null(v);
	for (t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save))
		v[n++] = t;
	qsort(v, n, sizeof(*v), cmp_str);
	out = arena_alloc(it_arena(), strlen(packed) + 2);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, v[i]);
	}
	free(v);
	return out;
}

/* "marks remarks:packed" from the marks and from the row */
#define LIVE                                                          \
	"SELECT CONCAT(COUNT(*), ' ', SUM(remark IS NOT NULL), ':', " \
	"COALESCE(GROUP_CONCAT(status, LEFT(source, 1), slow, "       \
	"student_no SEPARATOR ' '), '')) FROM attendance WHERE "      \
	"session_id = ?"
#define STORED                                                  \
	"SELECT CONCAT(marks, ' ', remarks, ':', packed) FROM " \
	"session_register WHERE session_id = ?"

/* The session's row holds exactly its marks. */
static void
row_is_whole(const char *step)
{
	const char *live = cell(LIVE), *stored = cell(STORED);

	cr_assert_str_neq(stored, "none", "%s: the session has its row", step);
	cr_assert(strcspn(stored, ":") == strcspn(live, ":") &&
		strncmp(stored, live, strcspn(live, ":")) == 0,
	    "%s: counts %s vs %s", step, stored, live);
	cr_assert_str_eq(sorted(strchr(stored, ':') + 1),
	    sorted(strchr(live, ':') + 1), "%s: the row's marks", step);
}

/* GET the summary in a format; the body (malloc'd). */
static char *
summary(const char *format)
{
	struct it_resp r;
	char path[256], *body;

	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=%s&to=%s"
	    "&format=%s",
	    k.subject_id, day, day, format);
	cr_assert_eq(it_get(path, k.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	body = strdup(r.body);
	it_resp_free(&r);
	return body;
}

/* The summary from the rows is the summary from the marks. */
static void
summary_is_the_marks(const char *step)
{
	static const char *const fmts[] = { "json", "csv" };
	char *stored[2], *live[2];
	size_t i;

	for (i = 0; i < 2; i++)
		stored[i] = summary(fmts[i]);
	cr_assert_eq(it_sql("CREATE TEMPORARY TABLE IF NOT EXISTS kept AS "
			    "SELECT * FROM session_register LIMIT 0",
			 ""),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO kept SELECT * FROM session_register "
			    "WHERE session_id = ?",
			 "I", sid),
	    DB_OK);
	cr_assert_eq(it_sql("DELETE FROM session_register WHERE "
			    "session_id = ?",
			 "I", sid),
	    DB_OK);
	for (i = 0; i < 2; i++)
		live[i] = summary(fmts[i]);
	cr_assert_eq(it_sql("INSERT INTO session_register SELECT * FROM kept",
			 ""),
	    DB_OK);
	cr_assert_eq(it_sql("DELETE FROM kept", ""), DB_OK);
	for (i = 0; i < 2; i++) {
		cr_assert_str_eq(stored[i], live[i], "%s: %s", step, fmts[i]);
		free(stored[i]);
		free(live[i]);
	}
}

static void
check(const char *step)
{
	row_is_whole(step);
	summary_is_the_marks(step);
}

static void
sql(const char *q, const char *types, const char *email, const char *s)
{
	int rc = email && s ? it_sql(q, types, s, sid, email)
	    : email         ? it_sql(q, types, sid, email)
			    : it_sql(q, types, sid);

	cr_assert_eq(rc, DB_OK, "%s", q);
}

static void
post(const char *path, const char *body)
{
	struct it_resp r;

	cr_assert_eq(it_post_json(path, k.teacher_tok, body, &r), 0);
	cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
	it_resp_free(&r);
}

/* A window of the session, kept open an hour (the relay leaves it). */
static void
open_window(void)
{
	char otp[5];

	sid = it_class_initiate(&k, otp);
	sql("UPDATE attendance_window SET expires_at = NOW(3) + INTERVAL 1 "
	    "HOUR WHERE session_id = ? AND finalized_at IS NULL",
	    "I", NULL, NULL);
	snprintf(day, sizeof(day), "%s",
	    cell("SELECT DATE_FORMAT(date, '%Y-%m-%d') FROM session WHERE "
		 "session_id = ?"));
}

/* The first window: marks while open, none in the row; the row at the end. */
static void
first_window(void)
{
	open_window();
	cr_assert_eq(
	    it_sql("INSERT INTO attendance (session_id, "
		   "student_email, status, source, delay_ms) VALUES "
		   "(?, ?, 'P', 'OTP', 900), (?, ?, 'R', 'OTP', 1200), "
		   "(?, ?, 'P', 'OTP', 800), (?, ?, 'P', 'OTP', 700)",
		"IsIsIsIs", sid, k.students[0], sid, k.students[1], sid,
		k.students[2], sid, k.students[3]),
	    DB_OK);
	cr_assert_str_eq(cell(STORED), "none",
	    "no row while the window is "
	    "open");
	it_class_close(k.teacher_tok, sid);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND source = 'TIMEOUT'",
			 "I", sid),
	    2, "the close marked the other two absent");
	check("window closed");
}

/* An update of one student's mark in the session. */
#define BY(set)                                                   \
	"UPDATE attendance SET " set " WHERE session_id = ? AND " \
	"student_email = ?"

Test(classsummary, an_ended_sessions_row_follows_every_kind_of_write)
{
	char body[512];

	IT_REQUIRE_STACK();
	it_class_make(&k, "csum", 6, "ANDROID");
	first_window();
	sql(BY("status = 'A'"), "Is", k.students[0], NULL);
	check("status");
	sql(BY("slow = 1"), "Is", k.students[2], NULL);
	check("slow");
	snprintf(body, sizeof(body),
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"P\","
	    "\"reason\":\"seen in class\"}",
	    sid, k.students[1]);
	post("/attendance/manual-mark", body);
	check("manual mark");
	sql(BY("remark = ?"), "sIs", k.students[3], "left early");
	check("remark");
	sql(BY("remark = NULL"), "Is", k.students[3], NULL);
	check("remark taken away");
	sql(BY("remark = ?"), "sIs", k.students[3], "left \"early\"");
	check("remark again");
	snprintf(body, sizeof(body),
	    "{\"session_id\":%lld,\"status\":\"P\",\"reason\":\"trip\"}", sid);
	post("/attendance/mark-all", body);
	check("mark-all");
	sql("DELETE FROM attendance WHERE session_id = ? AND student_email = ?",
	    "Is", k.students[4], NULL);
	check("deletion");
	sql("INSERT INTO attendance (session_id, student_email, status, "
	    "source) VALUES (?, ?, 'R', 'MANUAL')",
	    "Is", k.students[4], NULL);
	check("new mark");
}

/*
 * A second window of an ended session: its writes leave the row alone
 * (a submit writes only its mark) and the summary reads the marks until
 * the window ends, when the row is built again.  A bulk load leaves the
 * row behind; the recount catches it up.
 */
Test(classsummary, a_pending_window_and_a_bulk_load_are_read_from_the_marks)
{
	const char *before;

	IT_REQUIRE_STACK();
	it_class_make(&k, "csum2", 6, "ANDROID");
	first_window();
	before = cell(STORED);
	open_window();
	sql("UPDATE attendance SET status = 'R' WHERE session_id = ? AND "
	    "student_email = ?",
	    "Is", k.students[3], NULL);
	cr_assert_str_eq(cell(STORED), before,
	    "no write to the row while "
	    "a window is open");
	summary_is_the_marks("second window open");
	it_class_close(k.teacher_tok, sid);
	check("second window closed");
	cr_assert_str_neq(cell(STORED), before, "built again");

	/* a window ended by hand (an operator) builds the row as well */
	open_window();
	sql("UPDATE attendance SET slow = 1 WHERE session_id = ? AND "
	    "student_email = ?",
	    "Is", k.students[0], NULL);
	summary_is_the_marks("third window open");
	sql("UPDATE attendance_window SET finalized_at = NOW(3) WHERE "
	    "session_id = ? AND finalized_at IS NULL",
	    "I", NULL, NULL);
	check("third window ended by hand");
	before = cell(STORED);

	cr_assert_eq(it_sql("SET @ehazira_tally_bulk = 1", ""), DB_OK);
	sql("UPDATE attendance SET status = 'A' WHERE session_id = ?", "I",
	    NULL, NULL);
	cr_assert_eq(it_sql("SET @ehazira_tally_bulk = NULL", ""), DB_OK);
	cr_assert_str_eq(cell(STORED), before, "the bulk load skipped it");
	cr_assert_eq(it_sql("CALL attendance_tally_subject(?)", "I",
			 k.subject_id),
	    DB_OK);
	check("recount");
}
