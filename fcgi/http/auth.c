/*
 * auth.c - sign-in with Google, the app's tokens and the device policy.
 *
 * POST /auth/google is the only way in.  The Google ID token is verified
 * here (idtoken.c: our keys, our audience, no alg tricks); the e-mail must
 * belong to a VERIFIED, unblocked teacher or student - there is no
 * self-registration.  Then the device is bound:
 *
 *   students   one ACTIVE device.  First sign-in binds it; the same UUID
 *              and fingerprint pass; a new UUID with the same fingerprint
 *              is a reinstall (UUID updated, audited); another fingerprint
 *              is a new phone: a PENDING row (one per fingerprint) and 403
 *              device_pending_approval until a teacher decides (devices.c).
 *              One phone, one student: a phone that is another student's
 *              ACTIVE device is held PENDING the same way, audited
 *              device.shared and shown to the teacher as such
 *              (devshare.c says why held, not refused).
 *   teachers   any number of devices, each ACTIVE on first use.
 *   WEB        the browser's device key: a non-extractable P-256 key the
 *              app made with WebCrypto, shown by the DPoP proof of this
 *              request (dpopcheck.c).  Fingerprint = the key's RFC 7638
 *              thumbprint in hex, UUID = a v4-shaped UUID from it, so a
 *              new browser or a lost key is a new device (PENDING for a
 *              student).  Students need the key and WEB_STUDENTS=1;
 *              teachers without a proof get the old UUID "DUMMY" and the
 *              client address as fingerprint.
 *   ANDROID    a Play Integrity token (integrity.c) bound to a nonce from
 *              GET /auth/challenge; required when REQUIRE_INTEGRITY=1.  A
 *              genuine FAIL verdict blocks and flags the account (audited;
 *              only an administrator unblocks); a label below
 *              INTEGRITY_MIN_LEVEL (STRONG|DEVICE|BASIC) is refused.
 *   IOS        no App Attest verification exists yet, and the platform is
 *              only the client's claim: an Android phone can say IOS.  So
 *              IOS_POLICY decides: refuse, approve-first (default: a
 *              student's iOS phone is PENDING until a teacher approves it,
 *              like a second phone) or allow.  Teachers are not held (no
 *              one approves their devices, and WEB is open to them
 *              without attestation anyway), but refuse refuses them too.
 *              Recorded BASIC with no verdict.
 *
 * Identifiers are validated by shape so that nothing like a MAC address or
 * a hardware serial is ever stored: the UUID must be a random (v4) UUID,
 * the fingerprint a SHA-256 hex digest computed by the app.
 *
 * Any platform that signs in with a DPoP proof has its key recorded on
 * the device (dpop_jkt) and gets access tokens bound to it (cnf.jkt);
 * its refresh needs a proof of the same key.
 *
 * Tokens: an HS256 access token (token.c, ACCESS_TTL) naming the device,
 * and an opaque refresh token stored as its SHA-256, bound to the device
 * and rotated on every use.  Presenting a rotated refresh token again
 * means it was copied: the whole chain (family) is revoked.
 *
 * Everything a sign-in writes (nonce use, device row, audit, refresh
 * token) is one transaction; the student row is locked first so two
 * concurrent sign-ins of one student cannot both bind a device.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "dpopcheck.h"
#include "devshare.h"
#include "audit.h"
#include "idtoken.h"
#include "guard.h"
#include "ratelimit.h"
#include "integrity.h"
#include "jsonio.h"
#include "log.h"
#include "pushtoken.h"
#include "token.h"

enum platform { PLATFORM_ANDROID, PLATFORM_IOS, PLATFORM_WEB };

static const char *const platforms[] = { "ANDROID", "IOS", "WEB", NULL };

/* What one sign-in request carries and what we learn about it. */
struct signin {
	const char *id_token;
	const char *uuid;
	const char *fp;
	enum platform platform;
	const char *integrity_token;
	const char *push_token;
	const char *jkt; /* the device key's thumbprint (DPoP), or NULL */
	const char *jwk; /* its public JWK */

	const char *email; /* as registered */
	const char *name;
	enum role role;
	struct integrity_verdict verdict;
	int level;                 /* enum integrity_level */
	const char *verdict_label; /* integrity_label_name, NULL: no verdict */
	const char *held;   /* why a student's new device waits, or NULL */
	const char *holder; /* device.shared: the student holding the phone */
	long long device_id;
};

