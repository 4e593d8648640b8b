/*
 * test_webauthn.c - biometric presence against the stack: a student's
 * device registers a passkey (options, attestationObject, clientData),
 * and in a class with require_uv a submit passes only with an assertion
 * of that passkey over the open window's challenge, made with user
 * verification, used once; over HTTP and over the WebSocket.  The
 * authenticator is tests/support/mintwa.c.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "itadmin.h"
#include "it.h"
#include "mint.h"
#include "mintwa.h"
#include "webauthn.h"
#include "ws.h"

#define UPUV (MINTWA_UP | MINTWA_UV)

struct fx {
	long long class_id, period_id, dev[2];
	char teacher[128], student[2][128];
	char *teacher_tok, *tok[2];
	const char *origin, *rp;
};

static long long
add_device(const char *email, const char *role)
{
	char uuid[64];

	snprintf(uuid, sizeof(uuid), "wa-%s-%d", it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, ?, ?, SHA2(?, 256), 'WEB', "
			    "1, 'ACTIVE')",
			 "ssss", email, role, uuid, uuid),
	    DB_OK);
	return db_insert_id(it_db());
}

/* A class with require_uv, a teacher, a period and two students. */
static void
make_fixture(struct fx *f)
{
	char name[96], course[32];
	long long dep, subj;
	int i;

	memset(f, 0, sizeof(*f));
	snprintf(name, sizeof(name), "UV %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", name),
	    DB_OK);
	dep = db_insert_id(it_db());
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section, require_uv) VALUES (?, '2025', "
			    "1, 'U', 1)",
			 "I", dep),
	    DB_OK);
	f->class_id = db_insert_id(it_db());
	snprintf(f->teacher, sizeof(f->teacher), "t-uv-%s@it.edu", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", f->teacher, dep),
	    DB_OK);
	snprintf(course, sizeof(course), "UV%s", it_uniq());
	course[20] = '\0';
	cr_assert_eq(it_sql("INSERT INTO course (course_id, course_name) "
			    "VALUES (?, 'Presence')",
			 "s", course),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO subject (course_id, class_id, "
			    "teacher_email) VALUES (?, ?, ?)",
			 "sIs", course, f->class_id, f->teacher),
	    DB_OK);
	subj = db_insert_id(it_db());
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) VALUES (?, 1, 1)",
			 "I", subj),
	    DB_OK);
	f->period_id = db_insert_id(it_db());
	f->teacher_tok = it_token(f->teacher, "teacher",
	    add_device(f->teacher, "teacher"), 900);
	for (i = 0; i < 2; i++) {
		snprintf(f->student[i], sizeof(f->student[i]),
		    "s%d-uv-%s@it.edu", i, it_uniq());
		cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
				    "roll_no, class_id, verified) VALUES (?, "
				    "'S', ?, ?, 1)",
				 "ssI", f->student[i], i ? "02" : "01",
				 f->class_id),
		    DB_OK);
		f->dev[i] = add_device(f->student[i], "student");
		f->tok[i] = it_token(f->student[i], "student", f->dev[i], 900);
	}
	cr_assert_eq(webauthn_origin(it_config()->public_url, &f->origin,
			 &f->rp, it_arena()),
	    0);
}

/* The body of POST /webauthn/register for w under the server's options. */
static char *
registration(const struct fx *f, int i, const struct mint_wa *w, unsigned flags,
    const char *origin)
{
	struct it_resp r;
	const char *ch;
	char *cd, *cdb, *attb, *body;
	unsigned char *att;
	size_t n;

	cr_assert_eq(it_post_json("/webauthn/register/options", f->tok[i], "{}",
			 &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	ch = json_string_value(json_object_get(r.json, "challenge"));
	cr_assert_not_null(ch);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(r.json, "rp"),
				 "id")),
	    f->rp);
	cd = mint_wa_client_data("webauthn.create", ch, origin);
	att = mint_wa_attestation(w, f->rp, flags, 1, &n);
	cdb = mint_b64url((unsigned char *)cd, strlen(cd));
	attb = mint_b64url(att, n);
	body = malloc(strlen(cdb) + strlen(attb) + 128);
	sprintf(body,
	    "{\"attestation_object\":\"%s\",\"client_data_json\":\"%s\"}", attb,
	    cdb);
	free(cd);
	free(att);
	free(cdb);
	free(attb);
	it_resp_free(&r);
	return body;
}

