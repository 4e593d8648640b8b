/*
 * test_mail_relay.c - e-mail end to end: the stack's relay sends the
 * outbox's mail lane to the SMTP stand-in (tests/standin/smtp.py, real
 * SMTP with STARTTLS and AUTH), which stores every message it accepts;
 * the tests count those.
 *
 *   - the weekly digest (`ehazira-admin digest`) reaches the teacher and
 *     the head of department exactly once, however often it is queued,
 *     with the shortage and not-marked lines, in the teacher's language;
 *   - a 451 is retried until the stand-in accepts, once; a 550 ends
 *     FAILED, nothing stored; a message still refused at the end of its
 *     validity ends FAILED;
 *   - the guardian's notice goes out on a crossing below the threshold
 *     only: not again while the student stays below, again after a
 *     recovery and a new fall;
 *   - the students CSV refuses a malformed guardian address, naming the
 *     row, and applies nothing.
 *
 * Fixture of the digest, week 2024-W10 (Monday 2024-03-04): department D,
 * class K, subject S of teacher T (Mondays P1, Tuesdays P2), head H of D.
 * P1 held 02-19, 02-26, 03-04: student A absent each time (0 %, shortage),
 * B present (100 %).  P2 of 03-05 was never taken (not marked).
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "itadmin.h"
#include "mailout.h"
#include "outbox.h"

#define MAIL_REQUIRE()                                           \
	do {                                                     \
		IT_REQUIRE_STACK();                              \
		if (spool() == NULL)                             \
			cr_skip_test("no SMTP stand-in "         \
				     "(EHAZIRA_TEST_SMTP_DIR)"); \
	} while (0)

static const char *
spool(void)
{
	const char *d = getenv("EHAZIRA_TEST_SMTP_DIR");

	return d && *d ? d : NULL;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
insert(const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vexec(it_db(), sql, types, ap);
	va_end(ap);
	cr_assert_eq(rc, DB_OK, "%s", sql);
	return db_insert_id(it_db());
}

/*
 * The stand-in's messages to addr: how many, and the file of the last in
 * file (may be NULL).  Every one must have come over TLS with AUTH.
 */
static int
received(const char *addr, char *file, size_t n)
{
	char path[1024], line[4096];
	FILE *fp;
	int count = 0;

	snprintf(path, sizeof(path), "%s/messages.jsonl", spool());
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		json_t *j = json_loads(line, 0, NULL), *to;
		size_t i;

		cr_assert_not_null(j, "bad line %s", line);
		to = json_object_get(j, "to");
		for (i = 0; i < json_array_size(to); i++)
			if (strcmp(json_string_value(json_array_get(to, i)),
				addr) == 0) {
				count++;
				cr_assert(
				    json_is_true(json_object_get(j, "tls")));
				cr_assert(
				    json_is_true(json_object_get(j, "auth")));
				if (file)
					snprintf(file, n, "%s/%s", spool(),
					    json_string_value(
						json_object_get(j, "file")));
			}
		json_decref(j);
	}
	fclose(fp);
	return count;
}

/* The state of the outbox row keyed idem once it is settled (or "") */
static const char *
settled(const char *idem, long wait_ms)
{
	static char state[16];
	struct db_rows r;
	long long end = now_ms() + wait_ms;

	state[0] = '\0';
	do {
		if (db_query_one(it_db(), it_arena(), &r,
			"SELECT state FROM outbox WHERE idem_key = ?", "s",
			idem) == DB_OK &&
		    strcmp(db_get(&r, 0, 0), "PENDING") != 0) {
			snprintf(state, sizeof(state), "%s", db_get(&r, 0, 0));
			return state;
		}
		usleep(50000);
	} while (now_ms() < end);
	return state;
}

/* The whole file, its base64 body decoded after the header block. */
static char *
message_text(const char *file, char **headers)
{
	static char out[65536];
	char *raw = buf_read_file(file, NULL), *body, *dst = out, *p;
	unsigned char tmp[128];
	int len, k;

	cr_assert_not_null(raw, "%s", file);
	body = strstr(raw, "\r\n\r\n");
	cr_assert_not_null(body);
	*body = '\0';
	*headers = arena_strdup(it_arena(), raw);
	for (p = strtok(body + 4, "\r\n"); p; p = strtok(NULL, "\r\n")) {
		k = (int)strlen(p);
		len = EVP_DecodeBlock(tmp, (unsigned char *)p, k);
		while (k > 0 && p[k - 1] == '=')
			k--, len--;
		memcpy(dst, tmp, (size_t)len);
		dst += len;
	}
	*dst = '\0';
	free(raw);
	return out;
}

