/*
 * test_register.c - the register beyond the live flow, against the
 * running stack: leave (teacher, student application, approval) and its
 * refusals, how an excused absence counts in the reports, remarks in the
 * register and the student's history, holidays and cancelled classes
 * refusing initiate, back-dated and extra classes, the teacher's window
 * length, and "mark all remaining".  Every refusal is checked to have
 * written nothing.
 *
 * The stack runs with the default LEAVE_COUNTS (excluded), BACKDATE_DAYS
 * (7) and OTP_TTL_MIN..OTP_TTL_MAX (5..120).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attstats.h"
#include "config.h"
#include "warnings.h"
#include "it.h"

#define NST 3

struct reg {
	long long class_id, subject_id, period_id;
	char teacher[128], students[NST][128];
	char *ttok, *stok[NST];
	char today[ATTSTATS_DATE_LEN];
};

static long long
device(const char *email, const char *role)
{
	char uuid[64];

	snprintf(uuid, sizeof(uuid), "reg-%s-%d", it_uniq(), rand());
	cr_assert_eq(
	    it_sql("INSERT INTO device (user_email, role, device_uuid, "
		   "fingerprint_hash, platform, active, approval) VALUES "
		   "(?, ?, ?, SHA2(?, 256), 'ANDROID', 1, 'ACTIVE')",
		"ssss", email, role, uuid, uuid),
	    DB_OK);
	return it_sql_int("SELECT device_id FROM device WHERE device_uuid = ?",
	    "s", uuid);
}

static long long
last_id(void)
{
	return it_sql_int("SELECT LAST_INSERT_ID()", "");
}

/* A class of NST students, its teacher, a subject and a Monday period. */
static void
make_reg(struct reg *g, const char *tag)
{
	char name[160], course[32];
	long long dep;
	int i;

	memset(g, 0, sizeof(*g));
	setenv("TZ", it_config()->timezone, 1);
	attstats_format_date(attstats_today(), g->today);
	snprintf(name, sizeof(name), "Reg %s %s", tag, it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", name),
	    DB_OK);
	dep = last_id();
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2026', 1, 'A')",
			 "I", dep),
	    DB_OK);
	g->class_id = last_id();
	snprintf(g->teacher, sizeof(g->teacher), "t-%s-%s@reg.edu", tag,
	    it_uniq());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", g->teacher, dep),
	    DB_OK);
	snprintf(course, sizeof(course), "R%s%s", tag, it_uniq());
	course[31] = '\0';
	cr_assert_eq(it_sql("INSERT INTO course (course_id, course_name) "
			    "VALUES (?, 'Registers')",
			 "s", course),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO subject (course_id, class_id, "
			    "teacher_email) VALUES (?, ?, ?)",
			 "sIs", course, g->class_id, g->teacher),
	    DB_OK);
	g->subject_id = last_id();
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) VALUES (?, 1, 1)",
			 "I", g->subject_id),
	    DB_OK);
	g->period_id = last_id();
	g->ttok =
	    it_token(g->teacher, "teacher", device(g->teacher, "teacher"), 900);
	for (i = 0; i < NST; i++) {
		snprintf(g->students[i], sizeof(g->students[i]),
		    "s%d-%s-%s@reg.edu", i, tag, it_uniq());
		cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
				    "roll_no, class_id, verified) VALUES (?, "
				    "'S', ?, ?, 1)",
				 "ssI", g->students[i], g->students[i] + 1,
				 g->class_id),
		    DB_OK);
		g->stok[i] = it_token(g->students[i], "student",
		    device(g->students[i], "student"), 900);
	}
}

static void
days_ago(long n, char out[ATTSTATS_DATE_LEN])
{
	attstats_format_date(attstats_today() - n, out);
}

