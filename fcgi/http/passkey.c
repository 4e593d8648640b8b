/*
 * passkey.c - biometric presence over HTTP: a student's device registers
 * a passkey after it is bound (navigator.credentials.create, ES256, user
 * verification required, attestation "none"), and a class with
 * require_uv has every submit carry an assertion over the window's
 * challenge (passkey_check, called by submit.c for HTTP and WebSocket).
 *
 *   GET  /webauthn/status             the class's policy, registered or not
 *   POST /webauthn/register/options   a registration challenge and options
 *   POST /webauthn/register           the attestationObject + clientData
 *   GET  /webauthn/challenge?session_id=N   the open window's challenge
 *
 * The relying party is PUBLIC_URL: its origin must be clientData's origin
 * and its host the RP ID.  The challenges are stateless HMACs under
 * JWT_SECRET with their own labels (webauthn.c).  An assertion is used
 * once: its sign count must grow and its signature's hash goes into the
 * replay store DPoP uses (dpop_jti), which also holds for authenticators
 * that keep no counter.  Every refusal is a JSON 4xx with a uv_* code.
 */
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "jsonio.h"
#include "log.h"
#include "passkey.h"
#include "webauthn.h"

/* How long a used assertion's signature is remembered, s: past any
 * window's life (OTP_TTL_MAX) and rounds. */
#define USED_TTL 3600
/* base64url of WEBAUTHN_MAX_INPUT bytes */
#define B64_MAX 5462

/* The relying party of PUBLIC_URL into e; -1 if the URL has no host. */
static int
relying_party(struct http_req *r, struct webauthn_expect *e)
{
	return webauthn_origin(r->cfg->public_url, &e->origin, &e->rp_id,
	    r->arena);
}

static int
db_failed(struct http_req *r, int rc)
{
	return rc == DB_DOWN ? http_reply_error(r, 503, "db_unavailable",
				   "the database is not reachable")
			     : 500;
}

int
passkey_status(struct http_req *r)
{
	struct db_rows rows;
	struct webauthn_expect e;
	int rc;

	if (relying_party(r, &e) < 0)
		return 500;
	rc = db_query_one(r->db, r->arena, &rows,
	    "SELECT c.require_uv, (SELECT COUNT(*) FROM webauthn_credential "
	    "WHERE device_id = ?) FROM student st JOIN class c ON "
	    "c.class_id = st.class_id WHERE st.student_email = ?",
	    "Is", r->auth.device_id, r->auth.email);
	if (rc != DB_OK && rc != DB_NOTFOUND)
		return db_failed(r, rc);
	return http_reply_json(r, 200,
	    json_pack("{s:b,s:b,s:s}", "require_uv",
		rc == DB_OK && db_get_int(&rows, 0, 0) != 0, "registered",
		rc == DB_OK && db_get_int(&rows, 0, 1) > 0, "rp_id", e.rp_id));
}

int
passkey_options(struct http_req *r)
{
	struct webauthn_expect e;
	const char *ch, *uid;

	if (relying_party(r, &e) < 0)
		return 500;
	ch = webauthn_reg_challenge(r->cfg->jwt_secret, r->auth.device_id,
	    (long long)time(NULL), r->arena);
	/* the user handle names no one: a keyed hash of the e-mail */
	uid = crypto_hmac_hex(r->cfg->jwt_secret,
	    arena_printf(r->arena, "webauthn.user:%s", r->auth.email), 32,
	    r->arena);
	if (ch == NULL || uid == NULL)
		return 500;
	return http_reply_json(r, 200,
	    json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:s,s:s},s:[{s:s,s:i}],s:i,"
		      "s:s,s:{s:s,s:s,s:s}}",
		"challenge", ch, "rp", "id", e.rp_id, "name", "eHazira", "user",
		"id", uid, "name", r->auth.email, "display_name", r->auth.email,
		"pub_key_cred_params", "type", "public-key", "alg", -7,
		"timeout_ms", 60000, "attestation", "none",
		"authenticator_selection", "authenticator_attachment",
		"platform", "user_verification", "required", "resident_key",
		"preferred"));
}

