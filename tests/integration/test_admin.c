/*
 * test_admin.c - ehazira-admin against the test stack's database: CSV
 * imports (idempotent, all-or-nothing with FILE:LINE reasons), verify /
 * block / unblock with audit rows, and device decisions.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "itadmin.h"
#include "itauth.h"

static void
setup(void)
{
	it_tmpdir("admin");
	if (it_url())
		it_config(); /* exports EHAZIRA_CONF for the child */
}

TestSuite(admin, .init = setup, .fini = it_tmpdir_remove);

static long long
count_import(const char *dept)
{
	return it_sql_int(
	    "SELECT (SELECT COUNT(*) FROM department WHERE department_name = "
	    "?) + (SELECT COUNT(*) FROM class c JOIN department d USING "
	    "(department_id) WHERE d.department_name = ?) + (SELECT COUNT(*) "
	    "FROM teacher t JOIN department d USING (department_id) WHERE "
	    "d.department_name = ?) + (SELECT COUNT(*) FROM student s JOIN "
	    "class c USING (class_id) JOIN department d USING (department_id) "
	    "WHERE d.department_name = ?) + (SELECT COUNT(*) FROM subject s "
	    "JOIN class c USING (class_id) JOIN department d USING "
	    "(department_id) WHERE d.department_name = ?) + (SELECT COUNT(*) "
	    "FROM period p JOIN subject s USING (subject_id) JOIN class c "
	    "USING (class_id) JOIN department d USING (department_id) WHERE "
	    "d.department_name = ?)",
	    "ssssss", dept, dept, dept, dept, dept, dept);
}

Test(admin, a_full_import_lands_and_a_second_run_changes_nothing)
{
	char out[8192], dept[64];
	const char *u;
	int pass;

	IT_REQUIRE_STACK();
	u = it_uniq();
	snprintf(dept, sizeof(dept), "Import Dept %s", u);
	for (pass = 0; pass < 2; pass++) {
		cr_assert_eq(it_admin_sh(out, sizeof(out),
				 "import departments %s",
				 it_tmpfile("d.csv", "department_name\n%s\n",
				     dept)),
		    0, "%s", out);
		cr_assert_eq(it_admin_sh(out, sizeof(out), "import classes %s",
				 it_tmpfile("c.csv",
				     "department,batch,semester,section\r\n"
				     "%s,2025,1,A\r\n%s,2025,1,B\r\n",
				     dept, dept)),
		    0, "%s", out);
		cr_assert_eq(it_admin_sh(out, sizeof(out), "import courses %s",
				 it_tmpfile("co.csv",
				     "course_name,course_id\n"
				     "\"Algorithms, Advanced\",IA%s\n",
				     u)),
		    0, "%s", out);
		cr_assert_eq(it_admin_sh(out, sizeof(out), "import teachers %s",
				 it_tmpfile("t.csv",
				     "teacher_email,name,designation,"
				     "department,verified\n"
				     "Prof.%s@T.Ehazira.in,Prof X,Professor,"
				     "%s,1\n",
				     u, dept)),
		    0, "%s", out);
		cr_assert_eq(
		    it_admin_sh(out, sizeof(out), "import students %s",
			it_tmpfile("s.csv",
			    "student_email,name,roll_no,department,"
			    "batch,semester,section,verified\n"
			    "a.%s@t.ehazira.in,\"Rao, Asha\",01,%s,"
			    "2025,1,A,1\n"
			    "\nb.%s@t.ehazira.in,Bo,02,%s,2025,1,A,0\n",
			    u, dept, u, dept)),
		    0, "%s", out);
		cr_assert_eq(it_admin_sh(out, sizeof(out), "import subjects %s",
				 it_tmpfile("sj.csv",
				     "course_id,department,batch,semester,"
				     "section,teacher_email\n"
				     "IA%s,%s,2025,1,A,prof.%s@t.ehazira.in\n",
				     u, dept, u)),
		    0, "%s", out);
		cr_assert_eq(it_admin_sh(out, sizeof(out), "import periods %s",
				 it_tmpfile("p.csv",
				     "course_id,department,batch,semester,"
				     "section,day_of_week,period_no,"
				     "start_time,end_time\n"
				     "IA%s,%s,2025,1,A,1,1,08:30,09:20\n"
				     "IA%s,%s,2025,1,A,2,3,,\n",
				     u, dept, u, dept)),
		    0, "%s", out);
		/* 1 dept + 2 classes + 1 teacher + 2 students + 1 subject
		 * + 2 periods, the same after the second pass */
		cr_assert_eq(count_import(dept), 9, "pass %d", pass);
	}
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM student WHERE "
				"student_email = CONCAT('a.', ?, "
				"'@t.ehazira.in') AND name = 'Rao, Asha' AND "
				"verified = TRUE",
			 "s", u),
	    1, "quoted comma kept");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM teacher WHERE "
				"teacher_email = CONCAT('prof.', ?, "
				"'@t.ehazira.in')",
			 "s", u),
	    1, "e-mail lowercased");
}