/* POSTs a printf-made body; asserts the status (and error code). */
static json_t *
post(const char *tok, const char *path, int want, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static json_t *
post(const char *tok, const char *path, int want, const char *code,
    const char *fmt, ...)
{
	struct it_resp r;
	char body[2048];
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	cr_assert_eq(it_post_json(path, tok, body, &r), 0);
	cr_assert_eq(r.status, want, "%s %s -> %ld %s", path, body, r.status,
	    r.body);
	if (code)
		cr_assert_str_eq(it_error_code(&r), code, "%s", r.body);
	j = r.json ? json_incref(r.json) : NULL;
	it_resp_free(&r);
	return j;
}

static json_t *
get(const char *tok, const char *path, int want)
{
	struct it_resp r;
	json_t *j;

	cr_assert_eq(it_get(path, tok, &r), 0);
	cr_assert_eq(r.status, want, "%s -> %ld %s", path, r.status, r.body);
	j = r.json ? json_incref(r.json) : NULL;
	it_resp_free(&r);
	return j;
}

static long long
leaves(const char *email)
{
	return it_sql_int("SELECT COUNT(*) FROM student_leave WHERE "
			  "student_email = ?",
	    "s", email);
}

Test(register, a_teachers_leave_is_approved_and_an_overlap_is_refused)
{
	struct reg g;
	char d1[11], d3[11];
	json_t *j;

	IT_REQUIRE_STACK();
	make_reg(&g, "lv");
	days_ago(3, d3);
	days_ago(1, d1);
	j = post(g.ttok, "/leave", 201, NULL,
	    "{\"student_email\":\"%s\",\"kind\":\"MEDICAL\",\"from\":\"%s\","
	    "\"to\":\"%s\",\"reason\":\"fever\"}",
	    g.students[0], d3, d1);
	json_decref(j);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM student_leave WHERE "
				"student_email = ? AND state = 'APPROVED' AND "
				"kind = 'MEDICAL' AND decided_by = ?",
			 "ss", g.students[0], g.teacher),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"action = 'leave.add' AND subject = ?",
			 "s", g.students[0]),
	    1);
	/* one day inside the first range */
	json_decref(post(g.ttok, "/leave", 409, "leave_overlap",
	    "{\"student_email\":\"%s\",\"kind\":\"DUTY\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    g.students[0], d1, g.today));
	cr_assert_eq(leaves(g.students[0]), 1);
}

Test(register, a_students_application_waits_for_the_teacher)
{
	struct reg g;
	json_t *j;
	char path[64];
	long long id;

	IT_REQUIRE_STACK();
	make_reg(&g, "ap");
	/* a student cannot apply for someone else: the e-mail is ignored */
	j = post(g.stok[1], "/leave", 201, NULL,
	    "{\"student_email\":\"%s\",\"kind\":\"DUTY\",\"from\":\"%s\","
	    "\"to\":\"%s\",\"reason\":\"sports meet\"}",
	    g.students[0], g.today, g.today);
	id = json_integer_value(json_object_get(j, "leave_id"));
	json_decref(j);
	cr_assert_eq(leaves(g.students[0]), 0);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM student_leave WHERE "
				"leave_id = ? AND student_email = ? AND "
				"state = 'PENDING'",
			 "Is", id, g.students[1]),
	    1);
	j = get(g.ttok, "/leave?state=PENDING", 200);
	cr_assert_eq(json_array_size(json_object_get(j, "leave")), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "/leave/%lld/approve", id);
	json_decref(post(g.stok[1], path, 403, NULL, "{}"));
	json_decref(post(g.ttok, path, 200, NULL, "{}"));
	json_decref(post(g.ttok, path, 409, "already_decided", "{}"));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM student_leave WHERE "
				"leave_id = ? AND state = 'APPROVED' AND "
				"decided_by = ?",
			 "Is", id, g.teacher),
	    1);
}