/* A base64url member of obj, decoded; NULL (and *why) when absent/bad. */
static unsigned char *
member(json_t *obj, const char *key, size_t *n, const char **why,
    struct arena *ar)
{
	const char *s = json_string_value(json_object_get(obj, key));
	unsigned char *b;

	if (s == NULL || strlen(s) == 0 || strlen(s) > B64_MAX ||
	    (b = crypto_b64url_decode(s, n, ar)) == NULL || *n == 0) {
		*why = arena_printf(ar, "'%s' must be base64url", key);
		return NULL;
	}
	return b;
}

/* The challenge clientDataJSON names (to check it is one of ours). */
static const char *
challenge_of(const unsigned char *cd, size_t n, struct arena *ar)
{
	json_t *j = json_loadb((const char *)cd, n, 0, NULL);
	const char *c = json_string_value(json_object_get(j, "challenge"));
	char *out = c ? arena_strdup(ar, c) : NULL;

	json_decref(j);
	return out;
}

static int
refuse(struct http_req *r, int rc, const char *what)
{
	log_info("webauthn: device %lld: %s refused: %s", r->auth.device_id,
	    what, webauthn_code(rc));
	return http_reply_error(r, webauthn_status(rc), webauthn_code(rc), "%s",
	    webauthn_reason(rc));
}

/* The credential replaces the device's old one; 0, 409 or a DB_* code. */
static int
store_credential(struct http_req *r, const struct webauthn_cred *c)
{
	const char *id = crypto_b64url(c->id, c->id_len, r->arena),
		   *pk = crypto_b64url(c->cose, c->cose_len, r->arena);
	int rc;

	if (id == NULL || pk == NULL)
		return DB_ERR;
	if ((rc = db_begin(r->db)) != DB_OK ||
	    (rc = db_exec(r->db,
		 "DELETE FROM webauthn_credential WHERE device_id = ?", "I",
		 r->auth.device_id)) != DB_OK ||
	    (rc = db_exec(r->db,
		 "INSERT INTO webauthn_credential (credential_id, device_id, "
		 "public_key, sign_count) VALUES (?, ?, ?, ?)",
		 "sIsI", id, r->auth.device_id, pk,
		 (long long)c->sign_count)) != DB_OK) {
		db_rollback(r->db);
		return rc == DB_CONFLICT ? 409 : rc;
	}
	return db_commit(r->db);
}

int
passkey_register(struct http_req *r)
{
	struct webauthn_expect e = { .type = "webauthn.create" };
	struct webauthn_cred cred;
	unsigned char *att, *cd;
	size_t attn, cdn;
	const char *why = NULL;
	int rc, status;

	if (relying_party(r, &e) < 0)
		return 500;
	if ((att = member(r->json, "attestation_object", &attn, &why,
		 r->arena)) == NULL ||
	    (cd = member(r->json, "client_data_json", &cdn, &why, r->arena)) ==
		NULL) {
		status = http_reply_error(r, 400, "uv_malformed", "%s", why);
		goto out;
	}
	e.challenge = challenge_of(cd, cdn, r->arena);
	if ((rc = webauthn_reg_challenge_ok(r->cfg->jwt_secret,
		 r->auth.device_id, e.challenge, (long long)time(NULL),
		 r->cfg->challenge_ttl, r->arena)) != WA_OK ||
	    (rc = webauthn_client_data(cd, cdn, &e, r->arena)) != WA_OK ||
	    (rc = webauthn_attestation(att, attn, e.rp_id, &cred)) != WA_OK) {
		status = refuse(r, rc, "registration");
		goto out;
	}
	rc = store_credential(r, &cred);
	if (rc == 409) {
		status = http_reply_error(r, 409, "uv_credential_taken",
		    "this passkey is registered to another device");
		goto out;
	}
	if (rc != DB_OK) {
		status = db_failed(r, rc);
		goto out;
	}
	log_info("webauthn: device %lld registered a passkey",
	    r->auth.device_id);
	status = http_reply_json(r, 201,
	    json_pack("{s:b,s:s}", "registered", 1, "credential_id",
		crypto_b64url(cred.id, cred.id_len, r->arena)));
out:
	return status;
}

