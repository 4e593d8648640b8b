/*
 * test_devices.c - a student's new phone: pending, listed for the
 * student's teachers only, approved (the old phone is out at its next
 * request) or rejected; only a teacher of the class decides, once.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itauth.h"

struct world {
	long long cls;
	char *teacher, *outsider, *student;
	char *teacher_tok, *outsider_tok;
	char *old_access, *old_refresh;
	char *fp_new, *uuid_new;
	long long old_dev, new_dev;
};

static char *
teacher_token(const char *email)
{
	struct it_resp r;
	char *t = itauth_id_token(email), *a = NULL;

	cr_assert_eq(itauth_signin(t, "WEB", NULL, NULL, NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	a = arena_strdup(it_arena(), itauth_str(&r, "access_token"));
	it_resp_free(&r);
	return a;
}

/* A student with an active phone and a pending second one. */
static void
make_world(struct world *w)
{
	struct it_resp r;

	w->cls = itauth_class("D");
	w->teacher = arena_strdup(it_arena(), itauth_email("teacher"));
	w->outsider = arena_strdup(it_arena(), itauth_email("outsider"));
	w->student = arena_strdup(it_arena(), itauth_email("student"));
	itauth_teacher(w->teacher, w->cls, 1);
	itauth_teacher(w->outsider, 0, 1);
	itauth_student(w->student, w->cls, 1);
	w->teacher_tok = teacher_token(w->teacher);
	w->outsider_tok = teacher_token(w->outsider);
	cr_assert_eq(itauth_android(w->student, itauth_uuid(), itauth_fp(), &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	w->old_access =
	    arena_strdup(it_arena(), itauth_str(&r, "access_token"));
	w->old_refresh =
	    arena_strdup(it_arena(), itauth_str(&r, "refresh_token"));
	w->old_dev = itauth_device_id(&r);
	it_resp_free(&r);
	w->fp_new = itauth_fp();
	w->uuid_new = itauth_uuid();
	cr_assert_eq(itauth_android(w->student, w->uuid_new, w->fp_new, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "device_pending_approval");
	it_resp_free(&r);
	w->new_dev = it_sql_int("SELECT device_id FROM device WHERE "
				"user_email = ? AND fingerprint_hash = ?",
	    "ss", w->student, w->fp_new);
	cr_assert_gt(w->new_dev, 0);
}

static int
listed(const char *token, long long dev)
{
	struct it_resp r;
	json_t *d;
	size_t i;
	int found = 0;

	cr_assert_eq(it_get("/devices/pending", token, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "devices"), i,
	    d) if (json_integer_value(json_object_get(d, "device_id")) == dev)
	    found = 1;
	it_resp_free(&r);
	return found;
}

/* POST /devices/<id>/<verb>; the status, the error code in code. */
static long
post(const char *verb, long long id, const char *token, char *code, size_t n)
{
	struct it_resp r;
	char path[128];
	long st;

	snprintf(path, sizeof(path), "/devices/%lld/%s", id, verb);
	cr_assert_eq(it_post_json(path, token, "{}", &r), 0);
	st = r.status;
	if (code)
		snprintf(code, n, "%s", it_error_code(&r));
	it_resp_free(&r);
	return st;
}

Test(devices, approval_switches_the_active_phone_and_the_old_one_is_out)
{
	struct world w;
	struct it_resp r;
	char body[256];

	IT_REQUIRE_STACK();
	make_world(&w);
	cr_assert(listed(w.teacher_tok, w.new_dev));
	cr_assert_eq(post("approve", w.new_dev, w.teacher_tok, NULL, 0), 200);
	/* the new phone signs in */
	cr_assert_eq(itauth_android(w.student, w.uuid_new, w.fp_new, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(itauth_device_id(&r), w.new_dev);
	it_resp_free(&r);
	/* the old phone's live token and refresh token are refused */
	cr_assert_eq(it_get("/me", w.old_access, &r), 0);
	cr_assert_eq(r.status, 401, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "device_inactive");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}",
	    w.old_refresh);
	cr_assert_eq(it_post_json("/auth/refresh", NULL, body, &r), 0);
	cr_assert_eq(r.status, 401, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"device_id = ? AND approval = 'REPLACED' AND "
				"active = FALSE",
			 "I", w.old_dev),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"user_email = ? AND active = TRUE",
			 "s", w.student),
	    1, "exactly one active device");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"subject = ? AND action IN "
				"('device.approve', 'device.replaced') AND "
				"actor = ?",
			 "ss", w.student, w.teacher),
	    2);
	cr_assert_not(listed(w.teacher_tok, w.new_dev));
	cr_assert_eq(post("approve", w.new_dev, w.teacher_tok, NULL, 0), 409,
	    "already decided");
}

Test(devices, a_rejected_phone_stays_out_and_the_old_one_keeps_working)
{
	struct world w;
	struct it_resp r;

	IT_REQUIRE_STACK();
	make_world(&w);
	cr_assert_eq(post("reject", w.new_dev, w.teacher_tok, NULL, 0), 200);
	cr_assert_eq(itauth_android(w.student, w.uuid_new, w.fp_new, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "device_rejected");
	it_resp_free(&r);
	cr_assert_eq(it_get("/me", w.old_access, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"device_id = ? AND approval = 'REJECTED' AND "
				"decided_by = ?",
			 "Is", w.new_dev, w.teacher),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"subject = ? AND action = 'device.reject'",
			 "s", w.student),
	    1);
}

