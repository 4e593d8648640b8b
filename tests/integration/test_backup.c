/*
 * test_backup.c - ehazira-admin backup and restore against the running
 * test stack: a class with a semester of marks, a window open and its
 * students submitting while the backup runs; then the database is wiped,
 * restored and compared with the live one table by table, row by row.
 * Also: a backup into a full or unwritable directory fails loudly and
 * leaves nothing that looks complete; restore refuses a backup from a
 * newer schema and a damaged one, touching nothing.
 *
 * The relay is stopped while a test compares tables, so that the only
 * writers are the test's own requests; the fixture starts it again.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "it.h"
#include "itadmin.h"
#include "window.h"

#define NSTUD 120 /* students in the class */
#define WEEKS 16  /* of five subjects, one period each a day */

struct semester {
	long long class_id, subject_id, period_id, session_id;
	char *teacher_tok;
	char otp[5];
	char email[NSTUD][96];
	char *token[NSTUD];
	long long ack_ms[NSTUD]; /* when the submit was answered; 0: never */
	int acked;
};

/* Every table's rows as sorted strings (cells joined by 0x1f). */
struct snap {
	int n;
	char name[64][64];
	int nrows[64];
	char **rows[64];
};

static char tmp[64];
static int relay_down;
static char out[16384];

static void
setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ehz-backup.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	if (it_url())
		it_config(); /* exports EHAZIRA_CONF for ehazira-admin */
}

static void
teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", tmp, tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	if (relay_down && it_stack("up") != 0)
		fprintf(stderr, "could not start the relay again\n");
}

TestSuite(backup, .init = setup, .fini = teardown);

/* Stops the relay (window expiry, pushes): no writer but the test. */
static void
stop_relay(void)
{
	pid_t pid = it_pid("relay");
	int i;

	cr_assert_gt(pid, 0, "the stack's relay runs");
	relay_down = 1;
	cr_assert_eq(kill(pid, SIGTERM), 0);
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		usleep(100000);
	cr_assert_neq(kill(pid, 0), 0, "the relay stopped");
}

static int
admin(const char *a0, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = { a0, a1, a2, a3, NULL };

	return it_admin(out, sizeof(out), 0, args);
}

/* The BACKUP path from "backup: wrote PATH (...)". */
static char *
backup_into(const char *dir)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];

	cr_assert_eq(admin("backup", dir, NULL, NULL), 0, "%s", out);
	cr_assert_eq(sscanf(out, "backup: wrote %255s", p), 1, "%s", out);
	return p;
}

static char *
newdir(const char *name)
{
	static char path[8][128];
	static int k;
	char *p = path[k++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", tmp, name);
	cr_assert_eq(mkdir(p, 0700), 0, "%s", p);
	return p;
}

static void
sql_ok(const char *sql, const char *types, long long a, const char *s)
{
	int rc = types[0] == 'I' ? it_sql(sql, types, a, s)
				 : it_sql(sql, types, s, a);

	cr_assert_eq(rc, DB_OK, "%s", sql);
}

/* Department, class, teacher, five subjects, their periods. */
static void
load_class(struct semester *s, long long *teacher_dev)
{
	char name[96], teacher[96], course[32];
	long long dep;
	int c;

	snprintf(name, sizeof(name), "Dept bk %s", it_uniq());
	sql_ok("INSERT INTO department (department_name) VALUES (?)", "s", 0,
	    name);
	dep = it_sql_int("SELECT department_id FROM department WHERE "
			 "department_name = ?",
	    "s", name);
	sql_ok("INSERT INTO class (department_id, batch, semester, section) "
	       "VALUES (?, '2025', 3, 'B')",
	    "I", dep, NULL);
	s->class_id = it_sql_int("SELECT class_id FROM class WHERE "
				 "department_id = ?",
	    "I", dep);
	snprintf(teacher, sizeof(teacher), "t-bk-%s@it.edu", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", teacher, dep),
	    DB_OK);
	for (c = 0; c < 5; c++) {
		snprintf(course, sizeof(course), "BK%d-%s", c, it_uniq());
		sql_ok("INSERT INTO course (course_id, course_name) VALUES "
		       "(?, 'Course')",
		    "s", 0, course);
		cr_assert_eq(it_sql("INSERT INTO subject (course_id, class_id, "
				    "teacher_email) VALUES (?, ?, ?)",
				 "sIs", course, s->class_id, teacher),
		    DB_OK);
	}
	s->subject_id = it_sql_int("SELECT MIN(subject_id) FROM subject WHERE "
				   "class_id = ?",
	    "I", s->class_id);
	sql_ok("INSERT INTO period (subject_id, day_of_week, period_no) SELECT "
	       "subject_id, seq, 1 FROM subject JOIN seq_1_to_5 WHERE "
	       "class_id = ?",
	    "I", s->class_id, NULL);
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, 'teacher', CONCAT('bk-', ?), "
			    "'x', 'ANDROID', 1, 'ACTIVE')",
			 "ss", teacher, teacher),
	    DB_OK);
	*teacher_dev = it_sql_int("SELECT device_id FROM device WHERE "
				  "device_uuid = CONCAT('bk-', ?)",
	    "s", teacher);
	s->teacher_tok = it_token(teacher, "teacher", *teacher_dev, 900);
}