/* The session's current window, whether it requires UV and whether the
 * caller is in its class. */
static int
window_of(struct http_req *r, long long session_id, long long *window_id,
    int *require, int *enrolled)
{
	struct db_rows rows;
	int rc = db_query_one(r->db, r->arena, &rows,
	    "SELECT w.window_id, COALESCE(w.require_uv, c.require_uv), "
	    "EXISTS (SELECT 1 FROM student st WHERE st.student_email = ? AND "
	    "st.class_id = c.class_id) FROM session se JOIN attendance_window w ON "
	    "w.window_id = se.window_id JOIN period p ON "
	    "p.period_id = se.period_id JOIN subject sj ON "
	    "sj.subject_id = p.subject_id JOIN class c ON "
	    "c.class_id = sj.class_id WHERE se.session_id = ?",
	    "sI", r->auth.email, session_id);

	if (rc == DB_OK) {
		*window_id = db_get_int(&rows, 0, 0);
		*require = db_get_int(&rows, 0, 1) != 0;
		*enrolled = db_get_int(&rows, 0, 2) != 0;
	}
	return rc;
}

int
passkey_challenge(struct http_req *r)
{
	const char *sid = http_query(r, "session_id"), *ch;
	struct webauthn_expect e;
	struct db_rows rows;
	long long session_id = 0, window_id = 0;
	int require = 0, enrolled = 0, rc, i;
	json_t *ids;

	if (sid == NULL || (session_id = strtoll(sid, NULL, 10)) <= 0)
		return http_reply_error(r, 400, "bad_request",
		    "session_id is required");
	if (relying_party(r, &e) < 0)
		return 500;
	rc = window_of(r, session_id, &window_id, &require, &enrolled);
	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "no_window",
		    "attendance was never opened for this session");
	if (rc == DB_OK && !enrolled)
		return http_reply_error(r, 403, "not_enrolled",
		    "you are not enrolled in this session's class");
	if (rc != DB_OK ||
	    (rc = db_query(r->db, r->arena, &rows,
		 "SELECT credential_id FROM webauthn_credential WHERE "
		 "device_id = ?",
		 "I", r->auth.device_id)) != DB_OK)
		return db_failed(r, rc);
	ch = webauthn_window_challenge(r->cfg->jwt_secret, session_id,
	    window_id, r->auth.device_id, r->arena);
	ids = json_array();
	for (i = 0; i < rows.nrows; i++)
		json_array_append_new(ids, json_string(db_get(&rows, i, 0)));
	return http_reply_json(r, 200,
	    json_pack("{s:I,s:I,s:b,s:s,s:s,s:o}", "session_id",
		(json_int_t)session_id, "window_id", (json_int_t)window_id,
		"require_uv", require, "challenge", ch, "rp_id", e.rp_id,
		"credential_ids", ids));
}

/* The client's assertion (msg.uv) decoded into a; NULL or why not. */
static const char *
assertion_of(json_t *uv, struct webauthn_assertion *a, const char **cred,
    struct arena *ar)
{
	const char *why = NULL;

	*cred = json_string_value(json_object_get(uv, "credential_id"));
	if (*cred == NULL || strlen(*cred) == 0 || strlen(*cred) > 344)
		return "'uv.credential_id' is required";
	if ((a->auth_data = member(uv, "authenticator_data", &a->auth_len, &why,
		 ar)) == NULL ||
	    (a->client_data = member(uv, "client_data_json", &a->client_len,
		 &why, ar)) == NULL ||
	    (a->sig = member(uv, "signature", &a->sig_len, &why, ar)) == NULL)
		return why;
	return NULL;
}