/* ---- digest ---- */

static struct {
	char t[96], h[96], a[96], b[96];
	long long dep, cls, s, p1, p2;
} fx;

static void
digest_fixture(void)
{
	const char *u = it_uniq();
	static const char *const dates[] = { "2024-02-19", "2024-02-26",
		"2024-03-04" };
	long long ses;
	size_t i;

	it_config(); /* exports EHAZIRA_CONF for ehazira-admin */
	fx.dep = insert("INSERT INTO department (department_name) VALUES (?)",
	    "s", arena_printf(it_arena(), "Mail %s", u));
	fx.cls = insert("INSERT INTO class (department_id, batch, semester, "
			"section) VALUES (?, '2022', 3, 'M')",
	    "I", fx.dep);
	snprintf(fx.t, sizeof(fx.t), "mail-t.%s@t.ehazira.in", u);
	snprintf(fx.h, sizeof(fx.h), "mail-h.%s@t.ehazira.in", u);
	insert("INSERT INTO teacher (teacher_email, name, department_id, "
	       "verified, role) VALUES (?, 'Meera T', ?, 1, 'teacher'), "
	       "(?, 'Harish H', ?, 1, 'head')",
	    "sIsI", fx.t, fx.dep, fx.h, fx.dep);
	/* the teacher reads the app in Hindi */
	insert("INSERT INTO device (user_email, role, device_uuid, "
	       "fingerprint_hash, platform, active, approval, lang) VALUES "
	       "(?, 'teacher', 'u', 'f', 'WEB', 1, 'ACTIVE', 'hi')",
	    "s", fx.t);
	snprintf(fx.a, sizeof(fx.a), "mail-a.%s@t.ehazira.in", u);
	snprintf(fx.b, sizeof(fx.b), "mail-b.%s@t.ehazira.in", u);
	insert("INSERT INTO student (student_email, name, roll_no, class_id, "
	       "verified) VALUES (?, 'Aarav Absent', 'R-A1', ?, 1), "
	       "(?, 'Bina Present', 'R-B2', ?, 1)",
	    "sIsI", fx.a, fx.cls, fx.b, fx.cls);
	insert("INSERT INTO course (course_id, course_name) VALUES (?, "
	       "'Mail Course')",
	    "s", arena_printf(it_arena(), "MAIL-%s", u));
	fx.s = insert("INSERT INTO subject (course_id, class_id, "
		      "teacher_email) VALUES (?, ?, ?)",
	    "sIs", arena_printf(it_arena(), "MAIL-%s", u), fx.cls, fx.t);
	fx.p1 = insert("INSERT INTO period (subject_id, day_of_week, "
		       "period_no, start_time) VALUES (?, 1, 1, '09:00')",
	    "I", fx.s);
	fx.p2 = insert("INSERT INTO period (subject_id, day_of_week, "
		       "period_no, start_time) VALUES (?, 2, 2, '10:00')",
	    "I", fx.s);
	for (i = 0; i < 3; i++) {
		ses = insert("INSERT INTO session (period_id, date) VALUES "
			     "(?, ?)",
		    "Is", fx.p1, dates[i]);
		insert("INSERT INTO attendance (session_id, student_email, "
		       "status) VALUES (?, ?, 'A'), (?, ?, 'P')",
		    "IsIs", ses, fx.a, ses, fx.b);
	}
}

static int
digest(const char *week, char *out, size_t n)
{
	const char *args[] = { "digest", "--week", week, NULL };

	return it_admin(out, n, 0, args);
}