Test(register, leave_outside_the_class_dates_and_bad_input_are_refused)
{
	struct reg g, other;
	char d2[11];

	IT_REQUIRE_STACK();
	make_reg(&g, "lo");
	make_reg(&other, "lx");
	days_ago(2, d2);
	cr_assert_eq(it_sql("UPDATE student SET joined_on = ? WHERE "
			    "student_email = ?",
			 "ss", g.today, g.students[0]),
	    DB_OK);
	cr_assert_eq(it_sql("UPDATE class SET term_end = ? WHERE class_id = ?",
			 "sI", g.today, g.class_id),
	    DB_OK);
	json_decref(post(g.ttok, "/leave", 422, "outside_class_dates",
	    "{\"student_email\":\"%s\",\"kind\":\"OTHER\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    g.students[0], d2, g.today));
	json_decref(post(g.ttok, "/leave", 422, "outside_class_dates",
	    "{\"student_email\":\"%s\",\"kind\":\"OTHER\",\"from\":\"%s\","
	    "\"to\":\"2999-01-01\"}",
	    g.students[1], g.today));
	json_decref(post(g.ttok, "/leave", 422, "bad_range",
	    "{\"student_email\":\"%s\",\"kind\":\"OTHER\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    g.students[1], g.today, d2));
	json_decref(post(g.ttok, "/leave", 400, "bad_request",
	    "{\"student_email\":\"%s\",\"kind\":\"HOLIDAY\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    g.students[1], g.today, g.today));
	json_decref(post(g.ttok, "/leave", 400, "bad_request",
	    "{\"student_email\":\"%s\",\"kind\":\"OTHER\",\"from\":\"2026-02-30\","
	    "\"to\":\"%s\"}",
	    g.students[1], g.today));
	/* not this teacher's student */
	json_decref(post(g.ttok, "/leave", 403, "not_your_class",
	    "{\"student_email\":\"%s\",\"kind\":\"OTHER\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    other.students[0], g.today, g.today));
	cr_assert_eq(leaves(g.students[0]) + leaves(g.students[1]) +
		leaves(other.students[0]),
	    0);
}

/* A session on date with marks given directly: s0 A, s1 A, s2 P. */
static long long
held_session(struct reg *g, const char *date)
{
	long long sid;

	cr_assert_eq(it_sql("INSERT INTO session (period_id, date) VALUES "
			    "(?, ?)",
			 "Is", g->period_id, date),
	    DB_OK);
	sid = last_id();
	cr_assert_eq(it_sql("INSERT INTO attendance (session_id, "
			    "student_email, status, source) VALUES "
			    "(?, ?, 'A', 'TIMEOUT'), (?, ?, 'A', 'TIMEOUT'), "
			    "(?, ?, 'P', 'OTP')",
			 "IsIsIs", sid, g->students[0], sid, g->students[1],
			 sid, g->students[2]),
	    DB_OK);
	return sid;
}

static json_t *
student_row(json_t *body, const char *email)
{
	json_t *s = json_object_get(body, "students"), *o;
	size_t i;

	json_array_foreach(s, i,
	    o) if (strcmp(json_string_value(json_object_get(o, "email")),
		       email) == 0) return o;
	cr_assert_fail("no row for %s", email);
	return NULL;
}

static int
num(json_t *o, const char *k)
{
	return (int)json_integer_value(json_object_get(o, k));
}

Test(register, an_absence_on_approved_leave_is_excused_and_left_out)
{
	struct reg g;
	char d1[11], d2[11], path[256];
	json_t *j, *o, *days;

	IT_REQUIRE_STACK();
	make_reg(&g, "ex");
	days_ago(1, d1);
	days_ago(2, d2);
	held_session(&g, d2);
	held_session(&g, d1);
	/* s0 on approved leave d1; s1 applied, never approved */
	json_decref(post(g.ttok, "/leave", 201, NULL,
	    "{\"student_email\":\"%s\",\"kind\":\"MEDICAL\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    g.students[0], d1, d1));
	json_decref(post(g.stok[1], "/leave", 201, NULL,
	    "{\"kind\":\"MEDICAL\",\"from\":\"%s\",\"to\":\"%s\"}", d1, d1));
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=%s&to=%s",
	    g.subject_id, d2, g.today);
	j = get(g.ttok, path, 200);
	o = student_row(j, g.students[0]);
	/* LEAVE_COUNTS=excluded: held 1 (d2, A), excused 1, 0% */
	cr_assert_eq(num(o, "held"), 1);
	cr_assert_eq(num(o, "absent"), 1);
	cr_assert_eq(num(o, "excused"), 1);
	cr_assert_str_eq(json_string_value(
			     json_array_get(json_object_get(json_object_get(o,
								"marks"),
						"cells"),
				 1)),
	    "E");
	o = student_row(j, g.students[1]);
	cr_assert_eq(num(o, "held"), 2);
	cr_assert_eq(num(o, "absent"), 2);
	cr_assert_eq(num(o, "excused"), 0);
	json_decref(j);
	/* the student's own history says E and why */
	snprintf(path, sizeof(path),
	    "/attendance/student-summary?from=%s&to=%s", d2, g.today);
	j = get(g.stok[0], path, 200);
	days = json_object_get(j, "days");
	cr_assert_eq(json_array_size(days), 2);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(days, 1),
				 "status")),
	    "E");
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(days, 1), "leave")),
	    "MEDICAL");
	json_decref(j);
}

/* The text of one member of a zip file (malloc'd), by unzip(1). */
static char *
unzip_member(const char *zip, const char *member)
{
	char cmd[1024], buf[8192], *out = NULL;
	size_t n = 0, got;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", zip, member);
	p = popen(cmd, "r");
	cr_assert(p != NULL);
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0) {
		out = realloc(out, n + got + 1);
		cr_assert(out != NULL);
		memcpy(out + n, buf, got);
		n += got;
		out[n] = '\0';
	}
	cr_assert_eq(pclose(p), 0, "unzip %s %s failed", zip, member);
	cr_assert(out != NULL, "%s is empty", member);
	return out;
}

/* The xlsx register's Remarks column holds each student's remarks as the
 * CSV does (shared strings, not only the cells' notes in comments1.xml). */
static void
xlsx_has_remarks(struct reg *g, const char *d1)
{
	char path[256], file[128], want[160], *sst;
	struct it_resp r;
	FILE *fp;

	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=%s&to=%s&"
	    "format=xlsx",
	    g->subject_id, d1, g->today);
	cr_assert_eq(it_get(path, g->ttok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	snprintf(file, sizeof(file), "/tmp/ehz-reg-%s-%d.xlsx", it_uniq(),
	    rand());
	fp = fopen(file, "wb");
	cr_assert(fp != NULL);
	cr_assert_eq(fwrite(r.body, 1, r.len, fp), r.len);
	fclose(fp);
	it_resp_free(&r);
	sst = unzip_member(file, "xl/sharedStrings.xml");
	unlink(file);
	snprintf(want, sizeof(want), "%s P1: came late with a note", d1);
	cr_assert(strstr(sst, want) != NULL, "%s", sst);
	snprintf(want, sizeof(want), "%s P1: left at the break", d1);
	cr_assert(strstr(sst, want) != NULL, "%s", sst);
	free(sst);
}

Test(register, a_remark_shows_in_the_register_export_and_history)
{
	struct reg g;
	char d1[11], path[256];
	struct it_resp r;
	long long sid;
	json_t *j;

	IT_REQUIRE_STACK();
	make_reg(&g, "rm");
	days_ago(1, d1);
	sid = held_session(&g, d1);
	json_decref(post(g.ttok, "/attendance/manual-mark", 200, NULL,
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"P\","
	    "\"reason\":\"came late with a note\"}",
	    sid, g.students[0]));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND student_email = ? AND "
				"status = 'P' AND remark = 'came late with a "
				"note'",
			 "Is", sid, g.students[0]),
	    1);
	json_decref(post(g.ttok, "/attendance/remark", 200, NULL,
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"remark\":"
	    "\"left at the break\"}",
	    sid, g.students[2]));
	json_decref(post(g.stok[0], "/attendance/remark", 403, NULL,
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"remark\":\"x\"}",
	    sid, g.students[0]));
	snprintf(path, sizeof(path), "/attendance/live-status?session_id=%lld",
	    sid);
	j = get(g.ttok, path, 200);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(json_object_get(j,
								"students"),
						 2),
				 "remark")),
	    "left at the break");
	json_decref(j);
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=%s&to=%s&"
	    "format=csv",
	    g.subject_id, d1, g.today);
	cr_assert_eq(it_get(path, g.ttok, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, ",remarks\r\n"), "%s", r.body);
	cr_assert(strstr(r.body, "P1: came late with a note"), "%s", r.body);
	it_resp_free(&r);
	xlsx_has_remarks(&g, d1);
	snprintf(path, sizeof(path),
	    "/attendance/student-summary?from=%s&to=%s", d1, g.today);
	j = get(g.stok[2], path, 200);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(json_object_get(j,
								"days"),
						 0),
				 "remark")),
	    "left at the break");
	json_decref(j);
}