/*
 * The assertion is used up: the count is raised (only upwards, so two
 * racing submits of one assertion cannot both pass) and its signature
 * remembered.  0, 1 when it was used before, or -1 (the database).
 */
static int
use_up(struct http_req *r, const char *cred, const struct webauthn_assertion *a,
    uint32_t count)
{
	const char *key =
	    crypto_sha256_hex((const char *)a->sig, a->sig_len, r->arena);
	int rc;

	if (key == NULL ||
	    (key = crypto_sha256_hex(arena_printf(r->arena, "webauthn:%s", key),
		 73, r->arena)) == NULL)
		return -1;
	if ((rc = db_exec(r->db,
		 "UPDATE webauthn_credential SET sign_count = ?, last_used_at "
		 "= NOW(3) WHERE credential_id = ? AND device_id = ? AND "
		 "(sign_count < ? OR sign_count = 0)",
		 "IsII", (long long)count, cred, r->auth.device_id,
		 (long long)count)) != DB_OK)
		return -1;
	if (db_affected(r->db) == 0)
		return 1;
	if ((rc = db_exec(r->db,
		 "INSERT IGNORE INTO dpop_jti (jti_hash, expires_at) "
		 "VALUES (?, NOW() + INTERVAL ? SECOND)",
		 "sI", key, (long long)USED_TTL)) != DB_OK)
		return -1;
	return db_affected(r->db) == 1 ? 0 : 1;
}

/* Verifies msg.uv against the stored credential of this device. */
static int
verify(struct http_req *r, json_t *uv, struct webauthn_expect *e,
    json_t **result)
{
	struct webauthn_assertion a;
	struct db_rows rows;
	const char *cred, *why;
	unsigned char *cose;
	size_t cn;
	uint32_t count = 0;
	int rc, used;

	if ((why = assertion_of(uv, &a, &cred, r->arena)) != NULL)
		return jsonio_refuse(result, 400, "uv_malformed", why);
	rc = db_query_one(r->db, r->arena, &rows,
	    "SELECT public_key, sign_count FROM webauthn_credential "
	    "WHERE credential_id = ? AND device_id = ?",
	    "sI", cred, r->auth.device_id);
	if (rc == DB_NOTFOUND)
		return jsonio_refuse(result, 403, "uv_unknown_credential",
		    "this passkey is not registered for this phone");
	if (rc != DB_OK ||
	    (cose = crypto_b64url_decode(db_get(&rows, 0, 0), &cn, r->arena)) ==
		NULL)
		return jsonio_refuse(result, 503, "db_unavailable",
		    "try again");
	rc = webauthn_verify(&a, cose, cn, (uint32_t)db_get_int(&rows, 0, 1), e,
	    &count, r->arena);
	if (rc == WA_OK) {
		if ((used = use_up(r, cred, &a, count)) == 0)
			return 0;
		if (used < 0)
			return jsonio_refuse(result, 503, "db_unavailable",
			    "try again");
		rc = WA_REPLAY;
	}
	log_info("webauthn: device %lld: assertion refused: %s",
	    r->auth.device_id, webauthn_code(rc));
	return jsonio_refuse(result, webauthn_status(rc), webauthn_code(rc),
	    webauthn_reason(rc));
}

int
passkey_check(struct http_req *r, json_t *uv, long long session_id,
    long long window_id, json_t **result)
{
	struct webauthn_expect e = { .type = "webauthn.get" };

	if (!json_is_object(uv))
		return jsonio_refuse(result, 403, "uv_required",
		    "this class asks for your phone's screen lock "
		    "(fingerprint, face or PIN) at each submit");
	e.challenge = webauthn_window_challenge(r->cfg->jwt_secret, session_id,
	    window_id, r->auth.device_id, r->arena);
	if (e.challenge == NULL || relying_party(r, &e) < 0)
		return jsonio_refuse(result, 503, "db_unavailable",
		    "try again");
	return verify(r, uv, &e, result);
}
