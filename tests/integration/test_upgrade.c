/*
 * test_upgrade.c - the previous release's database upgrades to this one.
 *
 * A second, private stack (its own state directory and ports) gets a
 * MariaDB holding the schema of git commit e9657bb, built the way that
 * release's `migrate` built it (its schema_migrations had no state
 * column) from the copies in tests/fixtures/schema-e9657bb, and data in
 * it.  Then this build's `ehazira-admin migrate` upgrades it, the data is
 * compared, the workers start on it and the API answers for the old rows.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "itadmin.h"

#define FIXTURE "tests/fixtures/schema-e9657bb"
#define NSTUD 10

static const char *old_files[] = { "001_init.sql", "003_rate_limit.sql",
	"004_indexes.sql", "005_current_window.sql" };
#define NOLD (sizeof(old_files) / sizeof(old_files[0]))

static char state[64], out[16384];

/* A port nothing listens on, below the ephemeral range (as tests/run). */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, p, ok;

	for (;;) {
		p = 20000 + rand() % 12000;
		a.sin_port = htons((unsigned short)p);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (ok)
			return p;
	}
}

/* Every helper of it.h now means the second stack. */
static void
setup(void)
{
	char v[64];
	int hp;

	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	snprintf(state, sizeof(state), "/tmp/ehz-upgrade.XXXXXX");
	cr_assert_not_null(mkdtemp(state));
	setenv("EHAZIRA_STATE", state, 1);
	snprintf(v, sizeof(v), "%d", hp = free_port());
	setenv("EHAZIRA_HTTP_PORT", v, 1);
	snprintf(v, sizeof(v), "%d", free_port());
	setenv("EHAZIRA_DB_PORT", v, 1);
	snprintf(v, sizeof(v), "http://127.0.0.1:%d", hp);
	if (it_url())
		setenv("EHAZIRA_TEST_URL", v, 1);
}

static void
teardown(void)
{
	char cmd[128];

	it_stack("down");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", state);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", state);
}

TestSuite(upgrade, .init = setup, .fini = teardown);

static int
admin(const char *a0, const char *a1)
{
	const char *args[] = { a0, a1, NULL };

	return it_admin(out, sizeof(out), 0, args);
}

/* The copies are the release's files, when git can tell. */
static void
fixture_is_the_release(void)
{
	char cmd[512];
	size_t i;
	int n = 0;
	DIR *d;
	struct dirent *e;

	cr_assert_not_null(d = opendir(FIXTURE));
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".sql") != NULL;
	closedir(d);
	cr_assert_eq(n, (int)NOLD, "the fixture holds the release's files");
	if (system("git cat-file -e e9657bb 2>/dev/null") != 0)
		return; /* a tarball or a shallow clone */
	for (i = 0; i < NOLD; i++) {
		snprintf(cmd, sizeof(cmd),
		    "git show e9657bb:schema/%s | cmp -s - " FIXTURE "/%s",
		    old_files[i], old_files[i]);
		cr_assert_eq(system(cmd), 0, "%s differs from e9657bb",
		    old_files[i]);
	}
}

/* As e9657bb's migrate did: its table, each file, then its row. */
static void
build_release_database(void)
{
	char path[256];
	size_t i;

	cr_assert_eq(it_sql("CREATE TABLE schema_migrations (version "
			    "VARCHAR(190) NOT NULL PRIMARY KEY, applied_at "
			    "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) "
			    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
			 ""),
	    DB_OK);
	for (i = 0; i < NOLD; i++) {
		snprintf(path, sizeof(path), FIXTURE "/%s", old_files[i]);
		cr_assert_eq(admin("seed", path), 0, "%s", out);
		cr_assert_eq(it_sql("INSERT INTO schema_migrations (version) "
				    "VALUES (?)",
				 "s", old_files[i]),
		    DB_OK);
	}
}

static void
sql_ok(const char *sql)
{
	cr_assert_eq(it_sql(sql, ""), DB_OK, "%s", sql);
}