/* A held session on date with one mark per student from marks ("PA"). */
static void
session_marked(struct reg *g, const char *date, const char *marks)
{
	char st[2] = { 0, 0 };
	long long sid;
	int i;

	cr_assert_eq(it_sql("INSERT INTO session (period_id, date) VALUES "
			    "(?, ?)",
			 "Is", g->period_id, date),
	    DB_OK);
	sid = last_id();
	for (i = 0; i < NST && marks[i]; i++) {
		st[0] = marks[i];
		cr_assert_eq(it_sql("INSERT INTO attendance (session_id, "
				    "student_email, status, source) VALUES "
				    "(?, ?, ?, 'OTP')",
				 "Iss", sid, g->students[i], st),
		    DB_OK);
	}
}

static long long
below(struct reg *g, int i)
{
	return it_sql_int("SELECT COALESCE(MAX(below), 0) FROM "
			  "attendance_warning WHERE student_email = ? AND "
			  "subject_id = ?",
	    "sI", g->students[i], g->subject_id);
}

/*
 * s0 and s1 both came 3 times and were absent 3 times; s0's absences are
 * on approved leave.  With LEAVE_COUNTS=excluded s0 is 3 of 3 and not
 * warned, s1 (3 of 6 = 50%) is; with LEAVE_COUNTS=absent both are.
 */
