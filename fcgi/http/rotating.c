/*
 * rotating.c - owns the workers' side of rotating codes: reading a
 * class's policy when a window opens, keeping the window's own copy (a
 * policy change applies from the next window, never half-way), and
 * telling the teacher's screen the code of the moment.  The codes
 * themselves are rotation.c's; the submit path checks them (submit.c).
 */
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "rotating.h"
#include "rotation.h"

int
rotating_open(struct http_req *r, long long class_id, long long ttl,
    struct rotating *rot, char otp[5])
{
	struct db_rows c;
	char err[256];
	const char *code;

	memset(rot, 0, sizeof(*rot));
	if (db_query_one(r->db, r->arena, &c,
		"SELECT rotate_every, rotate_overlap FROM class "
		"WHERE class_id = ?",
		"I", class_id) != DB_OK)
		return 503;
	rot->every = (long)db_get_int(&c, 0, 0);
	rot->overlap = (long)db_get_int(&c, 0, 1);
	if (rot->every == 0)
		return 0;
	/* checked when set against the class's window length; this window's
	 * (the teacher's choice, or OTP_TTL changed since) may differ */
	if (rotation_check(rot->every, rot->overlap, (long)ttl, err,
		sizeof(err)) < 0) {
		log_warn("class %lld: rotation not applied: %s", class_id, err);
		rot->every = rot->overlap = 0;
		return 0;
	}
	if ((rot->secret = crypto_random_hex(16, r->arena)) == NULL ||
	    (code = rotation_code(rot->secret, 0, r->arena)) == NULL)
		return 500;
	memcpy(otp, code, 5);
	return 0;
}

int
rotating_store(struct http_req *r, long long window_id,
    const struct rotating *rot)
{
	if (rot->secret == NULL)
		return 0;
	return db_exec(r->db,
		   "UPDATE attendance_window SET rotate_every = ?, "
		   "rotate_overlap = ?, otp_secret = ? WHERE window_id = ?",
		   "IIsI", (long long)rot->every, (long long)rot->overlap,
		   rot->secret, window_id) == DB_OK
	    ? 0
	    : 503;
}

const char *
rotating_now(struct http_req *r, long long window_id, long *every,
    long long *next_ms)
{
	struct db_rows w;
	long long elapsed, every_ms;

	*every = 0;
	*next_ms = 0;
	if (db_query_one(r->db, r->arena, &w,
		"SELECT otp_secret, rotate_every, "
		"TIMESTAMPDIFF(MICROSECOND, opened_at, NOW(3)) DIV 1000 "
		"FROM attendance_window WHERE window_id = ? AND "
		"otp_secret IS NOT NULL AND rotate_every > 0",
		"I", window_id) != DB_OK)
		return NULL;
	*every = (long)db_get_int(&w, 0, 1);
	elapsed = db_get_int(&w, 0, 2);
	every_ms = (long long)*every * 1000;
	if (elapsed < 0)
		elapsed = 0;
	*next_ms = every_ms - elapsed % every_ms;
	return rotation_code(db_get(&w, 0, 0), elapsed / every_ms, r->arena);
}

void
rotating_mark_slow(struct http_req *r, long long window_id, json_t *students)
{
	size_t i, n = 0, total = json_array_size(students);
	long long *d, line;
	struct db_rows c;
	json_t *x, *v;

	/* the window's copy of the margin, as finalisation uses: a change
	 * of the class's policy mid-window applies from the next one */
	if (total == 0 || window_id == 0 ||
	    db_query_one(r->db, r->arena, &c,
		"SELECT COALESCE(slow_margin_ms, 5000) FROM attendance_window "
		"WHERE window_id = ?",
		"I", window_id) != DB_OK ||
	    (d = arena_alloc(r->arena, total * sizeof(*d))) == NULL)
		return;
	json_array_foreach(students, i,
	    x) if ((v = json_object_get(x, "delay_ms")) != NULL) d[n++] =
	    json_integer_value(v);
	line = rotation_slow_threshold(d, n, 90, db_get_int(&c, 0, 0),
	    ROTATING_SLOW_MIN);
	if (line < 0)
		return;
	json_array_foreach(students, i,
	    x) if ((v = json_object_get(x, "delay_ms")) != NULL &&
	    json_integer_value(v) > line)
	    json_object_set_new(x, "slow", json_true());
}