Test(mail, the_weekly_digest_arrives_once_at_the_teacher_and_the_head)
{
	char out[4096], file[1024], *hdr, *text, key[200];
	int pass;

	MAIL_REQUIRE();
	digest_fixture();
	/* queued three times: the week's key makes it one e-mail */
	for (pass = 0; pass < 3; pass++)
		cr_assert_eq(digest(pass == 2 ? "2024-03-07" : "2024-W10", out,
				 sizeof(out)),
		    0, "%s", out);
	cr_expect(strstr(out, "digest 2024-W10: 0 queued"), "%s", out);
	snprintf(key, sizeof(key), "digest:2024-W10:%s", fx.t);
	cr_assert_str_eq(settled(key, 30000), "SENT");
	snprintf(key, sizeof(key), "digest:2024-W10:%s", fx.h);
	cr_assert_str_eq(settled(key, 30000), "SENT");
	cr_assert_eq(received(fx.t, file, sizeof(file)), 1);
	text = message_text(file, &hdr);
	/* the teacher's digest, in Hindi: subject and words */
	cr_expect(strstr(hdr, "Subject: =?UTF-8?B?"), "%s", hdr);
	cr_expect(strstr(hdr, "Content-Language: hi"), "%s", hdr);
	cr_expect(strstr(text, "साप्ताहिक") == NULL); /* subject only */
	cr_expect(strstr(text, "प्रिय Meera T"), "%s", text);
	cr_expect(strstr(text, "R-A1 Aarav Absent"), "%s", text);
	cr_expect(strstr(text, "0.0% (0/3)"), "%s", text);
	cr_expect_null(strstr(text, "Bina Present"), "%s", text);
	cr_expect(strstr(text, "2024-03-05 P2 10:00, Mail Course"), "%s", text);
	cr_expect_null(strstr(text, "2024-03-04 P1"), "%s", text);
	/* the head's, in English, with the same lines */
	cr_assert_eq(received(fx.h, file, sizeof(file)), 1);
	text = message_text(file, &hdr);
	cr_expect(strstr(hdr, "Subject: eHazira weekly digest, 2024-W10"), "%s",
	    hdr);
	cr_expect(strstr(text, "Dear Harish H"), "%s", text);
	cr_expect(strstr(text, "R-A1 Aarav Absent"), "%s", text);
	cr_expect(strstr(text, "2024-03-05 P2"), "%s", text);
	/* the run is on the dashboard's list */
	cr_expect_geq(it_sql_int("SELECT COUNT(*) FROM job_run WHERE kind = "
				 "'digest' AND ok = 1 AND summary LIKE "
				 "'digest 2024-W10:%'",
			  ""),
	    3);
}

Test(mail, a_bad_week_is_refused_and_queues_nothing)
{
	static const char *const weeks[] = { "2024-W54", "2024-W00", "2023-W53",
		"2024-13-01", "last week" };
	char out[1024];
	size_t i;

	MAIL_REQUIRE();
	it_config();
	for (i = 0; i < sizeof(weeks) / sizeof(weeks[0]); i++) {
		cr_expect_eq(digest(weeks[i], out, sizeof(out)), 2, "%s: %s",
		    weeks[i], out);
		cr_expect(strstr(out, "--week must be"), "%s", out);
	}
}

/* ---- retries and failures ---- */

/* Queues one e-mail to addr (valid for valid_ms) and wakes the relay. */
static void
queue(const char *addr, const char *key, long long valid_ms)
{
	int queued = 0;

	cr_assert_eq(mailout_queue(it_db(), "mail.digest", key, addr, "Test",
			 "Hello", "en", now_ms() + valid_ms, &queued),
	    DB_OK);
	cr_assert_eq(queued, 1);
	outbox_wake(it_config());
}

Test(mail, a_451_is_retried_until_accepted_and_delivered_once)
{
	char addr[128], key[160];

	MAIL_REQUIRE();
	snprintf(addr, sizeof(addr), "tempfail2-%s@t.ehazira.in", it_uniq());
	snprintf(key, sizeof(key), "test:%s", addr);
	queue(addr, key, 600000);
	cr_assert_str_eq(settled(key, 30000), "SENT");
	cr_expect_eq(it_sql_int("SELECT tries FROM outbox WHERE idem_key = ?",
			 "s", key),
	    3, "two 451s, then accepted");
	cr_expect_eq(received(addr, NULL, 0), 1);
}

Test(mail, a_550_ends_failed_and_nothing_is_stored)
{
	char addr[128], key[160];

	MAIL_REQUIRE();
	snprintf(addr, sizeof(addr), "reject-%s@t.ehazira.in", it_uniq());
	snprintf(key, sizeof(key), "test:%s", addr);
	queue(addr, key, 600000);
	cr_assert_str_eq(settled(key, 30000), "FAILED");
	cr_expect_eq(it_sql_int("SELECT tries FROM outbox WHERE idem_key = ?",
			 "s", key),
	    1, "never retried");
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE idem_key = "
				"? AND last_error LIKE 'smtp 550%'",
			 "s", key),
	    1);
	cr_expect_eq(received(addr, NULL, 0), 0);
}