Test(register, an_absence_on_leave_counts_in_warnings_as_in_the_reports)
{
	struct config cfg = *it_config();
	struct reg g;
	char d[6][ATTSTATS_DATE_LEN];
	int i, n = -1;

	IT_REQUIRE_STACK();
	make_reg(&g, "wl");
	for (i = 0; i < 6; i++) {
		days_ago(6 - i, d[i]);
		session_marked(&g, d[i], i < 3 ? "PPP" : "AAP");
	}
	json_decref(post(g.ttok, "/leave", 201, NULL,
	    "{\"student_email\":\"%s\",\"kind\":\"MEDICAL\",\"from\":\"%s\","
	    "\"to\":\"%s\"}",
	    g.students[0], d[3], d[5]));
	cr_assert_str_eq(cfg.leave_counts, "excluded");
	cr_assert_eq(warnings_check(it_db(), it_arena(), &cfg, g.subject_id,
			 &n),
	    DB_OK);
	cr_assert_eq(n, 1, "only s1 is warned");
	cr_assert_eq(below(&g, 0), 0, "excused absences are left out");
	cr_assert_eq(below(&g, 1), 1);
	cr_assert_eq(below(&g, 2), 0);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox o JOIN device d "
				"ON d.device_id = o.device_id WHERE "
				"d.user_email = ? AND o.kind = "
				"'push.low_attendance'",
			 "s", g.students[0]),
	    0);
	cfg.leave_counts = "absent";
	cr_assert_eq(warnings_check(it_db(), it_arena(), &cfg, g.subject_id,
			 &n),
	    DB_OK);
	cr_assert_eq(n, 1, "now s0 too");
	cr_assert_eq(below(&g, 0), 1);
}

static long long
sessions_on(struct reg *g, const char *date)
{
	return it_sql_int("SELECT COUNT(*) FROM session WHERE period_id = ? "
			  "AND date = ?",
	    "Is", g->period_id, date);
}

Test(register, holidays_and_cancelled_classes_refuse_initiate)
{
	struct reg g;
	char d1[11], d2[11], d3[11];
	json_t *j;
	struct it_resp r;
	const char *hdrs[2] = { NULL, NULL };
	char path[64], *auth;
	long long id;

	IT_REQUIRE_STACK();
	make_reg(&g, "hd");
	days_ago(1, d1);
	days_ago(2, d2);
	days_ago(3, d3);
	json_decref(post(g.ttok, "/holidays", 201, NULL,
	    "{\"date\":\"%s\",\"class_id\":%lld,\"reason\":\"Diwali\"}", d1,
	    g.class_id));
	json_decref(post(g.ttok, "/attendance/initiate", 409, "holiday",
	    "{\"period_id\":%lld,\"date\":\"%s\"}", g.period_id, d1));
	cr_assert_eq(sessions_on(&g, d1), 0);
	j = post(g.ttok, "/holidays", 201, NULL,
	    "{\"date\":\"%s\",\"period_id\":%lld}", d2, g.period_id);
	id = json_integer_value(json_object_get(j, "no_class_id"));
	json_decref(j);
	json_decref(post(g.ttok, "/attendance/initiate", 409, "class_cancelled",
	    "{\"period_id\":%lld,\"date\":\"%s\"}", g.period_id, d2));
	cr_assert_eq(sessions_on(&g, d2), 0);
	json_decref(post(g.ttok, "/holidays", 409, "duplicate",
	    "{\"date\":\"%s\",\"period_id\":%lld}", d2, g.period_id));
	/* a day already taken cannot become a holiday */
	held_session(&g, d3);
	json_decref(post(g.ttok, "/holidays", 409, "session_taken",
	    "{\"date\":\"%s\",\"class_id\":%lld}", d3, g.class_id));
	json_decref(post(g.ttok, "/holidays", 400, "bad_request",
	    "{\"date\":\"%s\",\"class_id\":%lld,\"period_id\":%lld}", d3,
	    g.class_id, g.period_id));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM no_class WHERE date = ? "
				"AND class_id = ?",
			 "sI", d3, g.class_id),
	    0);
	j = get(g.ttok, "/holidays", 200);
	cr_assert_eq(json_array_size(json_object_get(j, "days")), 2);
	json_decref(j);
	/* lifting the cancellation lets the class be taken */
	snprintf(path, sizeof(path), "/holidays/%lld", id);
	auth = arena_printf(it_arena(), "Authorization: Bearer %s", g.ttok);
	hdrs[0] = auth;
	cr_assert_eq(it_request("DELETE", path, NULL, 0, hdrs, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM no_class WHERE "
				"no_class_id = ?",
			 "I", id),
	    0);
	json_decref(post(g.ttok, "/attendance/initiate", 201, NULL,
	    "{\"period_id\":%lld,\"date\":\"%s\"}", g.period_id, d2));
}

