/*
 * dashboard_bench.c - the dashboard's views on a college: 5,040 students
 * (84 classes of 60 in 12 departments) x a semester (6 subjects a class,
 * 3 periods a week each, 18 weeks: about 1.6 million marks), and the
 * class summary of one 600-student subject x 90 sessions.
 *
 * Self-contained like reports_bench.c: builds its fixture with INSERT ...
 * SELECT over recursive sequences (the marks with the tally triggers off,
 * each subject's tallies recounted after: schema/019_tallies.sql), times
 * requests through nginx (server time = time to first byte minus
 * pre-transfer, kept-alive), removes the fixture and prints one line per
 * figure with its ratio to /healthz and to the class summary of the same
 * run (the machine's load moves all three alike).  Budgets (issue 21): each view <= 300 ms for
 * the whole college (an administrator) and for one department (a head);
 * the 600-student class summary <= 50 ms (medians).  Exit 1 when over.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "it.h"

#define DEPTS 12
#define CLASSES 84 /* 7 per department */
#define PER_CLASS 60
#define SUBJECTS 6 /* per class */
#define WEEKS 18
#define BIG 600 /* students of the one big subject */
#define BIG_SESSIONS 90
#define BUDGET_VIEW_MS 300.0
#define BUDGET_CLASS_MS 50.0

struct sample {
	double ms[64];
	int n;
};

static CURL *curl;

static size_t
sink(char *d, size_t sz, size_t nm, void *u)
{
	(void)d;
	(void)u;
	return sz * nm;
}