Test(mail, a_message_refused_until_its_validity_ends_is_failed)
{
	char addr[128], key[160];

	MAIL_REQUIRE();
	snprintf(addr, sizeof(addr), "tempfail99-%s@t.ehazira.in", it_uniq());
	snprintf(key, sizeof(key), "test:%s", addr);
	queue(addr, key, 2000);
	cr_assert_str_eq(settled(key, 30000), "FAILED");
	cr_expect_geq(it_sql_int("SELECT tries FROM outbox WHERE idem_key = ?",
			  "s", key),
	    2, "retried while it was valid");
	cr_expect_eq(received(addr, NULL, 0), 0);
}

Test(mail, the_same_key_is_queued_once)
{
	char addr[128], key[160];
	int queued = 1;

	MAIL_REQUIRE();
	snprintf(addr, sizeof(addr), "once-%s@t.ehazira.in", it_uniq());
	snprintf(key, sizeof(key), "test:%s", addr);
	queue(addr, key, 600000);
	cr_assert_eq(mailout_queue(it_db(), "mail.digest", key, addr, "Again",
			 "Hello", "en", now_ms() + 600000, &queued),
	    DB_OK);
	cr_expect_eq(queued, 0);
	cr_assert_str_eq(settled(key, 30000), "SENT");
	cr_expect_eq(received(addr, NULL, 0), 1);
	/* and an address that is not one is refused, nothing written */
	cr_expect_eq(mailout_queue(it_db(), "mail.digest", "test:bad",
			 "a@b\r\nBcc: c@d.example", "S", "T", "en",
			 now_ms() + 600000, &queued),
	    DB_ERR);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE idem_key = "
				"'test:bad'",
			 ""),
	    0);
}

/* ---- the guardian's notice on a crossing ---- */

static struct {
	char st[96], guardian[96];
	long long s, p;
	int day; /* the next session is this many days ago */
} g;

static void
guardian_fixture(void)
{
	const char *u = it_uniq();
	long long dep, cls;
	char t[96], course[40];

	it_config();
	dep = insert("INSERT INTO department (department_name) VALUES (?)", "s",
	    arena_printf(it_arena(), "Guard %s", u));
	cls = insert("INSERT INTO class (department_id, batch, semester, "
		     "section) VALUES (?, '2022', 3, 'G')",
	    "I", dep);
	snprintf(t, sizeof(t), "guard-t.%s@t.ehazira.in", u);
	insert("INSERT INTO teacher (teacher_email, name, department_id, "
	       "verified) VALUES (?, 'Guard T', ?, 1)",
	    "sI", t, dep);
	snprintf(g.st, sizeof(g.st), "guard-s.%s@t.ehazira.in", u);
	snprintf(g.guardian, sizeof(g.guardian), "parent.%s@t.ehazira.in", u);
	/* a name with CR LF: it must not become a header of the notice */
	insert("INSERT INTO student (student_email, name, roll_no, class_id, "
	       "verified, guardian_email) VALUES (?, ?, 'G-7', ?, 1, ?)",
	    "ssIs", g.st, "Gita\r\nBcc: evil@t.ehazira.in", cls, g.guardian);
	snprintf(course, sizeof(course), "GUARD-%s", u);
	insert("INSERT INTO course (course_id, course_name) VALUES (?, "
	       "'Guardian Course')",
	    "s", course);
	g.s = insert("INSERT INTO subject (course_id, class_id, teacher_email) "
		     "VALUES (?, ?, ?)",
	    "sIs", course, cls, t);
	g.p = insert("INSERT INTO period (subject_id, day_of_week, period_no) "
		     "VALUES (?, 1, 1)",
	    "I", g.s);
	g.day = 1;
}

/* n sessions of the subject, the student marked status in each. */
static void
held(int n, const char *status)
{
	long long ses;

	while (n-- > 0) {
		ses = insert("INSERT INTO session (period_id, date) VALUES "
			     "(?, CURDATE() - INTERVAL ? DAY)",
		    "Ii", g.p, g.day++);
		insert("INSERT INTO attendance (session_id, student_email, "
		       "status) VALUES (?, ?, ?)",
		    "Iss", ses, g.st, status);
	}
}

static void
check_warnings(void)
{
	const char *args[] = { "report", "warnings", NULL };
	char out[4096];

	cr_assert_eq(it_admin(out, sizeof(out), 0, args), 0, "%s", out);
	outbox_wake(it_config());
}

static char *
crossing_key(int n)
{
	return arena_printf(it_arena(), "guardian:%s:%lld:%d", g.st, g.s, n);
}