Test(register, back_dated_and_extra_classes_and_the_window_length)
{
	struct reg g;
	char old[11], d4[11];
	json_t *j;
	long long sid;

	IT_REQUIRE_STACK();
	make_reg(&g, "bd");
	days_ago(it_config()->backdate_days + 1, old);
	days_ago(4, d4);
	json_decref(post(g.ttok, "/attendance/initiate", 422, "too_far_back",
	    "{\"period_id\":%lld,\"date\":\"%s\"}", g.period_id, old));
	cr_assert_eq(sessions_on(&g, old), 0);
	json_decref(post(g.ttok, "/attendance/initiate", 422, "bad_ttl",
	    "{\"period_id\":%lld,\"ttl\":%ld}", g.period_id,
	    it_config()->otp_ttl_max + 1));
	json_decref(post(g.ttok, "/attendance/initiate", 422, "bad_ttl",
	    "{\"period_id\":%lld,\"ttl\":1}", g.period_id));
	cr_assert_eq(sessions_on(&g, g.today), 0);
	/* an extra class on another day (not the period's weekday) */
	j = post(g.ttok, "/attendance/initiate", 201, NULL,
	    "{\"period_id\":%lld,\"date\":\"%s\",\"online\":true,\"ttl\":40}",
	    g.period_id, d4);
	sid = json_integer_value(json_object_get(j, "session_id"));
	cr_assert_eq(json_integer_value(json_object_get(j, "ttl")), 40);
	json_decref(j);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM session WHERE "
				"session_id = ? AND date = ? AND online = 1",
			 "Is", sid, d4),
	    1);
	cr_assert_eq(it_sql_int("SELECT TIMESTAMPDIFF(SECOND, opened_at, "
				"expires_at) FROM attendance_window WHERE "
				"session_id = ?",
			 "I", sid),
	    40);
	/* mark-all waits for the window's end */
	json_decref(post(g.ttok, "/attendance/mark-all", 409, "window_open",
	    "{\"session_id\":%lld,\"status\":\"P\",\"reason\":\"x\"}", sid));
	json_decref(post(g.ttok, "/attendance/close", 200, NULL,
	    "{\"session_id\":%lld}", sid));
}

Test(register, mark_all_marks_the_remaining_in_one_go)
{
	struct reg g;
	json_t *j;
	long long sid;

	IT_REQUIRE_STACK();
	make_reg(&g, "ma");
	j = post(g.ttok, "/attendance/initiate", 201, NULL,
	    "{\"period_id\":%lld}", g.period_id);
	sid = json_integer_value(json_object_get(j, "session_id"));
	json_decref(j);
	json_decref(post(g.ttok, "/attendance/manual-mark", 200, NULL,
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"A\","
	    "\"reason\":\"not in class\"}",
	    sid, g.students[0]));
	json_decref(post(g.ttok, "/attendance/close", 200, NULL,
	    "{\"session_id\":%lld}", sid));
	json_decref(post(g.ttok, "/attendance/mark-all", 400, "bad_request",
	    "{\"session_id\":%lld,\"status\":\"R\",\"reason\":\"x\"}", sid));
	json_decref(post(g.stok[0], "/attendance/mark-all", 403, NULL,
	    "{\"session_id\":%lld,\"status\":\"P\",\"reason\":\"x\"}", sid));
	j = post(g.ttok, "/attendance/mark-all", 200, NULL,
	    "{\"session_id\":%lld,\"status\":\"P\",\"reason\":\"lab on "
	    "paper\"}",
	    sid);
	/* the two still unmarked (timeout absences), not the manual A */
	cr_assert_eq(json_integer_value(json_object_get(j, "marked")), 2);
	json_decref(j);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND status = 'P' AND source = "
				"'MANUAL' AND remark = 'lab on paper'",
			 "I", sid),
	    2);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND student_email = ? AND "
				"status = 'A'",
			 "Is", sid, g.students[0]),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"action = 'attendance.manual' AND reason = "
				"'lab on paper' AND detail LIKE ?",
			 "s",
			 arena_printf(it_arena(), "session %lld (mark all)",
			     sid)),
	    2);
	/* nothing remains the second time */
	j = post(g.ttok, "/attendance/mark-all", 200, NULL,
	    "{\"session_id\":%lld,\"status\":\"A\",\"reason\":\"again\"}", sid);
	cr_assert_eq(json_integer_value(json_object_get(j, "marked")), 0);
	json_decref(j);
}