/* Outcomes of binding the device. */
enum bind {
	BIND_OK = 0,
	BIND_PENDING = 1,
	BIND_REJECTED = 2,
	BIND_ERR = -1,
};

int
auth_uuid_ok(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	/* version 4 (random); variant 10xx */
	return s[14] == '4' && strchr("89abAB", s[19]) != NULL;
}

int
auth_fingerprint_ok(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static char *
lower(struct arena *a, const char *s)
{
	char *d = arena_strdup(a, s), *p;

	for (p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static int
rate(struct http_req *r, const char *what)
{
	char key[160];

	snprintf(key, sizeof(key), "%s:%s", what, r->remote_addr);
	return ratelimit_hit(r, key, r->cfg->addr_rate, 60);
}

static int
read_body(struct http_req *r, struct signin *s)
{
	json_t *dev = NULL;
	char err[256];
	int p = 0;

	if (jsonio_string(r->json, "id_token", JSONH_REQUIRED, 8192,
		&s->id_token, err, sizeof(err)) < 0 ||
	    jsonio_object(r->json, "device", JSONH_REQUIRED, &dev, err,
		sizeof(err)) < 0 ||
	    jsonio_enum(dev, "platform", JSONH_REQUIRED, platforms, &p, err,
		sizeof(err)) < 0 ||
	    jsonio_string(dev, "uuid", p != PLATFORM_WEB, 64, &s->uuid, err,
		sizeof(err)) < 0 ||
	    jsonio_string(dev, "fingerprint_hash", p != PLATFORM_WEB, 128,
		&s->fp, err, sizeof(err)) < 0 ||
	    jsonio_string(dev, "integrity_token", JSONH_OPTIONAL, 32768,
		&s->integrity_token, err, sizeof(err)) < 0 ||
	    jsonio_string(dev, "push_token", JSONH_OPTIONAL, 512,
		&s->push_token, err, sizeof(err)) < 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if (s->push_token && !pushtoken_valid(s->push_token))
		return http_reply_error(r, 400, "bad_request",
		    "'push_token' is not a valid FCM registration token");
	s->platform = (enum platform)p;
	if (s->platform == PLATFORM_WEB) {
		/* The browser has no stable id: the address nginx saw is it. */
		if (s->uuid && strcmp(s->uuid, "DUMMY") != 0)
			return http_reply_error(r, 400, "bad_request",
			    "'uuid' must be DUMMY for WEB");
		if (s->fp && !auth_fingerprint_ok(s->fp))
			return http_reply_error(r, 400, "bad_request",
			    "'fingerprint_hash' must be 64 hex characters");
		s->uuid = "DUMMY";
		s->fp = r->remote_addr;
		if (*s->fp == '\0')
			return http_reply_error(r, 400, "bad_request",
			    "the client address is unknown");
		return 0;
	}
	if (!auth_uuid_ok(s->uuid))
		return http_reply_error(r, 400, "bad_request",
		    "'uuid' must be an app-generated random UUID "
		    "(RFC 4122 version 4)");
	if (!auth_fingerprint_ok(s->fp))
		return http_reply_error(r, 400, "bad_request",
		    "'fingerprint_hash' must be a SHA-256 (64 hex characters)");
	s->uuid = lower(r->arena, s->uuid);
	s->fp = lower(r->arena, s->fp);
	return 0;
}

/* The registered, verified, unblocked user of the e-mail. */
static int
find_user(struct http_req *r, struct signin *s, const char *email)
{
	struct db_rows rows;
	int rc;

	rc = db_query(r->db, r->arena, &rows,
	    "SELECT role, teacher_email, name, verified, blocked "
	    "FROM teacher WHERE teacher_email = ? UNION ALL "
	    "SELECT 'student', student_email, name, verified, blocked "
	    "FROM student WHERE student_email = ?",
	    "ss", email, email);
	if (rc != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	if (rows.nrows == 0)
		return http_reply_error(r, 403, "not_registered",
		    "%s is not registered with eHazira", email);
	/* teacher.role: teacher, head or admin (013_roles_dashboard.sql) */
	s->role = token_role_from_name(db_get(&rows, 0, 0));
	s->email = db_get(&rows, 0, 1);
	s->name = db_get(&rows, 0, 2);
	if (!db_get_int(&rows, 0, 3))
		return http_reply_error(r, 403, "not_verified",
		    "the account is not verified yet; ask an administrator");
	if (db_get_int(&rows, 0, 4))
		return http_reply_error(r, 403, "account_blocked",
		    "the account is blocked; ask an administrator");
	return 0;
}

/* Platform rules and the integrity token's cryptography (no DB). */
static int
check_platform(struct http_req *r, struct signin *s)
{
	const struct config *c = r->cfg;
	struct timespec ts;
	int rc;

	s->level = INTEGRITY_BASIC;
	if (s->platform == PLATFORM_WEB && s->role == ROLE_STUDENT &&
	    !c->web_students)
		return http_reply_error(r, 403, "web_not_allowed",
		    "students sign in with the eHazira app");
	if (s->platform == PLATFORM_WEB && s->role == ROLE_STUDENT &&
	    s->jkt == NULL)
		return http_reply_error(r, 400, "dpop_required",
		    "the web app signs in with its device key (a DPoP proof)");
	if (s->platform == PLATFORM_IOS && strcmp(c->ios_policy, "refuse") == 0)
		return http_reply_error(r, 403, "ios_not_allowed",
		    "iOS devices cannot be verified yet; use the Android app");
	if (s->platform == PLATFORM_IOS && s->role == ROLE_STUDENT &&
	    strcmp(c->ios_policy, "allow") != 0)
		s->held = "ios_unattested";
	if (s->platform != PLATFORM_ANDROID) {
		s->integrity_token = NULL; /* iOS: BASIC until App Attest */
		return 0;
	}
	if (s->integrity_token == NULL) {
		if (c->require_integrity)
			return http_reply_error(r, 403, "integrity_required",
			    "a Play Integrity token is required");
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	rc = integrity_verify(c, s->integrity_token,
	    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &s->verdict,
	    r->arena);
	if (rc == INTEGRITY_KEYS)
		return http_reply_error(r, 503, "integrity_unavailable",
		    "integrity checking is not configured");
	if (rc != INTEGRITY_OK) {
		log_warn("signin %s: integrity token refused: %s", s->email,
		    integrity_reason(rc));
		return http_reply_error(r, 403, "integrity_invalid", "%s",
		    integrity_reason(rc));
	}
	s->level = (int)s->verdict.level;
	s->verdict_label = integrity_label_name(s->verdict.label);
	return 0;
}

/* Marks the verdict's nonce used; 0, or -1 if unknown/used/expired. */
static int
use_nonce(struct http_req *r, const char *nonce)
{
	if (nonce == NULL || strlen(nonce) > 64)
		return -1;
	if (db_exec(r->db,
		"UPDATE auth_challenge SET used_at = NOW(3) WHERE nonce = ? "
		"AND used_at IS NULL AND expires_at > NOW()",
		"s", nonce) != DB_OK)
		return -2;
	return db_affected(r->db) == 1 ? 0 : -1;
}

/* A genuine FAIL verdict: block (and flag a student), keep the evidence. */
static int
block_for_integrity(struct http_req *r, struct signin *s)
{
	char detail[255];

	snprintf(detail, sizeof(detail),
	    "platform ANDROID uuid %s fp %.16s "
	    "app %s",
	    s->uuid, s->fp,
	    s->verdict.app_recognized ? "PLAY_RECOGNIZED" : "not recognized");
	if ((s->role == ROLE_STUDENT
		    ? db_exec(r->db,
			  "UPDATE student SET blocked = TRUE, "
			  "flagged = TRUE WHERE student_email = ?",
			  "s", s->email)
		    : db_exec(r->db,
			  "UPDATE teacher SET blocked = TRUE "
			  "WHERE teacher_email = ?",
			  "s", s->email)) != DB_OK ||
	    db_exec(r->db,
		"UPDATE refresh_token SET revoked_at = NOW(3) "
		"WHERE user_email = ? AND revoked_at IS NULL",
		"s", s->email) != DB_OK ||
	    audit_write(r->db, "system", "integrity.fail", s->email, "active",
		"blocked", detail) != DB_OK)
		return -1;
	return 0;
}

static int
insert_device(struct http_req *r, struct signin *s, const char *approval)
{
	if (db_exec(r->db,
		"INSERT INTO device (user_email, role, device_uuid, "
		"fingerprint_hash, integrity_level, integrity_verdict, "
		"platform, active, approval, push_token, last_seen_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))",
		"sssssssiss", s->email, token_role_name(s->role), s->uuid,
		s->fp, integrity_level_name(s->level), s->verdict_label,
		platforms[s->platform], strcmp(approval, "ACTIVE") == 0,
		approval, s->push_token) != DB_OK)
		return -1;
	s->device_id = db_insert_id(r->db);
	return audit_write(r->db, s->email,
		   strcmp(approval, "ACTIVE") == 0 ? "device.bind"
		       : s->holder                 ? "device.shared"
						   : "device.request",
		   s->email, NULL,
		   arena_printf(r->arena, "device %lld %s", s->device_id,
		       platforms[s->platform]),
		   s->holder
		       ? arena_printf(r->arena,
			     "the phone is the active device of %s", s->holder)
		       : s->held) == DB_OK
	    ? 0
	    : -1;
}

/* Why a student's new device must wait for a teacher (s->held), if so. */
static int
hold_reason(struct http_req *r, struct signin *s)
{
	int rc;

	if (s->role != ROLE_STUDENT || s->platform == PLATFORM_WEB)
		return 0;
	rc = devshare_holder(r->db, r->arena, s->fp, s->email, &s->holder);
	if (rc == DB_OK)
		s->held = "shared_device";
	return rc == DB_OK || rc == DB_NOTFOUND ? 0 : -1;
}

/* Same phone, new app install: keep the row, take the new UUID. */
static int
reinstall(struct http_req *r, struct signin *s, long long id,
    const char *old_uuid)
{
	if (strcmp(old_uuid, s->uuid) == 0)
		return 0;
	if (db_exec(r->db,
		"UPDATE device SET device_uuid = ? "
		"WHERE device_id = ?",
		"sI", s->uuid, id) != DB_OK)
		return -1;
	return audit_write(r->db, s->email, "device.reinstall", s->email,
		   old_uuid, s->uuid,
		   arena_printf(r->arena, "device %lld", id)) == DB_OK
	    ? 0
	    : -1;
}

/*
 * Finds or creates the device row under the policy in the file comment.
 * The user's row is locked by the caller.
 */
static enum bind
bind_device(struct http_req *r, struct signin *s)
{
	struct db_rows d;
	int i, active = -1, same = -1;
	const char *approval;

	if (db_query(r->db, r->arena, &d,
		"SELECT device_id, device_uuid, fingerprint_hash, approval, "
		"active FROM device WHERE user_email = ? ORDER BY device_id "
		"FOR UPDATE",
		"s", s->email) != DB_OK)
		return BIND_ERR;
	for (i = 0; i < d.nrows; i++) {
		int is_active = db_get_int(&d, i, 4) &&
		    strcmp(db_get(&d, i, 3), "ACTIVE") == 0;

		if (strcmp(db_get(&d, i, 2), s->fp) != 0)
			continue;
		/* an active row of this fingerprint wins over older ones */
		if (same < 0 || is_active)
			same = i;
	}
	for (i = 0; i < d.nrows; i++)
		if (db_get_int(&d, i, 4) &&
		    strcmp(db_get(&d, i, 3), "ACTIVE") == 0)
			active = i;
	if (same >= 0 && db_get_int(&d, same, 4) &&
	    strcmp(db_get(&d, same, 3), "ACTIVE") == 0) {
		s->device_id = db_get_int(&d, same, 0);
		return reinstall(r, s, s->device_id, db_get(&d, same, 1)) < 0
		    ? BIND_ERR
		    : BIND_OK;
	}
	if (hold_reason(r, s) < 0)
		return BIND_ERR;
	if (token_role_is_staff(s->role) || (active < 0 && s->held == NULL)) {
		/* teachers: every device; students: the first one */
		if (same < 0 || token_role_is_staff(s->role))
			return insert_device(r, s, "ACTIVE") < 0 ? BIND_ERR
								 : BIND_OK;
		s->device_id = db_get_int(&d, same, 0);
		if (strcmp(db_get(&d, same, 3), "REJECTED") == 0)
			return BIND_REJECTED;
		/* no active phone left to protect: this one becomes it */
		if (db_exec(r->db,
			"UPDATE device SET approval = 'ACTIVE', "
			"active = TRUE, device_uuid = ? WHERE device_id = ?",
			"sI", s->uuid, s->device_id) != DB_OK ||
		    audit_write(r->db, s->email, "device.bind", s->email,
			db_get(&d, same, 3), "ACTIVE",
			arena_printf(r->arena, "device %lld", s->device_id)) !=
			DB_OK)
			return BIND_ERR;
		return BIND_OK;
	}
	/* A student's other phone, or a first one that must wait. */
	if (same < 0)
		return insert_device(r, s, "PENDING") < 0 ? BIND_ERR
							  : BIND_PENDING;
	s->device_id = db_get_int(&d, same, 0);
	approval = db_get(&d, same, 3);
	if (strcmp(approval, "REJECTED") == 0)
		return BIND_REJECTED;
	if (strcmp(approval, "PENDING") == 0)
		return BIND_PENDING; /* already asked: no second row */
	/* REPLACED: an old phone coming back needs approval again. */
	if (db_exec(r->db,
		"UPDATE device SET approval = 'PENDING', "
		"active = FALSE, device_uuid = ?, decided_by = NULL, "
		"decided_at = NULL WHERE device_id = ?",
		"sI", s->uuid, s->device_id) != DB_OK ||
	    audit_write(r->db, s->email,
		s->holder ? "device.shared" : "device.request", s->email,
		"REPLACED", "PENDING",
		arena_printf(r->arena, "device %lld", s->device_id)) != DB_OK)
		return BIND_ERR;
	return BIND_PENDING;
}

/* A new refresh token in family (NULL: a new family); its plain text. */
static char *
new_refresh(struct http_req *r, const char *email, enum role role,
    long long device_id, const char *family)
{
	char *tok = crypto_random_hex(32, r->arena), *hash;

	if (tok == NULL ||
	    (family == NULL &&
		(family = crypto_random_hex(16, r->arena)) == NULL))
		return NULL;
	hash = crypto_sha256_hex(tok, strlen(tok), r->arena);
	if (db_exec(r->db,
		"INSERT INTO refresh_token (token_hash, user_email, role, "
		"device_id, family, expires_at) VALUES (?, ?, ?, ?, ?, "
		"NOW() + INTERVAL ? SECOND)",
		"sssIsI", hash, email, token_role_name(role), device_id, family,
		(long long)r->cfg->refresh_ttl) != DB_OK)
		return NULL;
	return tok;
}

static char *
new_access(struct http_req *r, const char *email, enum role role,
    long long device_id, const char *jkt)
{
	struct auth a = { 0 };

	a.jkt = jkt;
	a.email = email;
	a.role = role;
	a.device_id = device_id;
	if ((a.jti = crypto_random_hex(16, r->arena)) == NULL)
		return NULL;
	return token_issue(r->cfg->jwt_secret, &a, r->cfg->access_ttl,
	    r->arena);
}

/* The user part of the reply: who signed in. */
static json_t *
user_json(struct http_req *r, struct signin *s)
{
	struct db_rows rows;
	json_t *u = json_pack("{s:s,s:s?,s:s}", "email", s->email, "name",
	    s->name, "role", token_role_name(s->role));

	if (s->role == ROLE_STUDENT &&
	    db_query_one(r->db, r->arena, &rows,
		"SELECT roll_no, class_id FROM student WHERE "
		"student_email = ?",
		"s", s->email) == DB_OK) {
		json_object_set_new(u, "roll_no",
		    json_string(db_get(&rows, 0, 0)));
		json_object_set_new(u, "class_id",
		    json_integer(db_get_int(&rows, 0, 1)));
	} else if (token_role_is_staff(s->role) &&
	    db_query_one(r->db, r->arena, &rows,
		"SELECT designation, department_id FROM teacher WHERE "
		"teacher_email = ?",
		"s", s->email) == DB_OK) {
		json_object_set_new(u, "designation",
		    json_string(db_get(&rows, 0, 0)));
		json_object_set_new(u, "department_id",
		    json_integer(db_get_int(&rows, 0, 1)));
	}
	return u;
}

/*
 * The steps of a sign-in.  Each returns 0 to go on, a status it has
 * answered, or -1 when the database failed (auth_google answers 503).  A
 * transaction a step leaves open is rolled back at the request's end.
 */

/*
 * The device key, when the request carries a DPoP proof: any valid proof
 * for this request (no token yet).  For WEB the key is the device's
 * identity: fingerprint = the thumbprint's bytes in hex, UUID = the first
 * 16 of them shaped as a v4 UUID.
 */
static int
signin_key(struct http_req *r, struct signin *s)
{
	struct dpop_proof p;
	unsigned char *raw;
	size_t n;
	char *fp, *u;
	int rc;

	if (!dpopcheck_present(r))
		return 0;
	if ((rc = dpopcheck_request(r, 0, NULL, NULL, &p)) != 0)
		return rc;
	s->jkt = p.jkt;
	s->jwk = p.jwk;
	if (s->platform != PLATFORM_WEB)
		return 0;
	if ((raw = crypto_b64url_decode(p.jkt, &n, r->arena)) == NULL ||
	    n != 32 || (fp = arena_alloc(r->arena, 65)) == NULL)
		return -1;
	for (size_t i = 0; i < 32; i++)
		snprintf(fp + 2 * i, 3, "%02x", raw[i]);
	u = arena_printf(r->arena, "%.8s-%.4s-4%.3s-%c%.3s-%.12s", fp, fp + 8,
	    fp + 13, "89ab"[raw[8] & 3], fp + 17, fp + 20);
	if (u == NULL)
		return -1;
	s->fp = fp;
	s->uuid = u;
	return 0;
}

/* The body, the Google ID token, the registered user and the platform. */
static int
signin_verify(struct http_req *r, struct signin *s)
{
	struct idtoken_id id;
	int rc;

	if ((rc = rate(r, "signin")) != 0 || (rc = read_body(r, s)) != 0 ||
	    (rc = signin_key(r, s)) != 0)
		return rc;
	rc = idtoken_verify(r->cfg, s->id_token, (long long)time(NULL), &id,
	    r->arena);
	if (rc == IDTOKEN_KEYS)
		return http_reply_error(r, 503, "google_keys_unavailable",
		    "sign-in is unavailable; try again shortly");
	if (rc != IDTOKEN_OK) {
		log_warn("signin refused: %s", idtoken_reason(rc));
		return http_reply_error(r, 401, "invalid_id_token", "%s",
		    idtoken_reason(rc));
	}
	if ((rc = find_user(r, s, id.email)) != 0 ||
	    (rc = check_platform(r, s)) != 0)
		return rc;
	return 0;
}

/* Opens the transaction and locks the user: this user's sign-ins queue. */
static int
signin_lock(struct http_req *r, struct signin *s)
{
	struct db_rows rows;

	if (db_begin(r->db) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	/* re-read blocked under the lock */
	if (db_query_one(r->db, r->arena, &rows,
		s->role == ROLE_STUDENT ? "SELECT blocked FROM student WHERE "
					  "student_email = ? FOR UPDATE"
					: "SELECT blocked FROM teacher WHERE "
					  "teacher_email = ? FOR UPDATE",
		"s", s->email) != DB_OK)
		return -1;
	if (db_get_int(&rows, 0, 0))
		return http_reply_error(r, 403, "account_blocked",
		    "the account is blocked; ask an administrator");
	return 0;
}

/* The integrity verdict, when one came: its nonce, its level. */
static int
signin_integrity(struct http_req *r, struct signin *s)
{
	int rc, min;

	if (s->integrity_token == NULL)
		return 0;
	if ((rc = use_nonce(r, s->verdict.nonce)) == -2)
		return -1;
	if (rc < 0)
		return http_reply_error(r, 403, "integrity_nonce",
		    "the integrity challenge is unknown, used or "
		    "expired; get a new one");
	if (s->level == INTEGRITY_FAIL) {
		if (block_for_integrity(r, s) < 0 || db_commit(r->db) != DB_OK)
			return -1;
		log_warn("signin %s: integrity FAIL; account blocked",
		    s->email);
		return http_reply_error(r, 403, "account_blocked",
		    "the device failed the integrity check; the "
		    "account is blocked");
	}
	/* config.c admits only STRONG, DEVICE and BASIC */
	min = integrity_label_parse(r->cfg->integrity_min_level);
	if ((int)s->verdict.label <
	    (min < INTEGRITY_LABEL_BASIC ? INTEGRITY_LABEL_DEVICE : min)) {
		if (db_commit(r->db) != DB_OK) /* the nonce is spent */
			return -1;
		return http_reply_error(r, 403, "integrity_too_low",
		    "the device's integrity level is below policy");
	}
	return 0;
}

/* The device: the account's active one, or one awaiting a teacher. */
static int
signin_bind(struct http_req *r, struct signin *s)
{
	enum bind b = bind_device(r, s);

	if (b == BIND_OK)
		return 0;
	if (b == BIND_ERR || db_commit(r->db) != DB_OK)
		return -1;
	if (b == BIND_REJECTED)
		return http_reply_error(r, 403, "device_rejected",
		    "this device was rejected for the account");
	return http_reply_error(r, 403, "device_pending_approval",
	    "this %s (id %lld); a teacher of your class must approve it",
	    s->holder ? "phone is another student's device" : "is a new device",
	    s->device_id);
}

/* Records the device's state, issues the tokens, commits, answers. */
static int
signin_issue(struct http_req *r, struct signin *s)
{
	char *access, *refresh;

	if (db_exec(r->db,
		"UPDATE device SET integrity_level = ?, integrity_verdict = ?, "
		"platform = ?, dpop_jkt = ?, dpop_jwk = ?, "
		"last_seen_at = NOW(3) WHERE device_id = ?",
		"sssssI", integrity_level_name(s->level), s->verdict_label,
		platforms[s->platform], s->jkt, s->jwk,
		s->device_id) != DB_OK ||
	    (s->push_token &&
		pushtoken_store(r->db, s->device_id, s->push_token) != DB_OK) ||
	    (access = new_access(r, s->email, s->role, s->device_id, s->jkt)) ==
		NULL ||
	    (refresh = new_refresh(r, s->email, s->role, s->device_id, NULL)) ==
		NULL ||
	    db_commit(r->db) != DB_OK)
		return -1;
	log_info("signin %s (%s) device %lld %s", s->email,
	    token_role_name(s->role), s->device_id, platforms[s->platform]);
	return http_reply_json(r, 200,
	    json_pack("{s:s,s:s,s:I,s:s,s:s,s:{s:I,s:s,s:s,s:s,s:s?},s:o}",
		"access_token", access, "refresh_token", refresh, "expires_in",
		(json_int_t)r->cfg->access_ttl, "token_type", "Bearer", "role",
		token_role_name(s->role), "device", "device_id",
		(json_int_t)s->device_id, "status", "ACTIVE", "platform",
		platforms[s->platform], "integrity_level",
		integrity_level_name(s->level), "integrity_verdict",
		s->verdict_label, "user", user_json(r, s)));
}

/* POST /auth/google {id_token, device: {...}, integrity_token?, ...} */
int
auth_google(struct http_req *r)
{
	struct signin s = { 0 };
	int status;

	if ((status = signin_verify(r, &s)) != 0 ||
	    (status = signin_lock(r, &s)) != 0 ||
	    (status = signin_integrity(r, &s)) != 0 ||
	    (status = signin_bind(r, &s)) != 0)
		goto out;
	status = signin_issue(r, &s);
out:
	if (status < 0)
		status = http_reply_error(r, 503, "db_unavailable",
		    "sign-in could not be completed; try again");
	return status;
}

int
auth_challenge(struct http_req *r)
{
	unsigned char raw[32];
	char *nonce;
	int rc;

	if ((rc = rate(r, "challenge")) != 0)
		return rc;
	/* base64url without padding: what Play Integrity wants (16-500) */
	if (crypto_random(raw, sizeof(raw)) < 0 ||
	    (nonce = crypto_b64url(raw, sizeof(raw), r->arena)) == NULL)
		return 500;
	/* housekeeping: old nonces are useless */
	db_exec(r->db,
	    "DELETE FROM auth_challenge WHERE expires_at < "
	    "NOW() - INTERVAL 1 HOUR LIMIT 100",
	    "");
	if (db_exec(r->db,
		"INSERT INTO auth_challenge (nonce, expires_at) "
		"VALUES (?, NOW() + INTERVAL ? SECOND)",
		"sI", nonce, (long long)r->cfg->challenge_ttl) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	return http_reply_json(r, 200,
	    json_pack("{s:s,s:I}", "nonce", nonce, "expires_in",
		(json_int_t)r->cfg->challenge_ttl));
}

/* A refresh token's row, locked for its rotation. */
struct refresh {
	const char *hash, *email, *family;
	const char *jkt; /* the device's key, when it has one */
	enum role role;
	long long dev;
};

/*
 * Finds and locks the token in a new transaction; 0 when it may be
 * rotated, else a status answered (or -1: the database failed).  A
 * rotated token that comes back revokes its whole family.
 */
static int
refresh_find(struct http_req *r, struct refresh *t)
{
	struct db_rows rows;
	int rc;

	if (db_begin(r->db) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	rc = db_query_one(r->db, r->arena, &rows,
	    "SELECT user_email, role, device_id, family, "
	    "expires_at > NOW(), used_at IS NOT NULL, revoked_at IS NOT NULL, "
	    "(SELECT dpop_jkt FROM device d WHERE d.device_id = "
	    "refresh_token.device_id) "
	    "FROM refresh_token WHERE token_hash = ? FOR UPDATE",
	    "s", t->hash);
	if (rc == DB_NOTFOUND || (rc == DB_OK && db_get_int(&rows, 0, 6)))
		return http_reply_error(r, 401, "invalid_refresh_token",
		    "the refresh token is not valid; sign in again");
	if (rc != DB_OK)
		return -1;
	t->email = db_get(&rows, 0, 0);
	t->role = token_role_from_name(db_get(&rows, 0, 1));
	t->dev = db_get_int(&rows, 0, 2);
	t->family = db_get(&rows, 0, 3);
	t->jkt = db_get(&rows, 0, 7);
	if (t->jkt && *t->jkt == '\0')
		t->jkt = NULL;
	if (db_get_int(&rows, 0, 5)) {
		/* A rotated token came back: someone holds a copy. */
		if (db_exec(r->db,
			"UPDATE refresh_token SET revoked_at = "
			"NOW(3) WHERE family = ? AND revoked_at IS NULL",
			"s", t->family) != DB_OK ||
		    audit_write(r->db, "system", "refresh.reuse", t->email,
			NULL, "revoked",
			arena_printf(r->arena, "device %lld", t->dev)) !=
			DB_OK ||
		    db_commit(r->db) != DB_OK)
			return -1;
		log_warn("refresh token reuse for %s device %lld; family "
			 "revoked",
		    t->email, t->dev);
		return http_reply_error(r, 401, "refresh_token_reused",
		    "the refresh token was already used; sign in again");
	}
	if (!db_get_int(&rows, 0, 4))
		return http_reply_error(r, 401, "refresh_token_expired",
		    "the refresh token has expired; sign in again");
	return 0;
}

/* Marks the token used, issues its successor and an access token. */
static int
refresh_rotate(struct http_req *r, const struct refresh *t)
{
	char *access, *next;

	if (db_exec(r->db,
		"UPDATE refresh_token SET used_at = NOW(3) "
		"WHERE token_hash = ?",
		"s", t->hash) != DB_OK ||
	    (next = new_refresh(r, t->email, t->role, t->dev, t->family)) ==
		NULL ||
	    (access = new_access(r, t->email, t->role, t->dev, t->jkt)) ==
		NULL ||
	    db_exec(r->db,
		"UPDATE device SET last_seen_at = NOW(3) "
		"WHERE device_id = ?",
		"I", t->dev) != DB_OK ||
	    db_commit(r->db) != DB_OK)
		return -1;
	return http_reply_json(r, 200,
	    json_pack("{s:s,s:s,s:I,s:s,s:s}", "access_token", access,
		"refresh_token", next, "expires_in",
		(json_int_t)r->cfg->access_ttl, "token_type", "Bearer", "role",
		token_role_name(t->role)));
}

/* POST /auth/refresh {refresh_token} */
int
auth_refresh(struct http_req *r)
{
	struct refresh t = { 0 };
	struct dpop_proof p;
	const char *tok = NULL;
	char err[256];
	int status;

	if ((status = rate(r, "refresh")) != 0)
		goto out;
	if (jsonio_string(r->json, "refresh_token", JSONH_REQUIRED, 128, &tok,
		err, sizeof(err)) < 0) {
		status = http_reply_error(r, 400, "bad_request", "%s", err);
		goto out;
	}
	t.hash = crypto_sha256_hex(tok, strlen(tok), r->arena);
	if ((status = refresh_find(r, &t)) != 0)
		goto out;
	/* a key-bound device refreshes only with a proof of its key */
	if (t.jkt && (status = dpopcheck_request(r, 0, NULL, t.jkt, &p)) != 0)
		goto out;
	/* the same device/account checks as every authenticated call */
	r->auth.email = t.email;
	r->auth.role = t.role;
	r->auth.device_id = t.dev;
	if ((status = guard_session(r)) != 0)
		goto out;
	status = refresh_rotate(r, &t);
out:
	if (status < 0)
		status = http_reply_error(r, 503, "db_unavailable",
		    "the token could not be refreshed; try again");
	return status;
}

int
auth_logout(struct http_req *r)
{
	if (db_exec(r->db,
		"UPDATE refresh_token SET revoked_at = NOW(3) "
		"WHERE device_id = ? AND user_email = ? AND revoked_at IS NULL",
		"Is", (long long)r->auth.device_id, r->auth.email) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	return http_reply_json(r, 200,
	    json_pack("{s:b,s:I}", "signed_out", 1, "revoked",
		(json_int_t)db_affected(r->db)));
}