/* NSTUD students with devices and a semester of marks, in bulk. */
static void
load_semester(struct semester *s)
{
	char sql[512];
	struct db_rows rows;
	long long tdev;
	int i;

	memset(s, 0, sizeof(*s));
	load_class(s, &tdev);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO student (student_email, name, roll_no, class_id, "
	    "verified) SELECT CONCAT('bk', seq, '-', ?, '@it.edu'), "
	    "CONCAT('Student ', seq), LPAD(seq, 3, '0'), ?, 1 FROM "
	    "seq_1_to_%d",
	    NSTUD);
	cr_assert_eq(it_sql(sql, "sI", it_uniq(), s->class_id), DB_OK);
	sql_ok("INSERT INTO device (user_email, role, device_uuid, "
	       "fingerprint_hash, platform, active, approval) SELECT "
	       "student_email, 'student', CONCAT('bk-', student_email), "
	       "SHA2(student_email, 256), 'ANDROID', 1, 'ACTIVE' FROM student "
	       "WHERE class_id = ?",
	    "I", s->class_id, NULL);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO session (period_id, date) SELECT p.period_id, "
	    "DATE_SUB(CURDATE(), INTERVAL (w.seq * 7 + p.day_of_week + 7) "
	    "DAY) FROM period p JOIN subject su USING (subject_id) JOIN "
	    "seq_0_to_%d w WHERE su.class_id = ?",
	    WEEKS - 1);
	sql_ok(sql, "I", s->class_id, NULL);
	sql_ok("INSERT INTO attendance (session_id, student_email, status, "
	       "source, marked_at) SELECT se.session_id, st.student_email, "
	       "IF(CRC32(CONCAT(se.session_id, st.student_email)) % 5 = 0, "
	       "'A', 'P'), IF(CRC32(CONCAT(se.session_id, st.student_email)) "
	       "% 5 = 0, 'TIMEOUT', 'OTP'), TIMESTAMP(se.date, '04:00:00') "
	       "FROM session se JOIN period p USING (period_id) JOIN subject "
	       "su USING (subject_id) JOIN student st ON st.class_id = "
	       "su.class_id WHERE su.class_id = ?",
	    "I", s->class_id, NULL);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance a JOIN "
				"student st USING (student_email) WHERE "
				"st.class_id = ?",
			 "I", s->class_id),
	    NSTUD * 25 * WEEKS, "a semester of marks");
	cr_assert_eq(db_query(it_db(), it_arena(), &rows,
			 "SELECT d.user_email, d.device_id FROM device d JOIN "
			 "student st ON st.student_email = d.user_email WHERE "
			 "st.class_id = ? ORDER BY d.device_id",
			 "I", s->class_id),
	    DB_OK);
	cr_assert_eq(rows.nrows, NSTUD);
	for (i = 0; i < NSTUD; i++) {
		snprintf(s->email[i], sizeof(s->email[i]), "%s",
		    db_get(&rows, i, 0));
		s->token[i] = it_token(s->email[i], "student",
		    db_get_int(&rows, i, 1), 900);
	}
}