Test(mail, the_guardian_hears_of_a_crossing_once_and_again_after_a_recovery)
{
	char file[1024], *hdr, *text;

	MAIL_REQUIRE();
	if (it_config()->at_risk_percent != 75 || it_config()->report_days < 30)
		cr_skip_test("the fixture assumes AT_RISK_PERCENT 75");
	guardian_fixture();
	held(3, "A"); /* 0 of 3: below */
	check_warnings();
	cr_assert_str_eq(settled(crossing_key(1), 30000), "SENT");
	cr_assert_eq(received(g.guardian, file, sizeof(file)), 1);
	text = message_text(file, &hdr);
	cr_expect(strstr(hdr, "Subject: Low attendance: Gita  Bcc: "), "%s",
	    hdr);
	cr_expect_null(strstr(hdr, "\r\nBcc:"), "%s", hdr);
	cr_expect(strstr(text, "(roll no. G-7) in Guardian Course is 0.0%"),
	    "%s", text);
	cr_expect_eq(received("evil@t.ehazira.in", NULL, 0), 0);

	/* still below: nothing new */
	held(1, "A");
	check_warnings();
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE idem_key "
				"LIKE CONCAT('guardian:', ?, ':%')",
			 "s", g.st),
	    1);

	/* recovered: 12 of 16 is 75 %, at the threshold, no e-mail */
	held(12, "P");
	check_warnings();
	cr_expect_eq(it_sql_int("SELECT below FROM attendance_warning WHERE "
				"student_email = ? AND subject_id = ?",
			 "sI", g.st, g.s),
	    0);

	/* and fell again: 12 of 17, a second crossing, a second e-mail */
	held(1, "A");
	check_warnings();
	cr_assert_str_eq(settled(crossing_key(2), 30000), "SENT");
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE idem_key "
				"LIKE CONCAT('guardian:', ?, ':%')",
			 "s", g.st),
	    2);
	cr_expect_eq(received(g.guardian, NULL, 0), 2);
}

/* ---- the students CSV ---- */

static int
import(const char *csv, char *out, size_t n)
{
	char path[] = "/tmp/ehazira-mail-csv-XXXXXX";
	int fd = mkstemp(path), rc;
	const char *args[] = { "import", "students", path, NULL };

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
	close(fd);
	rc = it_admin(out, n, 0, args);
	unlink(path);
	return rc;
}

Test(mail, a_malformed_guardian_address_is_refused_with_its_row)
{
	const char *u = it_uniq();
	char out[4096], dep[64], csv[2048];

	MAIL_REQUIRE();
	it_config();
	snprintf(dep, sizeof(dep), "CSV Mail %s", u);
	insert("INSERT INTO class (department_id, batch, semester, section) "
	       "VALUES (?, '2022', 1, 'C')",
	    "I",
	    insert("INSERT INTO department (department_name) VALUES (?)", "s",
		dep));
	snprintf(csv, sizeof(csv),
	    "student_email,name,roll_no,department,batch,semester,section,"
	    "guardian_email\n"
	    "ok.%s@t.ehazira.in,Ok,C1,%s,2022,1,C,Parent.%s@T.Ehazira.in\n"
	    "bad.%s@t.ehazira.in,Bad,C2,%s,2022,1,C,\"Parent <p@x.in>\"\n"
	    "crlf.%s@t.ehazira.in,Crlf,C3,%s,2022,1,C,\"p@x.in\r\nBcc: q@x.in\"\n",
	    u, dep, u, u, dep, u, dep);
	cr_expect_neq(import(csv, out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out,
		      ":3: guardian_email 'parent <p@x.in>' is not an "
		      "e-mail address"),
	    "%s", out);
	cr_expect(strstr(out, ":4: guardian_email"), "%s", out);
	/* nothing applied, not even the good row */
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM student WHERE "
				"student_email = ?",
			 "s",
			 arena_printf(it_arena(), "ok.%s@t.ehazira.in", u)),
	    0);
	/* the good row alone imports, the address lowercased */
	snprintf(csv, sizeof(csv),
	    "student_email,name,roll_no,department,batch,semester,section,"
	    "guardian_email\n"
	    "ok.%s@t.ehazira.in,Ok,C1,%s,2022,1,C,Parent.%s@T.Ehazira.in\n",
	    u, dep, u);
	cr_assert_eq(import(csv, out, sizeof(out)), 0, "%s", out);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM student WHERE "
				"student_email = ? AND guardian_email = ?",
			 "ss",
			 arena_printf(it_arena(), "ok.%s@t.ehazira.in", u),
			 arena_printf(it_arena(), "parent.%s@t.ehazira.in", u)),
	    1);
}
