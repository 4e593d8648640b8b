/*
 * test_lang.c - POST /me/lang: the language of a device's notices is kept
 * on its row; an unknown language is a 400 that changes nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "db.h"
#include "it.h"

/* A verified teacher with one active device; its id. */
static long long
teacher_device(char *email, size_t n)
{
	char dept[64];
	long long dep;

	snprintf(dept, sizeof(dept), "Lang %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", dept),
	    DB_OK);
	dep = db_insert_id(it_db());
	snprintf(email, n, "t%s@x.edu", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", email, dep),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, 'teacher', 'DUMMY', 'fp', "
			    "'WEB', 1, 'ACTIVE')",
			 "s", email),
	    DB_OK);
	return db_insert_id(it_db());
}

static const char *
lang_of(long long dev)
{
	static char out[8];

	switch (it_sql_int("SELECT FIELD(lang, 'en', 'hi', 'ur') FROM device "
			   "WHERE device_id = ?",
	    "I", dev)) {
	case 1:
		snprintf(out, sizeof(out), "en");
		break;
	case 2:
		snprintf(out, sizeof(out), "hi");
		break;
	case 3:
		snprintf(out, sizeof(out), "ur");
		break;
	default:
		snprintf(out, sizeof(out), "?");
	}
	return out;
}

Test(lang, a_device_keeps_the_language_its_app_reports)
{
	static const struct {
		const char *body;
		int status;
		const char *after;
	} cases[] = {
		{ "{\"lang\":\"hi\"}", 200, "hi" },
		{ "{\"lang\":\"ur\"}", 200, "ur" },
		{ "{\"lang\":\"fr\"}", 400, "ur" },
		{ "{\"lang\":\"HI\"}", 400, "ur" },
		{ "{\"lang\":7}", 400, "ur" },
		{ "{}", 400, "ur" },
		{ "{\"lang\":\"en\"}", 200, "en" },
	};
	char email[128];
	const char *at;
	long long dev;
	struct it_resp r;
	size_t i;

	IT_REQUIRE_STACK();
	dev = teacher_device(email, sizeof(email));
	cr_assert_str_eq(lang_of(dev), "en", "English until told");
	at = it_token(email, "teacher", dev, 600);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(it_post_json("/me/lang", at, cases[i].body, &r),
		    0);
		cr_assert_eq(r.status, cases[i].status, "%s: %s", cases[i].body,
		    r.body);
		if (cases[i].status == 400)
			cr_assert_str_eq(it_error_code(&r), "unknown_language");
		it_resp_free(&r);
		cr_assert_str_eq(lang_of(dev), cases[i].after, "after %s",
		    cases[i].body);
	}
}
