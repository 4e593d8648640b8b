/*
 * itauth.c - sign-in helpers for integration tests (see itauth.h).  Every
 * token is minted with the keys tests/standin/env.sh generated for the
 * test stack, so the API verifies them on its normal path.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itauth.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

char *
itauth_email(const char *what)
{
	static char buf[8][128];
	static int n;
	char *b = buf[n % 8];

	snprintf(b, sizeof(buf[0]), "%s.%s.%d@t.ehazira.in", what, it_uniq(),
	    n);
	n++;
	return b;
}

long long
itauth_class(const char *tag)
{
	char dept[128];
	long long dep;

	snprintf(dept, sizeof(dept), "Dept %s %s", tag, it_uniq());
	it_sql("INSERT IGNORE INTO department (department_name) VALUES (?)",
	    "s", dept);
	dep = it_sql_int("SELECT department_id FROM department WHERE "
			 "department_name = ?",
	    "s", dept);
	it_sql("INSERT IGNORE INTO class (department_id, batch, semester, "
	       "section) VALUES (?, '2024', 3, ?)",
	    "Is", dep, tag);
	return it_sql_int("SELECT class_id FROM class WHERE department_id = ? "
			  "AND section = ?",
	    "Is", dep, tag);
}

void
itauth_teacher(const char *email, long long class_id, int verified)
{
	char course[32];

	it_sql("INSERT INTO teacher (teacher_email, name, department_id, "
	       "verified) VALUES (?, 'Test Teacher', COALESCE((SELECT "
	       "department_id FROM class WHERE class_id = ?), (SELECT "
	       "MAX(department_id) FROM department)), ?)",
	    "sIi", email, class_id, verified);
	if (class_id <= 0)
		return;
	snprintf(course, sizeof(course), "C%lld", class_id);
	it_sql("INSERT IGNORE INTO course (course_id, course_name) VALUES "
	       "(?, 'Test Course')",
	    "s", course);
	it_sql("INSERT INTO subject (course_id, class_id, teacher_email) "
	       "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE teacher_email = "
	       "VALUES(teacher_email)",
	    "sIs", course, class_id, email);
}

void
itauth_student(const char *email, long long class_id, int verified)
{
	char roll[32];
	static int n;

	snprintf(roll, sizeof(roll), "R%d-%d", ++n, rand() % 100000);
	it_sql("INSERT INTO student (student_email, name, roll_no, class_id, "
	       "verified) VALUES (?, 'Test Student', ?, ?, ?)",
	    "ssIi", email, roll, class_id, verified);
}

void
itauth_google_opts(struct mint_google *o, const char *email)
{
	mint_google_init(o, env("EHAZIRA_TEST_GOOGLE_KEY"),
	    env("EHAZIRA_TEST_GOOGLE_KID"), email,
	    env("EHAZIRA_TEST_GOOGLE_AUD"));
}

/*
 * A minted string moved into the tests' arena (it_arena, freed at exit),
 * so no caller has a string of its own to free.
 */
static char *
kept(char *s)
{
	char *k = s ? arena_strdup(it_arena(), s) : NULL;

	free(s);
	return k;
}

char *
itauth_id_token(const char *email)
{
	struct mint_google o;

	itauth_google_opts(&o, email);
	return kept(mint_google(&o));
}

char *
itauth_nonce(void)
{
	struct it_resp r;
	const char *v;
	char *n = NULL;

	if (it_get("/auth/challenge", NULL, &r) == 0 && r.status == 200 &&
	    (v = json_string_value(json_object_get(r.json, "nonce"))))
		n = arena_strdup(it_arena(), v);
	it_resp_free(&r);
	return n;
}

char *
itauth_integrity(const char *nonce, const char *labels)
{
	struct mint_integrity o;

	mint_integrity_init(&o, env("EHAZIRA_INTEGRITY_DECRYPTION_KEY"),
	    env("EHAZIRA_TEST_INTEGRITY_SIGN_KEY"),
	    env("EHAZIRA_INTEGRITY_PACKAGE"), nonce, labels);
	return kept(mint_integrity(&o));
}

static char *
hex(size_t n)
{
	unsigned char b[32];
	char *s = arena_alloc(it_arena(), 2 * n + 1);
	size_t i;

	RAND_bytes(b, (int)n);
	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	return s;
}

char *
itauth_uuid(void)
{
	char *h = hex(16);

	h[12] = '4';
	h[16] = '8';
	return arena_printf(it_arena(), "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8,
	    h + 12, h + 16, h + 20);
}

char *
itauth_fp(void)
{
	return hex(32);
}

int
itauth_signin(const char *id_token, const char *platform, const char *uuid,
    const char *fp, const char *integrity, struct it_resp *resp)
{
	json_t *dev = json_pack("{s:s}", "platform", platform), *body;
	char *s;
	int rc;

	if (uuid)
		json_object_set_new(dev, "uuid", json_string(uuid));
	if (fp)
		json_object_set_new(dev, "fingerprint_hash", json_string(fp));
	if (integrity && *integrity == '\0')
		integrity =
		    itauth_integrity(itauth_nonce(), "MEETS_DEVICE_INTEGRITY");
	if (integrity)
		json_object_set_new(dev, "integrity_token",
		    json_string(integrity));
	body = json_pack("{s:s,s:o}", "id_token", id_token, "device", dev);
	s = json_dumps(body, JSON_COMPACT);
	rc = it_post_json("/auth/google", NULL, s, resp);
	free(s);
	json_decref(body);
	return rc;
}

int
itauth_android(const char *email, const char *uuid, const char *fp,
    struct it_resp *resp)
{
	return itauth_signin(itauth_id_token(email), "ANDROID", uuid, fp, "",
	    resp);
}

const char *
itauth_str(const struct it_resp *resp, const char *key)
{
	const char *v = json_string_value(json_object_get(resp->json, key));

	if (v == NULL)
		v = json_string_value(
		    json_object_get(json_object_get(resp->json, "device"),
			key));
	return v ? v : "";
}

long long
itauth_device_id(const struct it_resp *resp)
{
	return json_integer_value(
	    json_object_get(json_object_get(resp->json, "device"),
		"device_id"));
}