static int
post(const char *path, const char *tok, const char *body, char *code, size_t n)
{
	struct it_resp r;
	int status;

	cr_assert_eq(it_post_json(path, tok, body, &r), 0);
	status = (int)r.status;
	snprintf(code, n, "%s", it_error_code(&r));
	it_resp_free(&r);
	return status;
}

Test(webauthn, a_device_registers_one_passkey_and_bad_registrations_are_refused)
{
	struct fx f;
	struct mint_wa *w = mint_wa_new("P-256"), *p384 = mint_wa_new("P-384");
	char code[64], *body;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	body = registration(&f, 0, w, MINTWA_UP, f.origin);
	cr_expect_eq(post("/webauthn/register", f.tok[0], body, code, 64), 403);
	cr_expect_str_eq(code, "uv_not_verified");
	free(body);
	body = registration(&f, 0, w, UPUV, "https://evil.example");
	cr_expect_eq(post("/webauthn/register", f.tok[0], body, code, 64), 403);
	cr_expect_str_eq(code, "uv_invalid");
	free(body);
	body = registration(&f, 0, p384, UPUV, f.origin);
	cr_expect_eq(post("/webauthn/register", f.tok[0], body, code, 64), 400);
	cr_expect_str_eq(code, "uv_bad_key");
	free(body);
	/* another device's challenge */
	body = registration(&f, 1, w, UPUV, f.origin);
	cr_expect_eq(post("/webauthn/register", f.tok[0], body, code, 64), 403);
	cr_expect_str_eq(code, "uv_invalid");
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM webauthn_credential "
				"WHERE device_id IN (?, ?)",
			 "II", f.dev[0], f.dev[1]),
	    0);
	cr_expect_eq(post("/webauthn/register", f.tok[0], "{\"x\":1}", code,
			 64),
	    400);
	cr_expect_str_eq(code, "uv_malformed");
	free(body);
	body = registration(&f, 0, w, UPUV, f.origin);
	cr_expect_eq(post("/webauthn/register", f.tok[0], body, code, 64), 201,
	    "%s", code);
	cr_expect_eq(it_sql_int("SELECT sign_count FROM webauthn_credential "
				"WHERE device_id = ? AND credential_id = ?",
			 "Is", f.dev[0], mint_wa_id_b64(w)),
	    1);
	/* the same passkey for another device: refused */
	free(body);
	body = registration(&f, 1, w, UPUV, f.origin);
	cr_expect_eq(post("/webauthn/register", f.tok[1], body, code, 64), 409);
	cr_expect_str_eq(code, "uv_credential_taken");
	free(body);
	mint_wa_free(w);
	mint_wa_free(p384);
}

/* The "uv" member of a submit: w's assertion over challenge. */
static char *
uv_json(const struct fx *f, const struct mint_wa *w, const char *challenge,
    unsigned flags, uint32_t count)
{
	char *cd = mint_wa_client_data("webauthn.get", challenge, f->origin);
	unsigned char *ad, *sig;
	size_t adn, sn;
	char *adb, *sigb, *cdb, *out;

	cr_assert_eq(mint_wa_assert(w, f->rp, flags, count, cd, &ad, &adn, &sig,
			 &sn),
	    0);
	adb = mint_b64url(ad, adn);
	sigb = mint_b64url(sig, sn);
	cdb = mint_b64url((unsigned char *)cd, strlen(cd));
	out = malloc(strlen(adb) + strlen(sigb) + strlen(cdb) + 256);
	sprintf(out,
	    "{\"credential_id\":\"%s\",\"authenticator_data\":\"%s\","
	    "\"client_data_json\":\"%s\",\"signature\":\"%s\"}",
	    mint_wa_id_b64(w), adb, cdb, sigb);
	free(cd);
	free(ad);
	free(sig);
	free(adb);
	free(sigb);
	free(cdb);
	return out;
}

