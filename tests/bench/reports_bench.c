/*
 * reports_bench.c - how long the reporting endpoints take on a semester:
 * 60 students x 6 subjects x 90 sessions (32,400 marks).
 *
 * Self-contained: it builds its own fixture in the stack's database with a
 * handful of INSERT ... SELECT statements over a recursive sequence, times
 * requests through nginx, removes the fixture and prints one line per
 * measurement.  It reads the same environment as the integration tests
 * (EHAZIRA_TEST_URL, plus the stack's config through EHAZIRA_CONF or
 * EHAZIRA_TEST_ROOT and the EHAZIRA_* overrides), so it runs under the
 * `make bench` driver or by hand against a running stack:
 *
 *   EHAZIRA_STATE=$PWD/var EHAZIRA_HTTP_PORT=8380 EHAZIRA_DB_PORT=3337 \
 *   EHAZIRA_TEST_URL=http://127.0.0.1:8380 build/tests/bench/reports_bench
 *
 * Server time is libcurl's time to first byte minus the time the request
 * was sent (STARTTRANSFER - PRETRANSFER) on a kept-alive connection: what
 * nginx and the worker spent, without connection set-up.  GET /healthz
 * through the same nginx is the baseline (one database ping), and each
 * figure is also given as a ratio to it.  Budgets (issue 6): class-summary
 * JSON <= 50 ms, its xlsx <= 300 ms (medians); exit status 1 when over.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "it.h"

#define STUDENTS 60
#define SUBJECTS 6
#define SESSIONS 90
#define BUDGET_JSON_MS 50.0
#define BUDGET_XLSX_MS 300.0

struct sample {
	double server_ms[256];
	int n;
	size_t bytes;
};

static CURL *curl;

static size_t
sink(char *d, size_t sz, size_t nm, void *u)
{
	*(size_t *)u += sz * nm;
	(void)d;
	return sz * nm;
}

/* One timed GET; -1 on a transport error or an unexpected status. */
static int
timed_get(const char *path, const char *token, struct sample *s)
{
	char url[2048], auth[4200];
	struct curl_slist *h = NULL;
	double pre = 0, start = 0;
	size_t bytes = 0;
	long status = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", it_url(), path);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &bytes);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		return -1;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME, &pre);
	curl_easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME, &start);
	if (status != 200) {
		fprintf(stderr, "reports_bench: %s -> %ld\n", path, status);
		return -1;
	}
	if (s->n < (int)(sizeof(s->server_ms) / sizeof(s->server_ms[0])))
		s->server_ms[s->n++] = (start - pre) * 1000.0;
	s->bytes = bytes;
	return 0;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(struct sample *s, int p)
{
	qsort(s->server_ms, (size_t)s->n, sizeof(double), by_value);
	return s->n ? s->server_ms[(s->n - 1) * p / 100] : 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define SQL(...)                                                 \
	do {                                                     \
		if (it_sql(__VA_ARGS__) != DB_OK) {              \
			fprintf(stderr,                          \
			    "reports_bench: fixture SQL failed " \
			    "at line %d\n",                      \
			    __LINE__);                           \
			return -1;                               \
		}                                                \
	} while (0)

/* A sequence 1..N as a derived table, for INSERT ... SELECT. */
#define SEQ(n)                                                             \
	"(WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM " \
	"seq WHERE n < " #n ") SELECT n FROM seq)"

struct fixture {
	char u[32], dept[64], teacher[96], student[96];
	long long dep, cls, dev_t, dev_s, subjects[SUBJECTS];
};

static int
build(struct fixture *f)
{
	char course[48];
	int k;

	snprintf(f->u, sizeof(f->u), "%s", it_uniq());
	snprintf(f->dept, sizeof(f->dept), "Bench %s", f->u);
	snprintf(f->teacher, sizeof(f->teacher), "bt-%s@bench.edu", f->u);
	snprintf(f->student, sizeof(f->student), "bs1-%s@bench.edu", f->u);
	SQL("INSERT INTO department (department_name) VALUES (?)", "s",
	    f->dept);
	f->dep = db_insert_id(it_db());
	SQL("INSERT INTO class (department_id, batch, semester, section) "
	    "VALUES (?, 'B', 5, 'X')",
	    "I", f->dep);
	f->cls = db_insert_id(it_db());
	SQL("INSERT INTO teacher (teacher_email, name, department_id, "
	    "verified) VALUES (?, 'Bench Teacher', ?, 1)",
	    "sI", f->teacher, f->dep);
	SQL("INSERT INTO student (student_email, name, roll_no, class_id, "
	    "verified) SELECT CONCAT('bs', n, '-', ?, '@bench.edu'), "
	    "CONCAT('Student ', n), LPAD(n, 3, '0'), ?, 1 FROM " SEQ(60) " s",
	    "sI", f->u, f->cls);
	for (k = 0; k < SUBJECTS; k++) {
		snprintf(course, sizeof(course), "B%d-%s", k, f->u);
		SQL("INSERT INTO course (course_id, course_name) VALUES (?, ?)",
		    "ss", course, course);
		SQL("INSERT INTO subject (course_id, class_id, teacher_email) "
		    "VALUES (?, ?, ?)",
		    "sIs", course, f->cls, f->teacher);
		f->subjects[k] = db_insert_id(it_db());
		SQL("INSERT INTO period (subject_id, day_of_week, period_no) "
		    "VALUES (?, ?, ?)",
		    "Iii", f->subjects[k], 1 + k % 5, k + 1);
	}
	/* 90 sessions per subject on the last 90 days */
	SQL("INSERT INTO session (period_id, date) SELECT p.period_id, "
	    "CURDATE() - INTERVAL s.n DAY FROM period p "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN " SEQ(90) " s WHERE sj.class_id = ?",
	    "I", f->cls);
	/* every student in every session: ~70% P, 20% A, 10% R */
	SQL("INSERT INTO attendance (session_id, student_email, status, "
	    "source) SELECT se.session_id, st.student_email, "
	    "CASE WHEN CRC32(CONCAT(se.session_id, st.student_email)) % 10 < 7 "
	    "THEN 'P' WHEN CRC32(CONCAT(se.session_id, st.student_email)) % 10 "
	    "< 9 THEN 'A' ELSE 'R' END, 'OTP' "
	    "FROM session se JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN student st ON st.class_id = sj.class_id "
	    "WHERE sj.class_id = ?",
	    "I", f->cls);
	SQL("INSERT INTO device (user_email, role, device_uuid, "
	    "fingerprint_hash, platform, active, approval) VALUES "
	    "(?, 'teacher', 'bench', 'bench', 'ANDROID', 1, 'ACTIVE')",
	    "s", f->teacher);
	f->dev_t = db_insert_id(it_db());
	SQL("INSERT INTO device (user_email, role, device_uuid, "
	    "fingerprint_hash, platform, active, approval) VALUES "
	    "(?, 'student', 'bench', 'bench', 'ANDROID', 1, 'ACTIVE')",
	    "s", f->student);
	f->dev_s = db_insert_id(it_db());
	return 0;
}

static void
teardown(const struct fixture *f)
{
	it_sql("DELETE a FROM attendance a JOIN session se ON se.session_id = "
	       "a.session_id JOIN period p ON p.period_id = se.period_id "
	       "JOIN subject sj ON sj.subject_id = p.subject_id "
	       "WHERE sj.class_id = ?",
	    "I", f->cls);
	it_sql("DELETE se FROM session se JOIN period p ON p.period_id = "
	       "se.period_id JOIN subject sj ON sj.subject_id = p.subject_id "
	       "WHERE sj.class_id = ?",
	    "I", f->cls);
	it_sql("DELETE p FROM period p JOIN subject sj ON sj.subject_id = "
	       "p.subject_id WHERE sj.class_id = ?",
	    "I", f->cls);
	it_sql("DELETE FROM attendance_warning WHERE subject_id IN (SELECT "
	       "subject_id FROM subject WHERE class_id = ?)",
	    "I", f->cls);
	it_sql("DELETE FROM subject WHERE class_id = ?", "I", f->cls);
	it_sql("DELETE FROM course WHERE course_id LIKE CONCAT('B_-', ?)", "s",
	    f->u);
	it_sql("DELETE FROM device WHERE device_id IN (?, ?)", "II", f->dev_t,
	    f->dev_s);
	it_sql("DELETE FROM student WHERE class_id = ?", "I", f->cls);
	it_sql("DELETE FROM teacher WHERE teacher_email = ?", "s", f->teacher);
	it_sql("DELETE FROM class WHERE class_id = ?", "I", f->cls);
	it_sql("DELETE FROM department WHERE department_id = ?", "I", f->dep);
}

/* GETs prefix<subject id>suffix, round-robin over the six subjects. */
static int
measure(const char *what, const char *prefix, const char *suffix,
    const struct fixture *f, const char *token, int iters, struct sample *s)
{
	char path[512];
	int i;

	memset(s, 0, sizeof(*s));
	for (i = -3; i < iters; i++) {
		/* round-robin over the six subjects; 3 warm-up requests */
		snprintf(path, sizeof(path), "%s%lld%s", prefix,
		    f->subjects[(i + 3) % SUBJECTS], suffix);
		if (timed_get(path, token, s) < 0) {
			fprintf(stderr, "reports_bench: %s failed\n", what);
			return -1;
		}
		if (i < 0)
			s->n--;
	}
	return 0;
}

static void
report(const char *what, struct sample *s, double base, double budget,
    int *over)
{
	double med = pct(s, 50), p90 = pct(s, 90);

	printf("reports_bench: %-28s median %7.2f ms  p90 %7.2f ms  "
	       "%6.1fx healthz  %8zu bytes",
	    what, med, p90, base > 0 ? med / base : 0, s->bytes);
	if (budget > 0) {
		printf("  budget %.0f ms %s", budget,
		    med <= budget ? "OK" : "OVER");
		if (med > budget)
			*over = 1;
	}
	printf("\n");
}

int
main(void)
{
	struct fixture f;
	struct sample health, json, xlsx, csv, stud;
	char *tt, *ts;
	double t0, base;
	int i, over = 0, rc = 1;

	if (it_url() == NULL) {
		printf("reports_bench: skipped (EHAZIRA_TEST_URL not set)\n");
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	memset(&f, 0, sizeof(f));
	t0 = now_s();
	if (build(&f) < 0)
		goto out;
	printf("reports_bench: fixture %d students x %d subjects x %d sessions "
	       "(%d marks) in %.2f s\n",
	    STUDENTS, SUBJECTS, SESSIONS, STUDENTS * SUBJECTS * SESSIONS,
	    now_s() - t0);
	tt = it_token(f.teacher, "teacher", f.dev_t, 3600);
	ts = it_token(f.student, "student", f.dev_s, 3600);

	memset(&health, 0, sizeof(health));
	for (i = 0; i < 53; i++)
		if (timed_get("/healthz", NULL, &health) < 0)
			goto out;
	if (measure("class-summary json",
		"/attendance/class-summary?subject_id=", "", &f, tt, 40,
		&json) < 0 ||
	    measure("class-summary xlsx",
		"/attendance/class-summary?subject_id=", "&format=xlsx", &f, tt,
		20, &xlsx) < 0 ||
	    measure("class-summary csv",
		"/attendance/class-summary?subject_id=", "&format=csv", &f, tt,
		20, &csv) < 0 ||
	    measure("student-summary json",
		"/attendance/student-summary?round=", "", &f, ts, 40,
		&stud) < 0)
		goto out;
	base = pct(&health, 50);
	report("GET /healthz (baseline)", &health, base, 0, &over);
	report("class-summary json", &json, base, BUDGET_JSON_MS, &over);
	report("class-summary xlsx", &xlsx, base, BUDGET_XLSX_MS, &over);
	report("class-summary csv", &csv, base, 0, &over);
	report("student-summary json (6 subj)", &stud, base, 0, &over);
	rc = over;
out:
	teardown(&f);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	if (rc)
		printf("reports_bench: FAILED%s\n",
		    over ? " (over budget)" : "");
	return rc;
}