/* Today's period: a window the test keeps open for ten minutes. */
static void
open_window(struct semester *s)
{
	struct it_resp r;
	char body[64];

	sql_ok("INSERT INTO period (subject_id, day_of_week, period_no) "
	       "VALUES (?, 1, 9)",
	    "I", s->subject_id, NULL);
	s->period_id = it_sql_int("SELECT period_id FROM period WHERE "
				  "subject_id = ? AND period_no = 9",
	    "I", s->subject_id);
	snprintf(body, sizeof(body), "{\"period_id\":%lld}", s->period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", s->teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	s->session_id =
	    json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(s->otp, sizeof(s->otp), "%s",
	    json_string_value(json_object_get(r.json, "otp")));
	it_resp_free(&r);
	/* the stack's OTP_TTL is seconds; the backup needs longer */
	sql_ok("UPDATE attendance_window SET expires_at = NOW(3) + INTERVAL 10 "
	       "MINUTE WHERE session_id = ?",
	    "I", s->session_id, NULL);
}

static void *
submit_all(void *arg)
{
	struct semester *s = arg;
	struct it_resp r;
	char body[96];
	int i;

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    s->session_id, s->otp);
	for (i = 0; i < NSTUD; i++) {
		if (it_post_json("/attendance/submit", s->token[i], body, &r) ==
		    0) {
			if (r.status == 200)
				s->ack_ms[i] = clock_mono_ms();
			it_resp_free(&r);
		}
		__atomic_add_fetch(&s->acked, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
join_row(const struct db_rows *r, int i)
{
	size_t len = 1;
	char *s;
	int c;

	for (c = 0; c < r->ncols; c++)
		len += (db_get(r, i, c) ? strlen(db_get(r, i, c)) : 2) + 1;
	s = malloc(len);
	cr_assert_not_null(s);
	s[0] = '\0';
	for (c = 0; c < r->ncols; c++) {
		strcat(s, db_get(r, i, c) ? db_get(r, i, c) : "\\N");
		strcat(s, "\x1f");
	}
	return s;
}

static void
snapshot(struct snap *sn)
{
	struct arena *a = arena_new(1024u * 1024 * 1024);
	struct db_rows t, r;
	char sql[128];
	int i, k;

	memset(sn, 0, sizeof(*sn));
	cr_assert_eq(db_query(it_db(), it_arena(), &t,
			 "SELECT TABLE_NAME FROM information_schema.TABLES "
			 "WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
			 ""),
	    DB_OK);
	cr_assert_lt(t.nrows, 64);
	for (k = 0; k < t.nrows; k++) {
		snprintf(sn->name[k], sizeof(sn->name[k]), "%s",
		    db_get(&t, k, 0));
		snprintf(sql, sizeof(sql), "SELECT * FROM `%s`", sn->name[k]);
		cr_assert_eq(db_query(it_db(), a, &r, sql, ""), DB_OK, "%s",
		    sql);
		sn->nrows[k] = r.nrows;
		sn->rows[k] = calloc((size_t)r.nrows + 1, sizeof(char *));
		for (i = 0; i < r.nrows; i++)
			sn->rows[k][i] = join_row(&r, i);
		qsort(sn->rows[k], (size_t)r.nrows, sizeof(char *), by_str);
		arena_reset(a);
	}
	sn->n = t.nrows;
	arena_free(a);
}

static void
snap_free(struct snap *sn)
{
	int k, i;

	for (k = 0; k < sn->n; k++) {
		for (i = 0; i < sn->nrows[k]; i++)
			free(sn->rows[k][i]);
		free(sn->rows[k]);
	}
}

/* Row from a submit not answered before the backup began? */
static int
late(const struct semester *s, long long t0, const char *row)
{
	int i;

	for (i = 0; s && i < NSTUD; i++)
		if ((s->ack_ms[i] == 0 || s->ack_ms[i] >= t0) &&
		    strstr(row, s->email[i]) != NULL)
			return 1;
	return 0;
}

/* The attendance tallies (schema/019_tallies.sql): counts, not rows. */
static int
is_tally(const char *table)
{
	size_t n = strlen(table);

	return n > 6 && strcmp(table + n - 6, "_tally") == 0;
}

/*
 * Live and restored tables row for row.  With s, a row may differ only
 * when it belongs to a student whose submit was not answered before t0
 * (the backup's snapshot may or may not hold it); without, none may.
 * With s the tallies are left out: a late submit changes a session's
 * count, a row with no student's e-mail (the test checks them against
 * the restored marks instead).  Returns the number of such rows.
 */
static int
compare(const struct snap *live, const struct snap *rest,
    const struct semester *s, long long t0)
{
	int k, i, j, c, diff = 0;

	cr_assert_eq(live->n, rest->n, "the same tables");
	for (k = 0; k < live->n; k++) {
		cr_assert_str_eq(live->name[k], rest->name[k]);
		if (s && is_tally(live->name[k]))
			continue;
		i = j = 0;
		while (i < live->nrows[k] || j < rest->nrows[k]) {
			c = i == live->nrows[k] ? 1
			    : j == rest->nrows[k]
			    ? -1
			    : strcmp(live->rows[k][i], rest->rows[k][j]);
			if (c == 0) {
				i++, j++;
				continue;
			}
			const char *row =
			    c < 0 ? live->rows[k][i++] : rest->rows[k][j++];
			cr_assert(late(s, t0, row),
			    "%s: a row %s the restore: %s", live->name[k],
			    c < 0 ? "missing from" : "only in", row);
			diff++;
		}
	}
	return diff;
}

/* Drops every table, as a lost disk would. */
static void
wipe(void)
{
	struct db_rows t;
	char *sql;
	size_t len = 64;
	int i;

	cr_assert_eq(db_query(it_db(), it_arena(), &t,
			 "SELECT TABLE_NAME FROM information_schema.TABLES "
			 "WHERE TABLE_SCHEMA = DATABASE()",
			 ""),
	    DB_OK);
	for (i = 0; i < t.nrows; i++)
		len += strlen(db_get(&t, i, 0)) + 4;
	sql = calloc(1, len);
	strcat(sql, "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE ");
	for (i = 0; i < t.nrows; i++) {
		strcat(sql, i ? ", `" : "`");
		strcat(sql, db_get(&t, i, 0));
		strcat(sql, "`");
	}
	cr_assert_eq(db_script(it_db(), sql), DB_OK);
	free(sql);
	cr_assert_eq(db_script(it_db(), "SET FOREIGN_KEY_CHECKS = 1"), DB_OK);
	cr_assert_eq(
	    it_sql_int("SELECT COUNT(*) FROM information_schema.TABLES "
		       "WHERE TABLE_SCHEMA = DATABASE()",
		""),
	    0, "the database is empty");
}

/* The API serves the restored data: a student's summary counts it. */
static void
summary_answers(const struct semester *s, int i)
{
	struct db_rows d;
	struct it_resp r;
	char path[256];
	long long held;

	cr_assert_eq(db_query(it_db(), it_arena(), &d,
			 "SELECT DATE_SUB(MIN(se.date), INTERVAL 1 DAY), "
			 "DATE_ADD(MAX(se.date), INTERVAL 1 DAY), COUNT(*) "
			 "FROM attendance a JOIN session se USING (session_id) "
			 "WHERE a.student_email = ?",
			 "s", s->email[i]),
	    DB_OK);
	snprintf(path, sizeof(path),
	    "/attendance/student-summary?from=%s&to=%s", db_get(&d, 0, 0),
	    db_get(&d, 0, 1));
	cr_assert_eq(it_get(path, s->token[i], &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	held = json_integer_value(
	    json_object_get(json_object_get(r.json, "totals"), "held"));
	cr_assert_eq(held, db_get_int(&d, 0, 2), "%s", r.body);
	it_resp_free(&r);
}

/*
 * The window's marks are not in the tallies while it is open (schema/
 * 025_tally_at_finalise.sql), restored or not; its end counts every
 * restored one.
 */
static void
restored_marks_are_counted_at_the_end(const struct semester *s)
{
	const char *same = "SELECT COUNT(*) FROM session_tally ta WHERE "
			   "ta.session_id = ? AND (ta.marks, ta.present) = "
			   "(SELECT COUNT(*), SUM(a.status = 'P') FROM "
			   "attendance a WHERE a.session_id = ta.session_id)";
	int closed = 0;

	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND tallied IS NOT NULL",
			 "I", s->session_id),
	    0, "counted while the window is open");
	cr_assert_eq(window_finalize(it_db(), it_arena(), it_config(),
			 it_sql_int("SELECT window_id FROM attendance_window "
				    "WHERE session_id = ?",
			     "I", s->session_id),
			 &closed),
	    DB_OK);
	cr_assert_eq(closed, 1);
	cr_assert_eq(it_sql_int(same, "I", s->session_id), 1,
	    "the restored marks are counted when the window ends");
}

Test(backup, a_backup_during_submits_restores_row_for_row, .timeout = 300)
{
	static struct semester s;
	struct snap live, rest;
	pthread_t th;
	long long t0, t1;
	int i, before = 0, during = 0, diff;
	char *b;

	IT_REQUIRE_STACK();
	load_semester(&s);
	stop_relay();
	open_window(&s);
	cr_assert_eq(pthread_create(&th, NULL, submit_all, &s), 0);
	while (__atomic_load_n(&s.acked, __ATOMIC_SEQ_CST) < 15)
		usleep(1000);
	t0 = clock_mono_ms();
	b = backup_into(newdir("during"));
	t1 = clock_mono_ms();
	pthread_join(th, NULL);
	for (i = 0; i < NSTUD; i++) {
		cr_assert_gt(s.ack_ms[i], 0, "%s was answered", s.email[i]);
		before += s.ack_ms[i] < t0;
		during += s.ack_ms[i] >= t0 && s.ack_ms[i] <= t1;
	}
	cr_assert_gt(during, 0, "submits were answered during the backup");
	snapshot(&live);
	wipe();
	cr_assert_eq(admin("restore", b, NULL, NULL), 0, "%s", out);
	snapshot(&rest);
	diff = compare(&live, &rest, &s, t0);
	restored_marks_are_counted_at_the_end(&s);
	for (i = 0; i < NSTUD; i++)
		if (s.ack_ms[i] < t0)
			cr_assert_eq(
			    it_sql_int("SELECT COUNT(*) FROM attendance "
				       "WHERE session_id = ? AND "
				       "student_email = ? AND status "
				       "= 'P'",
				"Is", s.session_id, s.email[i]),
			    1, "%s's acknowledged submit was restored",
			    s.email[i]);
	cr_log_info("%d submits before the backup, %d during; %d rows after "
		    "its snapshot",
	    before, during, diff);
	summary_answers(&s, 0);
	snap_free(&live);
	snap_free(&rest);
}

Test(backup, a_quiet_backup_restores_every_table_exactly, .timeout = 300)
{
	struct snap live, rest;
	char *b;

	IT_REQUIRE_STACK();
	stop_relay();
	b = backup_into(newdir("quiet"));
	cr_assert_neq(admin("restore", b, NULL, NULL), 0, "%s", out);
	cr_assert(strstr(out, "--force") != NULL, "%s", out);
	snapshot(&live);
	cr_assert_eq(admin("restore", "--force", b, NULL), 0, "%s", out);
	snapshot(&rest);
	cr_assert_eq(compare(&live, &rest, NULL, 0), 0);
	snap_free(&live);
	snap_free(&rest);
}

/* Nothing in dir at all: no partial leftovers, nothing complete. */
static void
assert_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return; /* not a directory: nothing could be written there */
	while ((e = readdir(d)) != NULL)
		cr_assert(strcmp(e->d_name, ".") == 0 ||
			strcmp(e->d_name, "..") == 0,
		    "%s/%s was left behind", dir, e->d_name);
	closedir(d);
}

Test(backup, a_backup_into_a_full_or_unwritable_place_fails_and_leaves_nothing)
{
	static const struct {
		const char *what, *path, *says;
		long fsize;
		int root_ok; /* root writes anywhere: skip permission cases */
	} cases[] = {
		{ "a full disk", "full", "File too large", 16384, 1 },
		{ "a missing directory", "missing", "No such file", 0, 1 },
		{ "a file, not a directory", "file", "not a directory", 0, 1 },
		{ "a read-only directory", "ro", "Permission denied", 0, 0 },
	};
	char path[128], cmd[512];
	const char *args[3] = { "backup", path, NULL };
	size_t i;
	int rc;

	IT_REQUIRE_STACK();
	snprintf(cmd, sizeof(cmd),
	    "mkdir %s/full %s/ro && touch %s/file && "
	    "chmod 0500 %s/ro",
	    tmp, tmp, tmp, tmp);
	cr_assert_eq(system(cmd), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].root_ok && geteuid() == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp, cases[i].path);
		rc = it_admin(out, sizeof(out), cases[i].fsize, args);
		cr_assert_neq(rc, 0, "%s: %s", cases[i].what, out);
		cr_assert(strstr(out, cases[i].says) != NULL, "%s: %s",
		    cases[i].what, out);
		assert_empty(path);
	}
}