static char *
challenge_of(const struct fx *f, int i, long long sid)
{
	struct it_resp r;
	char path[96], *c;

	snprintf(path, sizeof(path), "/webauthn/challenge?session_id=%lld",
	    sid);
	cr_assert_eq(it_get(path, f->tok[i], &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "require_uv")));
	c = strdup(json_string_value(json_object_get(r.json, "challenge")));
	it_resp_free(&r);
	return c;
}

static int
submit(const struct fx *f, int i, long long sid, const char *otp,
    const char *uv, char *code)
{
	char *body = malloc((uv ? strlen(uv) : 0) + 128);
	int status;

	sprintf(body, "{\"session_id\":%lld,\"otp\":\"%s\"%s%s}", sid, otp,
	    uv ? ",\"uv\":" : "", uv ? uv : "");
	status = post("/attendance/submit", f->tok[i], body, code, 64);
	free(body);
	return status;
}

Test(webauthn, a_uv_class_marks_only_a_verified_fresh_assertion_of_the_device,
    .timeout = 60)
{
	struct fx f;
	struct mint_wa *w = mint_wa_new("P-256"),
		       *stranger = mint_wa_new("P-256"),
		       *w1 = mint_wa_new("P-256");
	struct it_resp r;
	char code[64], otp[5], wrong[5], *body, *ch, *uv, *replay, msg[4096];
	long long sid;
	struct ws *sock;
	json_t *res;
	int port = atoi(
	    getenv("EHAZIRA_HTTP_PORT") ? getenv("EHAZIRA_HTTP_PORT") : "8080");

	IT_REQUIRE_STACK();
	make_fixture(&f);
	body = registration(&f, 0, w, UPUV, f.origin);
	cr_assert_eq(post("/webauthn/register", f.tok[0], body, code, 64), 201);
	free(body);
	body = registration(&f, 1, w1, UPUV, f.origin);
	cr_assert_eq(post("/webauthn/register", f.tok[1], body, code, 64), 201);
	free(body);
	snprintf(msg, sizeof(msg), "{\"period_id\":%lld}", f.period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", f.teacher_tok, msg,
			 &r),
	    0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	sid = json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(otp, sizeof(otp), "%s",
	    json_string_value(json_object_get(r.json, "otp")));
	it_resp_free(&r);
	snprintf(wrong, sizeof(wrong), "%04u",
	    (unsigned)(atoi(otp) + 1) % 10000u);
	cr_expect_eq(it_sql_int("SELECT require_uv FROM attendance_window "
				"WHERE session_id = ?",
			 "I", sid),
	    1);
	ch = challenge_of(&f, 0, sid);

	/* the refusals: each a 4xx with its code, nothing marked */
	cr_expect_eq(submit(&f, 0, sid, otp, NULL, code), 403);
	cr_expect_str_eq(code, "uv_required");
	uv = uv_json(&f, w, ch, MINTWA_UP, 2);
	cr_expect_eq(submit(&f, 0, sid, otp, uv, code), 403);
	cr_expect_str_eq(code, "uv_not_verified");
	free(uv);
	uv = uv_json(&f, stranger, ch, UPUV, 2);
	cr_expect_eq(submit(&f, 0, sid, otp, uv, code), 403);
	cr_expect_str_eq(code, "uv_unknown_credential");
	free(uv);
	uv = uv_json(&f, w, "c29tZS1vdGhlci13aW5kb3c", UPUV, 2);
	cr_expect_eq(submit(&f, 0, sid, otp, uv, code), 403);
	cr_expect_str_eq(code, "uv_invalid");
	free(uv);
	/* student 1's passkey on student 0's device: not this device's */
	uv = uv_json(&f, w1, ch, UPUV, 2);
	cr_expect_eq(submit(&f, 0, sid, otp, uv, code), 403);
	cr_expect_str_eq(code, "uv_unknown_credential");
	free(uv);
	cr_expect_eq(submit(&f, 0, sid, otp, "{\"credential_id\":\"x\"}", code),
	    400);
	cr_expect_str_eq(code, "uv_malformed");
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ?",
			 "I", sid),
	    0);
	/* counted on GET /metrics under one label */
	cr_assert_eq(it_get("/metrics", NULL, &r), 0);
	cr_expect(r.body &&
		strstr(r.body,
		    "ehazira_submits_total{verdict="
		    "\"uv_refused\"} ") &&
		!strstr(r.body, "{verdict=\"uv_refused\"} 0\n"),
	    "%s", r.body ? r.body : "");
	it_resp_free(&r);

	/* a verified assertion with a wrong code: counted as a wrong try */
	replay = uv_json(&f, w, ch, UPUV, 2);
	cr_expect_eq(submit(&f, 0, sid, wrong, replay, code), 422);
	cr_expect_str_eq(code, "wrong_otp");
	/* the same assertion again: replayed */
	cr_expect_eq(submit(&f, 0, sid, otp, replay, code), 403);
	cr_expect_str_eq(code, "uv_replayed");
	free(replay);
	/* a fresh one with a lower count: replayed too */
	uv = uv_json(&f, w, ch, UPUV, 1);
	cr_expect_eq(submit(&f, 0, sid, otp, uv, code), 403);
	cr_expect_str_eq(code, "uv_replayed");
	free(uv);
	uv = uv_json(&f, w, ch, UPUV, 3);
	cr_expect_eq(submit(&f, 0, sid, otp, uv, code), 200, "%s", code);
	free(uv);
	cr_expect_eq(it_sql_int("SELECT sign_count FROM webauthn_credential "
				"WHERE device_id = ?",
			 "I", f.dev[0]),
	    3);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND student_email = ? AND "
				"status = 'P'",
			 "Is", sid, f.student[0]),
	    1);

	/* over the WebSocket: the same rules */
	snprintf(msg, sizeof(msg), "bearer.%s", f.tok[1]);
	sock = ws_connect(port, "/ws", msg, 5000, NULL);
	cr_assert_not_null(sock);
	snprintf(msg, sizeof(msg),
	    "{\"type\":\"submit\",\"session_id\":%lld,\"otp\":\"%s\"}", sid,
	    otp);
	cr_assert_eq(ws_send_text(sock, msg), 0);
	res = ws_expect_type(sock, "submit.result", 5000);
	cr_assert_not_null(res);
	cr_expect_str_eq(json_string_value(
			     json_object_get(json_object_get(res, "error"),
				 "code")),
	    "uv_required");
	json_decref(res);
	free(ch);
	ch = challenge_of(&f, 1, sid);
	uv = uv_json(&f, w1, ch, UPUV, 2);
	snprintf(msg, sizeof(msg),
	    "{\"type\":\"submit\",\"session_id\":%lld,\"otp\":\"%s\","
	    "\"uv\":%s}",
	    sid, otp, uv);
	free(uv);
	cr_assert_eq(ws_send_text(sock, msg), 0);
	res = ws_expect_type(sock, "submit.result", 5000);
	cr_assert_not_null(res);
	cr_expect_str_eq(json_string_value(json_object_get(res, "status")),
	    "P");
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND student_email = ? AND "
				"status = 'P'",
			 "Is", sid, f.student[1]),
	    1);
	json_decref(res);
	ws_close(sock);
	free(ch);
	mint_wa_free(w);
	mint_wa_free(w1);
	mint_wa_free(stranger);
}

Test(webauthn, the_policy_is_set_audited_and_shown_by_the_cli)
{
	struct fx f;
	struct it_resp r;
	char out[2048], subject[64];

	IT_REQUIRE_STACK();
	make_fixture(&f);
	snprintf(subject, sizeof(subject), "class %lld", f.class_id);
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "class-policy set %lld require_uv=false", f.class_id),
	    0, "%s", out);
	cr_expect(strstr(out, "require_uv=false"), "%s", out);
	cr_expect_eq(it_sql_int("SELECT require_uv FROM class WHERE class_id "
				"= ?",
			 "I", f.class_id),
	    0);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE action "
				"= 'class.policy' AND subject = ? AND "
				"old_value = '1' AND new_value = '0'",
			 "s", subject),
	    1);
	cr_expect_neq(it_admin_sh(out, sizeof(out),
			  "class-policy set %lld require_uv=maybe", f.class_id),
	    0);
	cr_expect(strstr(out, "true or false"), "%s", out);
	/* the student's page learns the policy */
	cr_assert_eq(it_get("/webauthn/status", f.tok[0], &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect(json_is_false(json_object_get(r.json, "require_uv")));
	cr_expect(json_is_false(json_object_get(r.json, "registered")));
	it_resp_free(&r);
}