Test(admin, a_bad_line_is_reported_and_nothing_is_imported)
{
	char out[8192], *f;
	const char *u;
	long long cls;

	IT_REQUIRE_STACK();
	u = it_uniq();
	cls = itauth_class("X");
	(void)cls;
	f = it_tmpfile("bad.csv",
	    "student_email,name,roll_no,department,batch,semester,section\n"
	    "ok1.%s@t.ehazira.in,One,01,Dept X %s,2024,3,X\n"
	    "bad.%s@t.ehazira.in,Two,02,Dept X %s,2024,3,NOSUCH\n"
	    "ok2.%s@t.ehazira.in,Three,03,Dept X %s,2024,3,X\n"
	    "not-an-email,Four,04,Dept X %s,2024,3,X\n",
	    u, u, u, u, u, u, u);
	cr_assert_neq(it_admin_sh(out, sizeof(out), "import students %s", f),
	    0);
	cr_assert_not_null(strstr(out, "bad.csv:3: unknown class"), "%s", out);
	cr_assert_not_null(strstr(out, "bad.csv:5: "), "%s", out);
	cr_assert_null(strstr(out, "bad.csv:2:"), "%s", out);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM student WHERE "
				"student_email LIKE CONCAT('%%.', ?, "
				"'@t.ehazira.in')",
			 "s", u),
	    0, "the good rows were not applied either");
	/* a wrong header is refused before any row */
	f = it_tmpfile("hdr.csv", "email,name\nx@y.z,X\n");
	cr_assert_neq(it_admin_sh(out, sizeof(out), "import teachers %s", f),
	    0);
	cr_assert_not_null(strstr(out, "hdr.csv:1: "), "%s", out);
}

Test(admin, verify_block_and_unblock_are_audited)
{
	char out[8192], *e = strdup(itauth_email("adm"));
	long long cls;

	IT_REQUIRE_STACK();
	cls = itauth_class("V");
	itauth_student(e, cls, 0);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "verify %s", e), 0, "%s",
	    out);
	cr_assert_eq(it_sql_int("SELECT verified FROM student WHERE "
				"student_email = ?",
			 "s", e),
	    1);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "block %s", e), 0, "%s",
	    out);
	cr_assert_eq(it_sql_int("SELECT blocked FROM student WHERE "
				"student_email = ?",
			 "s", e),
	    1);
	it_sql("UPDATE student SET flagged = TRUE WHERE student_email = ?", "s",
	    e);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "unblock %s", e), 0, "%s",
	    out);
	cr_assert_eq(it_sql_int("SELECT blocked + flagged FROM student WHERE "
				"student_email = ?",
			 "s", e),
	    0, "unblock clears the flag too");
	cr_assert_eq(it_admin_sh(out, sizeof(out), "unverify %s", e), 0, "%s",
	    out);
	cr_assert_eq(it_sql_int("SELECT verified FROM student WHERE "
				"student_email = ?",
			 "s", e),
	    0);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"subject = ? AND actor = 'admin' AND action IN "
				"('user.verify', 'user.block', "
				"'user.unblock', 'user.unverify')",
			 "s", e),
	    4);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "block nobody.%s@x.in",
			 it_uniq()),
	    1, "%s", out);
}

Test(admin, pending_devices_are_listed_and_decided)
{
	char out[16384], *e = strdup(itauth_email("dev")), id[32];
	long long cls, old, pend;

	IT_REQUIRE_STACK();
	cls = itauth_class("P");
	itauth_student(e, cls, 1);
	it_sql("INSERT INTO device (user_email, role, device_uuid, "
	       "fingerprint_hash, platform, active, approval) VALUES (?, "
	       "'student', 'u1', 'f1', 'ANDROID', TRUE, 'ACTIVE')",
	    "s", e);
	old = it_sql_int("SELECT MAX(device_id) FROM device WHERE "
			 "user_email = ?",
	    "s", e);
	it_sql("INSERT INTO device (user_email, role, device_uuid, "
	       "fingerprint_hash, platform, active, approval) VALUES (?, "
	       "'student', 'u2', 'f2', 'ANDROID', FALSE, 'PENDING')",
	    "s", e);
	pend = it_sql_int("SELECT MAX(device_id) FROM device WHERE "
			  "user_email = ?",
	    "s", e);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "devices --pending"), 0);
	snprintf(id, sizeof(id), "%lld", pend);
	cr_assert_not_null(strstr(out, e), "%s", out);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "approve-device %lld", pend),
	    0, "%s", out);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"(device_id = ? AND approval = 'REPLACED' AND "
				"active = FALSE) OR (device_id = ? AND "
				"approval = 'ACTIVE' AND active = TRUE)",
			 "II", old, pend),
	    2);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "reject-device %lld", pend),
	    1, "not pending any more: %s", out);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "show %s", e), 0, "%s", out);
	cr_assert_not_null(strstr(out, "REPLACED"), "%s", out);
	cr_assert_not_null(strstr(out, "device.approve"), "%s", out);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "devices %s", e), 0);
	cr_assert_not_null(strstr(out, "(2 devices)"), "%s", out);
}