Test(devices, only_a_teacher_of_the_class_decides)
{
	struct world w;
	char code[64];

	IT_REQUIRE_STACK();
	make_world(&w);
	cr_assert_not(listed(w.outsider_tok, w.new_dev));
	cr_assert_eq(post("approve", w.new_dev, w.outsider_tok, code,
			 sizeof(code)),
	    403);
	cr_assert_str_eq(code, "not_your_student");
	cr_assert_eq(post("reject", w.new_dev, w.outsider_tok, NULL, 0), 403);
	cr_assert_eq(post("approve", w.new_dev, w.old_access, NULL, 0), 403,
	    "a student cannot approve");
	cr_assert_eq(post("approve", 999999999999LL, w.teacher_tok, NULL, 0),
	    404);
	cr_assert_eq(post("approve", w.old_dev, w.teacher_tok, code,
			 sizeof(code)),
	    409, "an active device is not pending");
	cr_assert_eq(it_sql_int("SELECT approval = 'PENDING' FROM device "
				"WHERE device_id = ?",
			 "I", w.new_dev),
	    1, "nothing changed");
}

/* The pending entry of dev in token's list (a new reference), or NULL. */
static json_t *
pending_entry(const char *token, long long dev)
{
	struct it_resp r;
	json_t *d, *found = NULL;
	size_t i;

	cr_assert_eq(it_get("/devices/pending", token, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "devices"), i,
	    d) if (json_integer_value(json_object_get(d, "device_id")) == dev)
	    found = json_incref(d);
	it_resp_free(&r);
	return found;
}

Test(devices, a_second_student_on_a_bound_phone_is_held_as_shared)
{
	struct world w;
	struct it_resp r;
	char *owner = strdup(itauth_email("owner")),
	     *other = strdup(itauth_email("sibling")), *u = itauth_uuid(),
	     *fp = itauth_fp();
	long long owner_dev, dev;
	json_t *d;

	IT_REQUIRE_STACK();
	make_world(&w);
	itauth_student(owner, w.cls, 1);
	itauth_student(other, w.cls, 1);
	cr_assert_eq(itauth_android(owner, u, fp, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	owner_dev = itauth_device_id(&r);
	it_resp_free(&r);
	/* a classmate's first sign-in on the very same phone and install */
	cr_assert_eq(itauth_android(other, u, fp, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "device_pending_approval");
	cr_assert_null(json_object_get(r.json, "access_token"));
	it_resp_free(&r);
	dev = it_sql_int("SELECT device_id FROM device WHERE user_email = ? "
			 "AND approval = 'PENDING' AND active = FALSE",
	    "s", other);
	cr_assert_gt(dev, 0, "held PENDING, not bound ACTIVE");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"action = 'device.shared' AND subject = ? AND "
				"reason LIKE CONCAT('%', ?)",
			 "ss", other, owner),
	    1);
	/* the teacher sees whose phone it is */
	d = pending_entry(w.teacher_tok, dev);
	cr_assert_not_null(d);
	cr_assert_str_eq(json_string_value(json_object_get(d, "reason")),
	    "shared_device");
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(d, "shared_with"),
				 "student_email")),
	    owner);
	json_decref(d);
	/* approving moves the phone: still one student per phone */
	cr_assert_eq(post("approve", dev, w.teacher_tok, NULL, 0), 200);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"fingerprint_hash = ? AND active = TRUE",
			 "s", fp),
	    1);
	cr_assert_eq(it_sql_int("SELECT approval = 'REPLACED' FROM device "
				"WHERE device_id = ?",
			 "I", owner_dev),
	    1);
	cr_assert_eq(itauth_android(owner, u, fp, &r), 0);
	cr_assert_eq(r.status, 403, "the old owner now waits: %s", r.body);
	it_resp_free(&r);
	free(owner);
	free(other);
}

Test(devices, an_ios_student_waits_for_a_teacher_by_default)
{
	struct world w;
	struct it_resp r;
	char *s = strdup(itauth_email("iphone")), *t, *u = itauth_uuid(),
	     *fp = itauth_fp();
	long long dev;
	json_t *d;

	IT_REQUIRE_STACK();
	make_world(&w);
	itauth_student(s, w.cls, 1);
	t = itauth_id_token(s);
	/* an Android phone saying IOS gets no way round Play Integrity */
	cr_assert_eq(itauth_signin(t, "IOS", u, fp, NULL, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "device_pending_approval");
	it_resp_free(&r);
	dev = it_sql_int("SELECT device_id FROM device WHERE user_email = ? "
			 "AND platform = 'IOS' AND approval = 'PENDING' AND "
			 "active = FALSE AND integrity_verdict IS NULL",
	    "s", s);
	cr_assert_gt(dev, 0);
	d = pending_entry(w.teacher_tok, dev);
	cr_assert_not_null(d);
	cr_assert_str_eq(json_string_value(json_object_get(d, "reason")),
	    "ios_unattested");
	json_decref(d);
	cr_assert_eq(post("approve", dev, w.teacher_tok, NULL, 0), 200);
	cr_assert_eq(itauth_signin(t, "IOS", u, fp, NULL, &r), 0);
	cr_assert_eq(r.status, 200, "approved, it signs in: %s", r.body);
	it_resp_free(&r);
	free(s);
}