/* A class, its students and devices, four weeks of marks, a window. */
static void
fill(void)
{
	char sql[512];

	sql_ok("INSERT INTO department (department_name) VALUES ('Old')");
	sql_ok("INSERT INTO teacher (teacher_email, name, department_id, "
	       "verified) VALUES ('t@old.edu', 'T', 1, 1)");
	sql_ok("INSERT INTO class (department_id, batch, semester, section) "
	       "VALUES (1, '2024', 5, 'A')");
	sql_ok("INSERT INTO course VALUES ('OS', 'Systems'), ('DB', 'Data')");
	sql_ok("INSERT INTO subject (course_id, class_id, teacher_email) "
	       "VALUES ('OS', 1, 't@old.edu'), ('DB', 1, 't@old.edu')");
	sql_ok("INSERT INTO period (subject_id, day_of_week, period_no) "
	       "SELECT subject_id, seq, subject_id FROM subject JOIN "
	       "seq_1_to_5");
	snprintf(sql, sizeof(sql),
	    "INSERT INTO student (student_email, name, roll_no, class_id, "
	    "verified) SELECT CONCAT('s', seq, '@old.edu'), CONCAT('S', seq), "
	    "seq, 1, 1 FROM seq_1_to_%d",
	    NSTUD);
	sql_ok(sql);
	sql_ok("INSERT INTO device (user_email, role, device_uuid, "
	       "fingerprint_hash, platform, active, approval) SELECT "
	       "student_email, 'student', student_email, 'f', 'ANDROID', 1, "
	       "'ACTIVE' FROM student");
	sql_ok("INSERT INTO session (period_id, date) SELECT period_id, "
	       "DATE_SUB(CURDATE(), INTERVAL (w.seq * 7 + day_of_week + 7) "
	       "DAY) FROM period JOIN seq_0_to_3 w");
	sql_ok("INSERT INTO attendance (session_id, student_email, status, "
	       "source) SELECT session_id, student_email, IF((session_id + "
	       "LENGTH(student_email)) % 4 = 0, 'A', 'P'), 'OTP' FROM session "
	       "JOIN student");
	sql_ok("INSERT INTO attendance_window (session_id, round, otp, "
	       "opened_by, opened_at, expires_at, grace_ms, finalized_at) "
	       "SELECT MAX(session_id), 1, '1234', 't@old.edu', NOW(3), "
	       "NOW(3), 2000, NOW(3) FROM session");
	sql_ok("UPDATE session SET window_id = 1 WHERE session_id = (SELECT "
	       "session_id FROM attendance_window WHERE window_id = 1)");
	sql_ok("INSERT INTO rate_limit VALUES ('submit:s1@old.edu', NOW(), 1)");
}

/* Row counts and a checksum of the columns the old release had. */
static char *
fingerprint(void)
{
	struct db_rows r;

	cr_assert_eq(db_query(it_db(), it_arena(), &r,
			 "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM "
			 "attendance), (SELECT SUM(CRC32(CONCAT_WS(',', "
			 "session_id, student_email, status, source, "
			 "marked_at))) FROM attendance), (SELECT "
			 "COUNT(*) FROM student), (SELECT SUM(CRC32(CONCAT_WS("
			 "',', student_email, name, roll_no, class_id))) FROM "
			 "student), (SELECT SUM(CRC32(CONCAT_WS(',', "
			 "session_id, period_id, date, window_id))) FROM "
			 "session), (SELECT COUNT(*) FROM device), (SELECT "
			 "COUNT(*) FROM rate_limit))",
			 ""),
	    DB_OK);
	return arena_strdup(it_arena(), db_get(&r, 0, 0));
}

/* The workers answer a student's summary from the old rows. */
static void
summary_answers(void)
{
	struct db_rows d;
	struct it_resp r;
	char path[256], *tok;
	json_t *t;

	cr_assert_eq(db_query(it_db(), it_arena(), &d,
			 "SELECT DATE_SUB(MIN(se.date), INTERVAL 1 DAY), "
			 "CURDATE(), COUNT(*), SUM(a.status = 'P'), "
			 "(SELECT device_id FROM device WHERE user_email = "
			 "'s1@old.edu') FROM attendance a JOIN session se "
			 "USING (session_id) WHERE a.student_email = "
			 "'s1@old.edu'",
			 ""),
	    DB_OK);
	cr_assert_eq(db_get_int(&d, 0, 2), 40, "four weeks of two subjects");
	tok = it_token("s1@old.edu", "student", db_get_int(&d, 0, 4), 900);
	snprintf(path, sizeof(path),
	    "/attendance/student-summary?from=%s&to=%s", db_get(&d, 0, 0),
	    db_get(&d, 0, 1));
	cr_assert_eq(it_get(path, tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	t = json_object_get(r.json, "totals");
	cr_assert_eq(json_integer_value(json_object_get(t, "held")), 40, "%s",
	    r.body);
	cr_assert_eq(json_integer_value(json_object_get(t, "present")),
	    db_get_int(&d, 0, 3), "%s", r.body);
	it_resp_free(&r);
}

Test(upgrade, the_previous_release_upgrades_with_its_data, .timeout = 180)
{
	char *before;
	int head;

	IT_REQUIRE_STACK();
	fixture_is_the_release();
	cr_assert_eq(it_stack("db-start"), 0, "a MariaDB for the old release");
	build_release_database();
	fill();
	before = fingerprint();
	cr_assert_eq(admin("migrate", "--status"), 0, "%s", out);
	cr_assert(strstr(out, "migrate: 4 applied") != NULL, "%s", out);

	cr_assert_eq(admin("migrate", NULL), 0, "%s", out);
	cr_assert_eq(admin("migrate", "--status"), 0, "%s", out);
	cr_assert(strstr(out, " 0 pending") != NULL, "%s", out);
	head = (int)it_sql_int("SELECT COUNT(*) FROM schema_migrations WHERE "
			       "state = 'applied'",
	    "");
	cr_assert_geq(head, (int)NOLD, "%s", out);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM schema_migrations", ""),
	    head, "every migration finished");
	cr_assert_str_eq(fingerprint(), before, "the old data is intact");

	cr_assert_eq(it_stack("up"), 0, "the workers start on it");
	summary_answers();
}