static int
timed_get(const char *path, const char *token, struct sample *s)
{
	char url[2048], auth[4200];
	struct curl_slist *h = NULL;
	double pre = 0, start = 0;
	long status = 0;

	snprintf(url, sizeof(url), "%s%s", it_url(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
	if (curl_easy_perform(curl) != CURLE_OK) {
		curl_slist_free_all(h);
		return -1;
	}
	curl_slist_free_all(h);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME, &pre);
	curl_easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME, &start);
	if (status != 200) {
		fprintf(stderr, "dashboard_bench: %s -> %ld\n", path, status);
		return -1;
	}
	if (s->n < 64)
		s->ms[s->n++] = (start - pre) * 1000.0;
	return 0;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(struct sample *s)
{
	qsort(s->ms, (size_t)s->n, sizeof(double), by_value);
	return s->n ? s->ms[(s->n - 1) / 2] : 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define SQL(...)                                                           \
	do {                                                               \
		if (it_sql(__VA_ARGS__) != DB_OK) {                        \
			fprintf(stderr,                                    \
			    "dashboard_bench: fixture SQL failed at line " \
			    "%d\n",                                        \
			    __LINE__);                                     \
			return -1;                                         \
		}                                                          \
	} while (0)

#define SEQ(n)                                                             \
	"(WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM " \
	"seq WHERE n < " #n ") SELECT n FROM seq)"

static char u[32], admin[96], teacher[96];
static long long dev_admin, dev_teacher, dep1, big_subject;

/* Departments, classes, teachers, students, subjects and periods. */
static int
build_college(void)
{
	SQL("INSERT INTO department (department_name) SELECT CONCAT('DB', n, "
	    "'-', ?) FROM " SEQ(12) " s",
	    "s", u);
	SQL("INSERT INTO class (department_id, batch, semester, section) "
	    "SELECT d.department_id, ?, 1 + s.n % 8, CONCAT('S', s.n) FROM "
	    "department d JOIN " SEQ(7) " s WHERE d.department_name LIKE "
					"CONCAT('DB%-', ?)",
	    "ss", u, u);
	SQL("INSERT INTO teacher (teacher_email, name, department_id, "
	    "verified) SELECT CONCAT('dbt', c.class_id, '-', s.n, '-', ?, "
	    "'@bench.edu'), CONCAT('Teacher ', c.class_id, '/', s.n), "
	    "c.department_id, 1 FROM class c JOIN " SEQ(6) " s "
							   "WHERE c.batch = ?",
	    "ss", u, u);
	SQL("INSERT INTO student (student_email, name, roll_no, class_id, "
	    "verified) SELECT CONCAT('dbs', c.class_id, '-', s.n, '-', ?, "
	    "'@bench.edu'), CONCAT('Student ', s.n), LPAD(s.n, 3, '0'), "
	    "c.class_id, 1 FROM class c JOIN " SEQ(60) " s WHERE c.batch = ?",
	    "ss", u, u);
	SQL("INSERT INTO course (course_id, course_name) SELECT CONCAT('DBC', "
	    "n, '-', ?), CONCAT('Course ', n) FROM " SEQ(6) " s",
	    "s", u);
	SQL("INSERT INTO subject (course_id, class_id, teacher_email) SELECT "
	    "CONCAT('DBC', s.n, '-', ?), c.class_id, CONCAT('dbt', "
	    "c.class_id, '-', s.n, '-', ?, '@bench.edu') FROM class c JOIN " SEQ(
		6) " s WHERE c.batch = ?",
	    "sss", u, u, u);
	/* 3 periods a week per subject: 18 periods over Mon-Sat */
	SQL("INSERT INTO period (subject_id, day_of_week, period_no) SELECT "
	    "sj.subject_id, 1 + (k.n + sj.subject_id) % 6, 1 + k.n "
	    "FROM subject sj JOIN class c ON c.class_id = sj.class_id "
	    "JOIN " SEQ(3) " k WHERE c.batch = ?",
	    "s", u);
	return 0;
}

/*
 * A semester of sessions (18 weeks back from yesterday) and marks, the
 * marks one department at a time (a statement stays within DB_TIMEOUT).
 */
static int
build_marks(void)
{
	int d;

	/* the triggers would cost ten times the inserts: recount after */
	SQL("SET @ehazira_tally_bulk = 1", "");
	SQL("INSERT INTO session (period_id, date) SELECT p.period_id, "
	    "d.day FROM period p JOIN subject sj ON sj.subject_id = "
	    "p.subject_id JOIN class c ON c.class_id = sj.class_id JOIN "
	    "(SELECT CURDATE() - INTERVAL n DAY AS day FROM " SEQ(
		126) " s) d "
		     "ON WEEKDAY(d.day) + 1 = p.day_of_week WHERE c.batch = ?",
	    "s", u);
	for (d = 0; d < DEPTS; d++)
		SQL("INSERT INTO attendance (session_id, student_email, status, "
		    "source) SELECT se.session_id, st.student_email, "
		    "ELT(1 + CRC32(CONCAT(se.session_id, st.student_email)) % 10, "
		    "'P','P','P','P','P','P','P','A','A','R'), 'OTP' "
		    "FROM class c JOIN subject sj ON sj.class_id = c.class_id "
		    "JOIN period p ON p.subject_id = sj.subject_id "
		    "JOIN session se ON se.period_id = p.period_id "
		    "JOIN student st ON st.class_id = c.class_id WHERE c.batch = ? "
		    "AND c.department_id = (SELECT department_id FROM department "
		    "WHERE department_name = CONCAT('DB', ?, '-', ?))",
		    "sis", u, d + 1, u);
	return 0;
}

/* One class of 600 with one subject x 90 sessions, for class-summary. */
static int
build_big(void)
{
	SQL("INSERT INTO class (department_id, batch, semester, section) "
	    "VALUES (?, ?, 1, 'BIG')",
	    "Is", dep1, u);
	SQL("INSERT INTO student (student_email, name, roll_no, class_id, "
	    "verified) SELECT CONCAT('dbbig', s.n, '-', ?, '@bench.edu'), "
	    "CONCAT('Big ', s.n), LPAD(s.n, 3, '0'), c.class_id, 1 FROM "
	    "class c JOIN " SEQ(600) " s WHERE c.batch = ? AND "
				     "c.section = 'BIG'",
	    "ss", u, u);
	SQL("INSERT INTO subject (course_id, class_id, teacher_email) SELECT "
	    "CONCAT('DBC1-', ?), class_id, ? FROM class WHERE batch = ? AND "
	    "section = 'BIG'",
	    "sss", u, teacher, u);
	big_subject = db_insert_id(it_db());
	SQL("INSERT INTO period (subject_id, day_of_week, period_no) VALUES "
	    "(?, 7, 9)",
	    "I", big_subject);
	SQL("INSERT INTO session (period_id, date) SELECT p.period_id, "
	    "CURDATE() - INTERVAL s.n DAY FROM period p JOIN " SEQ(
		90) " s "
		    "WHERE p.subject_id = ?",
	    "I", big_subject);
	SQL("INSERT INTO attendance (session_id, student_email, status) "
	    "SELECT se.session_id, st.student_email, IF(CRC32(CONCAT("
	    "se.session_id, st.student_email)) % 4 = 0, 'A', 'P') FROM "
	    "session se JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN student st ON st.class_id = sj.class_id "
	    "WHERE sj.subject_id = ?",
	    "I", big_subject);
	return 0;
}

/* The tallies of every subject of the fixture, recounted after the bulk. */
static int
recount(void)
{
	struct db_rows rows;
	int i;

	SQL("SET @ehazira_tally_bulk = NULL", "");
	if (db_query(it_db(), it_arena(), &rows,
		"SELECT sj.subject_id FROM subject sj JOIN class c ON "
		"c.class_id = sj.class_id WHERE c.batch = ?",
		"s", u) != DB_OK)
		return -1;
	for (i = 0; i < rows.nrows; i++)
		SQL("CALL attendance_tally_subject(?)", "I",
		    db_get_int(&rows, i, 0));
	return 0;
}

/* The ids of fixture u: the first department, the big subject and the
 * two devices (after build, or of a kept fixture being reused). */
static int
lookup(void)
{
	dep1 = it_sql_int("SELECT MIN(department_id) FROM department WHERE "
			  "department_name LIKE CONCAT('DB%-', ?)",
	    "s", u);
	big_subject = it_sql_int("SELECT sj.subject_id FROM subject sj JOIN "
				 "class c ON c.class_id = sj.class_id WHERE "
				 "c.batch = ? AND c.section = 'BIG'",
	    "s", u);
	dev_admin = it_sql_int("SELECT MAX(device_id) FROM device WHERE "
			       "user_email = ?",
	    "s", admin);
	dev_teacher = it_sql_int("SELECT MAX(device_id) FROM device WHERE "
				 "user_email = ?",
	    "s", teacher);
	return dep1 > 0 && big_subject > 0 ? 0 : -1;
}

static int
build(void)
{
	struct db_rows rows;

	if (build_college() < 0)
		return -1;
	if (db_query_one(it_db(), it_arena(), &rows,
		"SELECT MIN(department_id) FROM department WHERE "
		"department_name LIKE CONCAT('DB%-', ?)",
		"s", u) != DB_OK)
		return -1;
	dep1 = db_get_int(&rows, 0, 0);
	SQL("INSERT INTO teacher (teacher_email, name, department_id, "
	    "verified, role) VALUES (?, 'Bench Admin', ?, 1, 'admin'), "
	    "(?, 'Big Teacher', ?, 1, 'teacher')",
	    "sIsI", admin, dep1, teacher, dep1);
	if (build_marks() < 0 || build_big() < 0 || recount() < 0)
		return -1;
	SQL("INSERT INTO device (user_email, role, device_uuid, "
	    "fingerprint_hash, platform, active, approval) VALUES "
	    "(?, 'admin', 'b', 'b', 'WEB', 1, 'ACTIVE')",
	    "s", admin);
	dev_admin = db_insert_id(it_db());
	SQL("INSERT INTO device (user_email, role, device_uuid, "
	    "fingerprint_hash, platform, active, approval) VALUES "
	    "(?, 'teacher', 'b', 'b', 'WEB', 1, 'ACTIVE')",
	    "s", teacher);
	dev_teacher = db_insert_id(it_db());
	return 0;
}

static void
teardown(void)
{
	static const char *const sql[] = {
		/* no trigger per mark: the fixture's tallies go below */
		"SET @ehazira_tally_bulk = ?",
		"DELETE x FROM student_tally x JOIN subject sj ON "
		"sj.subject_id = x.subject_id JOIN class c ON c.class_id = "
		"sj.class_id WHERE c.batch = ?",
		"DELETE x FROM student_week_tally x JOIN subject sj ON "
		"sj.subject_id = x.subject_id JOIN class c ON c.class_id = "
		"sj.class_id WHERE c.batch = ?",
		"DELETE a FROM attendance a JOIN session se ON se.session_id "
		"= a.session_id JOIN period p ON p.period_id = se.period_id "
		"JOIN subject sj ON sj.subject_id = p.subject_id JOIN class c "
		"ON c.class_id = sj.class_id WHERE c.batch = ?",
		"DELETE se FROM session se JOIN period p ON p.period_id = "
		"se.period_id JOIN subject sj ON sj.subject_id = p.subject_id "
		"JOIN class c ON c.class_id = sj.class_id WHERE c.batch = ?",
		"DELETE p FROM period p JOIN subject sj ON sj.subject_id = "
		"p.subject_id JOIN class c ON c.class_id = sj.class_id WHERE "
		"c.batch = ?",
		"DELETE sj FROM subject sj JOIN class c ON c.class_id = "
		"sj.class_id WHERE c.batch = ?",
		"DELETE st FROM student st JOIN class c ON c.class_id = "
		"st.class_id WHERE c.batch = ?",
		"DELETE FROM course WHERE course_id LIKE CONCAT('DBC_-', ?)",
		"DELETE FROM device WHERE user_email LIKE CONCAT('db%-', ?, "
		"'@bench.edu')",
		"DELETE FROM teacher WHERE teacher_email LIKE CONCAT('db%-', ?, "
		"'@bench.edu')",
		"DELETE FROM class WHERE batch = ?",
		"DELETE FROM department WHERE department_name LIKE "
		"CONCAT('DB%-', ?)",
		"SET @ehazira_tally_bulk = NULL + LENGTH(?)",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (it_sql(sql[i], "s", u) != DB_OK)
			fprintf(stderr,
			    "dashboard_bench: clean-up %zu failed\n", i);
}

/* Medians of /healthz and the class summary: every figure's baselines. */
static double base_health, base_class;

/* The median of iters requests (after two warm-ups) into *med; printed
 * with its budget and its ratios to the baselines measured so far. */
static int
measure(const char *label, const char *path, const char *token, double budget,
    int iters, int *over, double *med)
{
	struct sample s = { { 0 }, 0 };
	int i, ok;

	*med = 0;
	for (i = -2; i < iters; i++) {
		ok = timed_get(path, token, &s) == 0;
		if (i < 0) { /* warm-up, not counted: a cold one may time out */
			s.n -= ok;
			continue;
		}
		if (!ok) {
			/* a timeout is a figure too: over budget, go on */
			printf("dashboard_bench: %-44s FAILED (no answer)\n",
			    label);
			*over = 1;
			return 0;
		}
	}
	*med = median(&s);
	printf("dashboard_bench: %-44s median %8.2f ms", label, *med);
	if (base_health > 0)
		printf("  %7.0fx healthz", *med / base_health);
	if (base_class > 0)
		printf("  %5.2fx class-summary", *med / base_class);
	if (budget > 0) {
		printf("  budget %.0f ms %s", budget,
		    *med <= budget ? "OK" : "OVER");
		if (*med > budget)
			*over = 1;
	}
	printf("\n");
	return 0;
}

/* GET path (from the server's root) into the file name; 0 or -1. */
static int
save_url(const char *path, const char *token, const char *name)
{
	char url[512], auth[4200];
	struct curl_slist *h;
	FILE *f;
	int rc;

	snprintf(url, sizeof(url), "%s%s", it_url(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if ((f = fopen(name, "wb")) == NULL)
		return -1;
	h = curl_slist_append(NULL, auth);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, f);
	rc = curl_easy_perform(curl) != CURLE_OK;
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
	curl_slist_free_all(h);
	fclose(f);
	return rc ? -1 : 0;
}

/*
 * EHAZIRA_DASH_SAVE=<prefix>: the class summary's JSON and CSV into
 * <prefix>.json and <prefix>.csv, and each view measured into
 * <prefix>-<college|dept>-<view>.json, to compare two builds byte for byte.
 */
static int
save_class(const char *token)
{
	static const char *const fmts[] = { "json", "csv" };
	const char *prefix = getenv("EHAZIRA_DASH_SAVE");
	char path[256], name[512];
	size_t i;
	int rc = 0;

	for (i = 0; prefix && *prefix && i < 2; i++) {
		snprintf(path, sizeof(path),
		    "/attendance/class-summary?subject_id=%lld&format=%s",
		    big_subject, fmts[i]);
		snprintf(name, sizeof(name), "%s.%s", prefix, fmts[i]);
		rc |= save_url(path, token, name);
	}
	return rc ? -1 : 0;
}

/* A view's answer into its file, with EHAZIRA_DASH_SAVE. */
static int
save_view(const char *path, const char *token, const char *label)
{
	const char *prefix = getenv("EHAZIRA_DASH_SAVE");
	char name[512], *p;

	if (prefix == NULL || *prefix == '\0')
		return 0;
	snprintf(name, sizeof(name), "%s-%s.json", prefix, label);
	for (p = name + strlen(prefix); *p; p++)
		if (*p == ' ' || *p == '?' || *p == '=' || *p == '&')
			*p = '_';
	return save_url(path, token, name);
}

/* The first day of the fixture's semester (build_marks), as YYYY-MM-DD. */
static const char *
semester_start(void)
{
	static char day[11];
	long long n = it_sql_int("SELECT TO_DAYS(CURDATE() - INTERVAL 126 DAY) "
				 "- TO_DAYS('1970-01-01')",
	    "");
	time_t t = (time_t)(n * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	return day;
}

/* Each view, college-wide and for one department. */
static int
views(const char *ta, int *over)
{
	static char semester[48];
	const char *const names[] = { "attendance?by=department",
		"attendance?by=class", "attendance?by=subject",
		"attendance?by=teacher", "trend?", "shortage?", semester,
		"not-marked?", "accounts?", "jobs?" };
	const char *only = getenv("EHAZIRA_DASH_ONLY"); /* a part of a name */
	char path[256], label[128];
	double med;
	size_t i;

	/* the default range is the last REPORT_DAYS (120) of the 126:
	 * the signed sum; the semester's own range is the totals */
	snprintf(semester, sizeof(semester), "shortage?from=%s",
	    semester_start());
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *sep = strchr(names[i], '?')[1] ? "&" : "";

		if (only && *only && strstr(names[i], only) == NULL)
			continue;

		snprintf(path, sizeof(path), "/admin/%s", names[i]);
		snprintf(label, sizeof(label), "college  %s", names[i]);
		if (measure(label, path, ta, BUDGET_VIEW_MS, 5, over, &med) <
			0 ||
		    save_view(path, ta, label) < 0)
			return -1;
		snprintf(path, sizeof(path), "/admin/%s%sdepartment_id=%lld",
		    names[i], sep, dep1);
		snprintf(label, sizeof(label), "one dept %s", names[i]);
		if (measure(label, path, ta, BUDGET_VIEW_MS, 5, over, &med) <
			0 ||
		    save_view(path, ta, label) < 0)
			return -1;
	}
	return 0;
}

static int
run(int *over)
{
	char *ta = it_token(admin, "admin", dev_admin, 3600);
	char *tt = it_token(teacher, "teacher", dev_teacher, 3600);
	char path[256];
	double med;

	if (save_class(tt) < 0)
		return -1;
	if (measure("healthz", "/healthz", ta, 0, 20, over, &med) < 0)
		return -1;
	base_health = med;
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld", big_subject);
	if (measure("class-summary json, 600 students x 90", path, tt,
		BUDGET_CLASS_MS, 10, over, &med) < 0)
		return -1;
	base_class = med;
	return views(ta, over);
}

/*
 * EHAZIRA_DASH_KEEP=1 keeps the fixture (and prints its name);
 * EHAZIRA_DASH_REUSE=<name> measures a kept one again without building
 * (the fixture takes minutes; a change to a view is then measured in
 * seconds, on the same data); EHAZIRA_DASH_ONLY=<part of a view's name>
 * measures only those views (after /healthz and the class summary).
 */
int
main(void)
{
	const char *reuse = getenv("EHAZIRA_DASH_REUSE");
	const char *keep = getenv("EHAZIRA_DASH_KEEP");
	double t0;
	int over = 0, rc = 1;

	/* the fixture's statements are big; the server keeps its own */
	setenv("EHAZIRA_DB_TIMEOUT", "60", 1);
	if (it_url() == NULL) {
		printf("dashboard_bench: skipped (EHAZIRA_TEST_URL not set)\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it comes */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	t0 = now_s();
	snprintf(u, sizeof(u), "%s", reuse && *reuse ? reuse : it_uniq());
	snprintf(admin, sizeof(admin), "dba-%s@bench.edu", u);
	snprintf(teacher, sizeof(teacher), "dbbigt-%s@bench.edu", u);
	if (!(reuse && *reuse) && build() < 0)
		goto out;
	if (lookup() < 0)
		goto out;
	printf("dashboard_bench: fixture %d students in %d classes, %lld "
	       "marks, in %.1f s\n",
	    CLASSES * PER_CLASS, CLASSES,
	    it_sql_int("SELECT COUNT(*) FROM attendance a JOIN student st ON "
		       "st.student_email = a.student_email JOIN class c ON "
		       "c.class_id = st.class_id WHERE c.batch = ?",
		"s", u),
	    now_s() - t0);
	if (run(&over) < 0)
		goto out;
	rc = over;
out:
	if (keep && *keep == '1')
		printf("dashboard_bench: fixture kept: EHAZIRA_DASH_REUSE=%s\n",
		    u);
	else
		teardown();
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	if (rc)
		printf("dashboard_bench: FAILED%s\n",
		    over ? " (over budget)" : "");
	return rc;
}