Test(register, settings_tell_the_dashboard_its_bounds)
{
	struct reg g;
	json_t *j;

	IT_REQUIRE_STACK();
	make_reg(&g, "st");
	j = get(g.ttok, "/register/settings", 200);
	cr_assert_eq(num(j, "ttl_min"), (int)it_config()->otp_ttl_min);
	cr_assert_eq(num(j, "ttl_max"), (int)it_config()->otp_ttl_max);
	cr_assert_eq(num(j, "backdate_days"), (int)it_config()->backdate_days);
	cr_assert_str_eq(json_string_value(json_object_get(j, "leave_counts")),
	    "excluded");
	json_decref(j);
	json_decref(get(g.stok[0], "/register/settings", 403));
}

/* The college's local time as "HH:MM" (the tests run in its TIMEZONE). */
static void
local_hhmm(char out[6])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 6, "%H:%M", &tm);
}

Test(register, the_timetable_says_the_colleges_date_and_time_for_any_day)
{
	struct reg g;
	char d0[ATTSTATS_DATE_LEN], d1[ATTSTATS_DATE_LEN], t0[6], t1[6];
	const char *today, *now;
	json_t *j;

	IT_REQUIRE_STACK();
	make_reg(&g, "tz");
	attstats_format_date(attstats_today(), d0);
	local_hhmm(t0);
	j = get(g.ttok, "/timetable?date=2020-01-06", 200);
	attstats_format_date(attstats_today(), d1);
	local_hhmm(t1);
	today = json_string_value(json_object_get(j, "today"));
	now = json_string_value(json_object_get(j, "now"));
	cr_assert_str_eq(json_string_value(json_object_get(j, "date")),
	    "2020-01-06");
	cr_assert(today && (strcmp(today, d0) == 0 || strcmp(today, d1) == 0),
	    "today %s, the college's %s", today ? today : "(none)", d0);
	/* within the request's minutes (unless it spanned midnight) */
	cr_assert(now && strlen(now) == 5 &&
		(strcmp(t0, t1) > 0 ||
		    (strcmp(t0, now) <= 0 && strcmp(now, t1) <= 0)),
	    "now %s outside %s..%s", now ? now : "(none)", t0, t1);
	json_decref(j);
}

/* A second, verified teacher of the department of g's class, signed in. */
static char *
other_teacher(struct reg *g, const char *tag, char *email, size_t n)
{
	snprintf(email, n, "%s-%s-%d@reg.edu", tag, it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) SELECT ?, ?, "
			    "department_id, 1 FROM class WHERE class_id = ?",
			 "ssI", email, tag, g->class_id),
	    DB_OK);
	return it_token(email, "teacher", device(email, "teacher"), 900);
}

static long
del(const char *tok, const char *path)
{
	char auth[4200];
	const char *hdrs[] = { auth, NULL };
	struct it_resp r;
	long st;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	cr_assert_eq(it_request("DELETE", path, NULL, 0, hdrs, &r), 0);
	st = r.status;
	it_resp_free(&r);
	return st;
}

/*
 * The subject's teacher assigns a substitute for today: the substitute
 * sees the period, takes it and marks it, and only on that date; the
 * register and the report name who took it; nobody else may assign.
 */
