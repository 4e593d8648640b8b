/*
 * itclass.c - the class fixture of the integration tests (itclass.h).
 * Linked into the stand-ins as well, so it cannot use Criterion's
 * asserts: a fixture that cannot be written aborts, which fails the test
 * that asked for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "itclass.h"

static void
must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "itclass: cannot write the %s\n", what);
		abort();
	}
}

long long
it_device_add(const char *email, const char *role, const char *platform)
{
	char uuid[64];
	int web = strcmp(platform, "WEB") == 0;

	snprintf(uuid, sizeof(uuid), "%s-%s-%d", web ? "web" : "dev", it_uniq(),
	    rand());
	must(it_sql("INSERT INTO device (user_email, role, device_uuid, "
		    "fingerprint_hash, platform, active, approval, "
		    "push_token) VALUES (?, ?, ?, IF(? = 'WEB', '127.0.0.1', "
		    "SHA2(?, 256)), ?, 1, 'ACTIVE', IF(? = 'WEB', NULL, "
		    "CONCAT('push-', ?)))",
		 "ssssssss", email, role, uuid, platform, uuid, platform,
		 platform, uuid) == DB_OK,
	    "device");
	return db_insert_id(it_db());
}

/* The department, class, teacher, course, subject and period. */
static void
make_frame(struct it_class *k, const char *tag, const char *uniq,
    const char *platform)
{
	char name[160];

	snprintf(name, sizeof(name), "Dept %s %s", tag, uniq);
	must(it_sql("INSERT INTO department (department_name) VALUES (?)", "s",
		 name) == DB_OK,
	    "department");
	k->department_id = db_insert_id(it_db());
	must(it_sql("INSERT INTO class (department_id, batch, semester, "
		    "section) VALUES (?, '2025', 1, 'A')",
		 "I", k->department_id) == DB_OK,
	    "class");
	k->class_id = db_insert_id(it_db());
	snprintf(k->teacher, sizeof(k->teacher), "t-%s-%s@it.edu", tag, uniq);
	must(it_sql("INSERT INTO teacher (teacher_email, name, department_id, "
		    "verified) VALUES (?, 'Teacher', ?, 1)",
		 "sI", k->teacher, k->department_id) == DB_OK,
	    "teacher");
	/* the course id is 32 wide: the unique part goes first */
	snprintf(k->course, sizeof(k->course), "C%.20s%.10s", uniq, tag);
	must(it_sql("INSERT INTO course (course_id, course_name) VALUES (?, "
		    "'Networks')",
		 "s", k->course) == DB_OK,
	    "course");
	must(it_sql("INSERT INTO subject (course_id, class_id, teacher_email) "
		    "VALUES (?, ?, ?)",
		 "sIs", k->course, k->class_id, k->teacher) == DB_OK,
	    "subject");
	k->subject_id = db_insert_id(it_db());
	must(it_sql("INSERT INTO period (subject_id, day_of_week, period_no) "
		    "VALUES (?, 1, 1)",
		 "I", k->subject_id) == DB_OK,
	    "period");
	k->period_id = db_insert_id(it_db());
	k->teacher_dev = it_device_add(k->teacher, "teacher", platform);
	k->teacher_tok = it_token(k->teacher, "teacher", k->teacher_dev, 900);
}

void
it_class_make(struct it_class *k, const char *tag, int n, const char *platform)
{
	static int seq;
	char uniq[48], roll[16];
	int i;

	must(n >= 0 && n <= IT_CLASS_MAX, "class size");
	memset(k, 0, sizeof(*k));
	/* it_uniq() is per process: a test may build several classes */
	snprintf(uniq, sizeof(uniq), "%s.%d", it_uniq(), ++seq);
	make_frame(k, tag, uniq, platform);
	k->n = n;
	for (i = 0; i < n; i++) {
		snprintf(k->students[i], sizeof(k->students[i]),
		    "s%d-%s-%s@it.edu", i, tag, uniq);
		snprintf(roll, sizeof(roll), "%02d", i + 1);
		must(
		    it_sql("INSERT INTO student (student_email, name, roll_no, "
			   "class_id, verified) VALUES (?, CONCAT('Student ', "
			   "?), ?, ?, 1)",
			"sssI", k->students[i], roll, roll,
			k->class_id) == DB_OK,
		    "student");
		k->devices[i] =
		    it_device_add(k->students[i], "student", platform);
		k->tokens[i] =
		    it_token(k->students[i], "student", k->devices[i], 900);
	}
}

long long
it_class_initiate(const struct it_class *k, char otp[5])
{
	struct it_resp r;
	char body[128];
	long long sid;

	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k->period_id);
	must(it_post_json("/attendance/initiate", k->teacher_tok, body, &r) ==
		    0 &&
		r.status == 201,
	    "window (initiate)");
	sid = json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(otp, 5, "%s",
	    json_string_value(json_object_get(r.json, "otp")));
	must(strlen(otp) == 4, "window's code");
	it_resp_free(&r);
	return sid;
}

void
it_class_close(const char *teacher_tok, long long sid)
{
	struct it_resp r;
	char body[64];

	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	must(it_post_json("/attendance/close", teacher_tok, body, &r) == 0 &&
		r.status == 200,
	    "close");
	it_resp_free(&r);
}