/* A copy of a backup to damage; its path. */
static char *
copy_of(const char *b, const char *name, const char *damage)
{
	static char path[8][160];
	static int k;
	char *p = path[k++ % 8], cmd[1024];

	snprintf(p, sizeof(path[0]), "%s/%s", tmp, name);
	snprintf(cmd, sizeof(cmd), "cp -r %s %s && cd %s && %s", b, p, p,
	    damage);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	return p;
}

Test(backup, restore_refuses_a_newer_schema_and_a_damaged_backup,
    .timeout = 120)
{
	static const struct {
		const char *name, *damage, *says;
	} cases[] = {
		{ "flipped",
		    "printf X | dd of=dump.sql.gz bs=1 seek=200 "
		    "conv=notrunc 2>/dev/null",
		    "corrupt" },
		{ "truncated", "truncate -s 1000 dump.sql.gz", "corrupt" },
		{ "no-end", "sed -i '/^end$/d' manifest", "incomplete" },
		{ "no-manifest", "rm manifest", "no manifest" },
		{ "not-a-backup", "echo hello > manifest", "not an eHazira" },
	};
	long long tables, migrations;
	char *good, *newer;
	size_t i;

	IT_REQUIRE_STACK();
	tables = it_sql_int("SELECT COUNT(*) FROM information_schema.TABLES "
			    "WHERE TABLE_SCHEMA = DATABASE()",
	    "");
	migrations = it_sql_int("SELECT COUNT(*) FROM schema_migrations", "");
	good = backup_into(newdir("good"));
	cr_assert_eq(it_sql("INSERT INTO schema_migrations (version) VALUES "
			    "('999_from_a_newer_release.sql')",
			 ""),
	    DB_OK);
	newer = backup_into(newdir("newer"));
	cr_assert_eq(it_sql("DELETE FROM schema_migrations WHERE version = "
			    "'999_from_a_newer_release.sql'",
			 ""),
	    DB_OK);
	cr_assert_neq(admin("restore", "--force", newer, NULL), 0, "%s", out);
	cr_assert(strstr(out, "newer schema") != NULL &&
		strstr(out, "999_from_a_newer_release.sql") != NULL,
	    "%s", out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = copy_of(good, cases[i].name, cases[i].damage);

		cr_assert_neq(admin("restore", "--force", bad, NULL), 0,
		    "%s: %s", cases[i].name, out);
		cr_assert(strstr(out, cases[i].says) != NULL, "%s: %s",
		    cases[i].name, out);
	}
	/* refused before touching anything */
	cr_assert_eq(
	    it_sql_int("SELECT COUNT(*) FROM information_schema.TABLES "
		       "WHERE TABLE_SCHEMA = DATABASE()",
		""),
	    tables);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM schema_migrations", ""),
	    migrations);
}