Test(register, a_substitute_takes_one_period_on_one_date_only)
{
	struct reg g;
	char sub[128], out[128], d1[11], path[256];
	char *stok, *otok;
	json_t *j, *p;
	long long sid, id;

	IT_REQUIRE_STACK();
	make_reg(&g, "sb");
	stok = other_teacher(&g, "Sub", sub, sizeof(sub));
	otok = other_teacher(&g, "Out", out, sizeof(out));
	days_ago(1, d1);
	json_decref(post(stok, "/attendance/initiate", 403, "not_your_period",
	    "{\"period_id\":%lld}", g.period_id));
	/* refusals first: nothing is written */
	json_decref(post(otok, "/substitutes", 403, "out_of_scope",
	    "{\"period_id\":%lld,\"date\":\"%s\",\"teacher_email\":\"%s\"}",
	    g.period_id, g.today, sub));
	json_decref(post(g.ttok, "/substitutes", 400, "same_teacher",
	    "{\"period_id\":%lld,\"date\":\"%s\",\"teacher_email\":\"%s\"}",
	    g.period_id, g.today, g.teacher));
	json_decref(post(g.ttok, "/substitutes", 404, "teacher_not_found",
	    "{\"period_id\":%lld,\"date\":\"%s\",\"teacher_email\":"
	    "\"nobody@reg.edu\"}",
	    g.period_id, g.today));
	json_decref(post(g.ttok, "/substitutes", 400, "bad_date",
	    "{\"period_id\":%lld,\"date\":\"2000-01-03\",\"teacher_email\":"
	    "\"%s\"}",
	    g.period_id, sub));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM substitute WHERE "
				"period_id = ?",
			 "I", g.period_id),
	    0);
	j = post(g.ttok, "/substitutes", 201, NULL,
	    "{\"period_id\":%lld,\"date\":\"%s\",\"teacher_email\":\"%s\","
	    "\"reason\":\"exam duty\"}",
	    g.period_id, g.today, sub);
	id = json_integer_value(json_object_get(j, "substitute_id"));
	json_decref(j);
	json_decref(post(g.ttok, "/substitutes", 409, "substitute_exists",
	    "{\"period_id\":%lld,\"date\":\"%s\",\"teacher_email\":\"%s\"}",
	    g.period_id, g.today, sub));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE action "
				"= 'substitute.assigned' AND subject = ?",
			 "s", sub),
	    1);
	/* the substitute's day has the period, whatever its weekday */
	snprintf(path, sizeof(path), "/timetable?date=%s", g.today);
	j = get(stok, path, 200);
	p = json_array_get(json_object_get(j, "periods"), 0);
	cr_assert_eq(json_integer_value(json_object_get(p, "period_id")),
	    g.period_id);
	cr_assert(json_is_true(
	    json_object_get(json_object_get(p, "substitute"), "me")));
	json_decref(j);
	/* takes it and marks it; another day stays the subject's teacher's */
	j = post(stok, "/attendance/initiate", 201, NULL,
	    "{\"period_id\":%lld,\"ttl\":5}", g.period_id);
	sid = json_integer_value(json_object_get(j, "session_id"));
	json_decref(j);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM session WHERE "
				"session_id = ? AND taken_by = ?",
			 "Is", sid, sub),
	    1);
	json_decref(post(stok, "/attendance/close", 200, NULL,
	    "{\"session_id\":%lld}", sid));
	json_decref(post(stok, "/attendance/manual-mark", 200, NULL,
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"P\","
	    "\"reason\":\"came late\"}",
	    sid, g.students[0]));
	json_decref(post(stok, "/attendance/initiate", 403, "not_your_period",
	    "{\"period_id\":%lld,\"date\":\"%s\"}", g.period_id, d1));
	json_decref(post(otok, "/attendance/manual-mark", 403,
	    "not_your_session",
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"A\","
	    "\"reason\":\"x\"}",
	    sid, g.students[1]));
	/* the subject's report stays closed to the substitute */
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=%s&to=%s",
	    g.subject_id, g.today, g.today);
	json_decref(get(stok, path, 403));
	/* the register and the report name who took it */
	j = get(g.ttok, path, 200);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(json_object_get(j,
								"sessions"),
						 0),
				 "taken_by")),
	    sub);
	json_decref(j);
	snprintf(path, sizeof(path), "/register/day?date=%s", g.today);
	j = get(stok, path, 200);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(json_object_get(j,
								"sessions"),
						 0),
				 "taken_by")),
	    "Sub");
	json_decref(j);
	/* removed by the subject's teacher: the substitute's reach ends */
	cr_assert_eq(del(otok,
			 arena_printf(it_arena(), "/substitutes/%lld", id)),
	    403);
	cr_assert_eq(del(g.ttok,
			 arena_printf(it_arena(), "/substitutes/%lld", id)),
	    200);
	json_decref(post(stok, "/attendance/manual-mark", 403,
	    "not_your_session",
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"A\","
	    "\"reason\":\"x\"}",
	    sid, g.students[1]));
}
