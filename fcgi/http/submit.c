/*
 * submit.c - a student's code: the rules that turn it into P or R or a
 * refusal, and the group commit that lets the students of a class who
 * submit together share the database's round trips.
 *
 * One read gathers everything a decision needs (window, class policy,
 * enrolment, current mark, tries, focus-loss evidence, the device, the
 * account and the student's submit count) and verdict_decide (verdict.c)
 * applies the rules; both paths below use them.
 *
 * Fast path, the common case: a right code, first time, in an open window,
 * from a student within the limit.  Submits that reach a worker process
 * together are combined: the first becomes the leader, reads the inputs of
 * every waiting submit in one statement (JSON_TABLE) and inserts all their
 * marks with one more, which commits on its own (the queue and the
 * leadership are batch.c's; the batch's work is here).  That is the whole
 * critical path, two round trips; each submit is answered only after the
 * commit that holds its mark.  The leader tells the teachers once its own
 * submit is answered, while the next leader is already reading, with one
 * message a teacher for the whole batch.  The
 * queue holds only submits waiting for their answer (workers keep nothing
 * between requests).
 *
 * Single path, everything else (a wrong code, a closed window, a refusal,
 * a resubmit, a student at the limit, or a mark the batch could not
 * insert): one transaction that counts the try against the student's
 * limit, whose row lock orders that student's submits, and writes the
 * attempt or the mark.  The limit bounds what a student can repeat: every
 * submit but the one that marks them counts, and a student at the limit
 * is refused even with the right code.  The marking submit happens once
 * per student and round, so counting it would bound nothing; leaving it
 * out keeps the counter's write off the class's burst.  Guessing is
 * bounded here: every wrong code is counted per student and capped at two
 * per round, and nginx limits each address.
 *
 * Every write re-checks the window under a shared lock on its row, and
 * finalising locks that row for update first, so a finalisation either
 * waits for a mark or the mark sees the window closed: never a P after
 * the absentees were counted.  The database clock (NOW(3)) is the only
 * clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "geofence.h"
#include "guard.h"
#include "ratelimit.h"
#include "jsonio.h"
#include "log.h"
#include "passkey.h"
#include "pubsub.h"
#include "rotation.h"
#include "stats.h"
#include "submit.h"
#include "testhook.h"
#include "verdict.h"
#include "window.h"

/* A batch is bounded by the threads of a process; this bounds the SQL. */
#define BATCH_MAX 64

/* The per-student submit counter (guard.c), a minute wide. */
#define RATE_PREFIX "submit:"
#define RATE_WINDOW 60

/* One submit: its input, what the read found, and how it ended. */
struct sub {
	struct batch_item item; /* first: the queue's view of it */
	const char *email, *otp, *addr;
	long long device_id, session_id;
	struct arena *arena; /* the submitter's, for the strings below */

	int found, open, enrolled, flag_focus, online, allowed;
	long long window_id, wrong, evidence, spent; /* spent: counted hits */
	long long delay_ms;      /* since the code typed was first shown */
	long long student_no;    /* written with the mark (migration 025) */
	struct geofence_pos pos; /* sent with the student's consent */
	enum geofence_mark geo;  /* what the position earns (window policy) */
	long distance_m;         /* from the classroom's centre, -1: none */
	const char *code, *cidrs, *teacher, *cur, *source, *roll, *name;

	int written; /* the batch committed its mark */
	/* class policy require_uv: msg.uv must verify (passkey.c) */
	int require_uv, uv_ok;
	json_t *uv;
};

static const char read_sql[] =
    "SELECT STRAIGHT_JOIN j.k, w.window_id, w.otp, (" WINDOW_OPEN "), "
    "COALESCE(se.taken_by, sj.teacher_email), "
    "COALESCE(w.flag_on_focus_loss, c.flag_on_focus_loss), "
    "COALESCE(w.allowed_cidrs, c.allowed_cidrs), se.online, "
    "st.class_id = sj.class_id AND (st.joined_on IS NULL OR "
    "st.joined_on <= se.date), at.status, at.source, COALESCE(aa.wrong, 0), "
    "COALESCE(aa.evidence, 0), "
    "st.roll_no, st.name, "
    "COALESCE(d.active, 0) AND st.verified AND NOT st.blocked, "
    "IF(rl.window_start = FROM_UNIXTIME(?), rl.hits, 0), "
    "w.otp_secret, w.rotate_every, w.rotate_overlap, "
    "TIMESTAMPDIFF(MICROSECOND, w.opened_at, NOW(3)) DIV 1000, "
    "COALESCE(w.require_uv, c.require_uv), "
    "w.geofence_lat, w.geofence_lon, COALESCE(w.geofence_radius, 0), "
    "w.geofence_accuracy, w.geofence_missing, st.student_no "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (k INT PATH '$[0]', "
    "  email VARCHAR(190) PATH '$[1]', sid INT UNSIGNED PATH '$[2]', "
    "  dev BIGINT UNSIGNED PATH '$[3]')) j "
    "JOIN student st ON st.student_email = j.email "
    "JOIN session se ON se.session_id = j.sid "
    "JOIN attendance_window w ON w.window_id = se.window_id "
    "JOIN period p ON p.period_id = se.period_id "
    /* by key even when the table is tiny: no join buffer per call */
    "JOIN subject sj FORCE INDEX (PRIMARY) ON sj.subject_id = p.subject_id "
    "JOIN class c FORCE INDEX (PRIMARY) ON c.class_id = sj.class_id "
    "LEFT JOIN device d ON d.device_id = j.dev AND "
    "  d.user_email = st.student_email "
    "LEFT JOIN attendance at ON at.session_id = w.session_id AND "
    "  at.student_email = st.student_email "
    "LEFT JOIN attendance_attempt aa ON aa.window_id = w.window_id AND "
    "  aa.student_email = st.student_email "
    "LEFT JOIN rate_limit rl ON rl.rl_key = "
    "  CONCAT('" RATE_PREFIX "', st.student_email)";

static struct batch_queue queue = BATCH_QUEUE_INIT(queue);

static const char *
mark_of(const struct sub *s)
{
	return (s->flag_focus && s->evidence > 0) || s->geo == GEOFENCE_MARK_R
	    ? "R"
	    : "P";
}

/* One submit as a JSON_TABLE row: what read_sql's and the insert's want. */
static json_t *
read_row(int i, const struct sub *s)
{
	return json_pack("[i,s,I,I]", i, s->email, (json_int_t)s->session_id,
	    (json_int_t)s->device_id);
}

static json_t *
write_row(int i, const struct sub *s)
{
	(void)i;
	return json_pack("[s,I,s,I,o,I]", s->email, (json_int_t)s->window_id,
	    mark_of(s), (json_int_t)s->delay_ms,
	    s->distance_m >= 0 ? json_integer(s->distance_m) : json_null(),
	    (json_int_t)s->student_no);
}

/*
 * The JSON array a JSON_TABLE statement reads n submits from, one row()
 * each; malloc'd, NULL on OOM.
 */
static char *
table_json(struct sub **subs, int n, json_t *(*row)(int, const struct sub *))
{
	json_t *arr = json_array();
	char *js;
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, row(i, subs[i]));
	js = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return js;
}

/*
 * The code a submit to a rotating window is held to (read_sql's columns
 * 17-20: secret, period, overlap, ms since the window opened): the one
 * the student typed when it is the current slot's or, within the
 * overlap, the previous one's, with *delay_ms counted from when that
 * code was first shown; else the current slot's code (a wrong code).
 */
static const char *
submit_rotating_code(const struct db_rows *rows, int i, const char *typed,
    long long *delay_ms, struct arena *a)
{
	const char *secret = db_get(rows, i, 17);
	long every = (long)db_get_int(rows, i, 18);
	long long slot, elapsed = db_get_int(rows, i, 20);

	if (every <= 0 || elapsed < 0)
		return arena_strdup(a, db_get(rows, i, 2));
	if (rotation_accept(secret, every, (long)db_get_int(rows, i, 19),
		elapsed, typed, &slot, delay_ms, a))
		return arena_strdup(a, typed);
	return rotation_code(secret, elapsed / (every * 1000LL), a);
}

/*
 * What the submit's position earns under its window's geofence (read_sql's
 * columns 22-26: centre, radius (0: none), accuracy, missing policy; the
 * window's copy, so a change applies from the next window).
 */
static void
submit_geofence(const struct db_rows *rows, int i, struct sub *s)
{
	struct geofence g = { 0 };

	s->distance_m = -1;
	g.radius_m = (long)db_get_int(rows, i, 24);
	if (g.radius_m > 0) {
		g.lat = strtod(db_get(rows, i, 22), NULL);
		g.lon = strtod(db_get(rows, i, 23), NULL);
		g.accuracy_m = (long)db_get_int(rows, i, 25);
		g.missing = geofence_missing_of(db_get(rows, i, 26));
	}
	s->geo = geofence_mark(&g, &s->pos, &s->distance_m);
}

/*
 * Copies row i of the read into s, its strings into its owner's arena (a
 * leader fills the submits of parked threads: see arena.h).
 */
static int
take_row(const struct db_rows *rows, int i, struct sub *s)
{
	struct arena *sa = s->arena;

	s->found = 1;
	s->window_id = db_get_int(rows, i, 1);
	s->code = arena_strdup(sa, db_get(rows, i, 2));
	s->open = (int)db_get_int(rows, i, 3);
	s->teacher = arena_strdup(sa, db_get(rows, i, 4));
	s->flag_focus = (int)db_get_int(rows, i, 5);
	s->cidrs = arena_strdup(sa, db_get(rows, i, 6));
	s->online = (int)db_get_int(rows, i, 7);
	s->enrolled = (int)db_get_int(rows, i, 8);
	s->cur =
	    db_get(rows, i, 9) ? arena_strdup(sa, db_get(rows, i, 9)) : NULL;
	s->source = s->cur ? arena_strdup(sa, db_get(rows, i, 10)) : NULL;
	s->wrong = db_get_int(rows, i, 11);
	s->evidence = db_get_int(rows, i, 12);
	s->roll = arena_strdup(sa, db_get(rows, i, 13));
	s->name = arena_strdup(sa, db_get(rows, i, 14));
	s->allowed = (int)db_get_int(rows, i, 15);
	s->spent = db_get_int(rows, i, 16);
	s->delay_ms = db_get_int(rows, i, 20) > 0 ? db_get_int(rows, i, 20) : 0;
	s->require_uv = db_get_int(rows, i, 21) != 0;
	s->student_no = db_get_int(rows, i, 27);
	/* a rotating window: the code the student may type now */
	if (db_get(rows, i, 17) != NULL && s->code != NULL &&
	    (s->code = submit_rotating_code(rows, i, s->otp, &s->delay_ms,
		 sa)) == NULL)
		return DB_ERR;
	submit_geofence(rows, i, s);
	if (s->code == NULL || s->teacher == NULL || s->cidrs == NULL ||
	    s->roll == NULL || s->name == NULL || (s->cur && s->source == NULL))
		return DB_ERR;
	return DB_OK;
}

/*
 * Reads the decision inputs of n submits in one statement.  Nothing is
 * locked: the writes re-check what can change under them.
 */
static int
read_inputs(struct http_req *r, struct sub **subs, int n)
{
	struct db_rows rows;
	char *js = table_json(subs, n, read_row);
	int i, k, rc;

	if (js == NULL)
		return DB_ERR;
	rc = db_query(r->db, r->arena, &rows, read_sql, "Is",
	    ratelimit_window_start((long long)time(NULL), RATE_WINDOW), js);
	free(js);
	for (i = 0; rc == DB_OK && i < rows.nrows; i++) {
		k = (int)db_get_int(&rows, i, 0);
		if (k >= 0 && k < n && !subs[k]->found)
			rc = take_row(&rows, i, subs[k]);
	}
	return rc;
}

/* The rules (verdict.c) applied to what the read found. */
static enum verdict
decide(const struct sub *s)
{
	struct verdict_in in = { .found = s->found,
		.enrolled = s->enrolled,
		.cur = s->cur,
		.source = s->source,
		.open = s->open,
		.cidrs = s->cidrs,
		.online = s->online,
		.addr = s->addr,
		.wrong = s->wrong,
		.code = s->code,
		.otp = s->otp };

	return verdict_decide(&in);
}

/*
 * Inserts the marks of n accepted submits of students not yet marked, in
 * one statement; the window is re-checked under a shared lock.  The
 * marks are not counted in the tallies yet (tallied NULL: the window's
 * end counts them, schema/025_tally_at_finalise.sql) and carry their
 * student's number, so the insert trigger looks nothing up.  Sets
 * ->written on each submit whose mark went in.  A submit whose window has
 * just ended, or whose mark raced in from elsewhere, is left unwritten
 * (IGNORE: the row is skipped, nothing else is touched).
 */
static int
write_fresh(struct http_req *r, struct sub **subs, int n)
{
	struct db_rows rows;
	char *js = table_json(subs, n, write_row);
	int i, k, rc;

	if (js == NULL)
		return DB_ERR;
	rc = db_query(r->db, r->arena, &rows,
	    "INSERT IGNORE INTO attendance (session_id, student_email, status, "
	    "source, delay_ms, geo_distance_m, student_no, tallied) "
	    "SELECT w.session_id, j.email, j.st, 'OTP', j.delay, j.dist, "
	    "j.sno, NULL FROM JSON_TABLE(?, '$[*]' COLUMNS "
	    "(email VARCHAR(190) PATH '$[0]', wid BIGINT UNSIGNED PATH '$[1]', "
	    "st CHAR(1) PATH '$[2]', delay INT UNSIGNED PATH '$[3]', "
	    "dist INT UNSIGNED PATH '$[4]', sno INT UNSIGNED PATH '$[5]')) j "
	    "JOIN attendance_window w ON w.window_id = j.wid WHERE " WINDOW_OPEN
	    " LOCK IN SHARE MODE RETURNING session_id, student_email",
	    "s", js);
	free(js);
	if (rc != DB_OK)
		return rc;
	for (k = 0; k < rows.nrows; k++)
		for (i = 0; i < n; i++)
			if (!subs[i]->written &&
			    subs[i]->session_id == db_get_int(&rows, k, 0) &&
			    strcmp(subs[i]->email, db_get(&rows, k, 1)) == 0) {
				subs[i]->written = 1;
				break;
			}
	return DB_OK;
}

/*
 * A new round for a student the last one marked absent: the A becomes the
 * mark, if the window is still open and the A is still the one the read
 * saw (a teacher's mark by hand since then stays: the re-read answers
 * it).  0 when it did, 1 when not, -1 on error.  The assignments run in
 * order, so source changes before status and the condition holds for both.
 */
#define RETAKE_OK "IF(status = 'A' AND source <> 'MANUAL', "
static int
write_retake(struct db *db, const struct sub *s)
{
	if (db_exec(db,
		"INSERT INTO attendance (session_id, student_email, status, "
		"source, delay_ms, geo_distance_m) SELECT session_id, ?, ?, "
		"'OTP', ?, NULLIF(?, -1) FROM "
		"attendance_window WHERE window_id = ? AND " WINDOW_OPEN
		" LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE "
		"marked_at = " RETAKE_OK "NOW(3), marked_at), "
		"delay_ms = " RETAKE_OK "VALUES(delay_ms), delay_ms), "
		"geo_distance_m = " RETAKE_OK "VALUES(geo_distance_m), "
		"geo_distance_m), "
		"source = " RETAKE_OK "'OTP', source), "
		"status = " RETAKE_OK "VALUES(status), status)",
		"ssIII", s->email, mark_of(s), s->delay_ms,
		(long long)s->distance_m, s->window_id) != DB_OK)
		return -1;
	return db_affected(db) == 2 ? 0 : 1; /* ODKU counts an update 2 */
}

static json_t *
submission_event(const struct sub *s, const char *status, long long attempt)
{
	json_t *ev = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I}", "session_id",
	    (json_int_t)s->session_id, "student_email", s->email, "roll_no",
	    s->roll, "name", s->name, "status", status, "attempt",
	    (json_int_t)attempt, "at", (json_int_t)clock_wall_ms());

	/* the geofence's evidence for the teacher */
	if (ev && s->distance_m >= 0)
		json_object_set_new(ev, "geo_distance_m",
		    json_integer(s->distance_m));
	return ev;
}

/*
 * What a leader still owes after its batch's submitters are answered: the
 * teachers' events.  Built while the submits are still there to read
 * (their strings live in their owners' arenas); json_pack copies them.
 */
struct followup {
	int n;
	const char *channels[BATCH_MAX], *types[BATCH_MAX];
	json_t *events[BATCH_MAX];
};

static void
followup_build(struct http_req *r, struct sub **subs, int n, struct followup *f)
{
	const char *teacher = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!subs[i]->written)
			continue;
		/* a batch is mostly one class: one channel name, hashed once */
		f->channels[f->n] =
		    f->n > 0 && strcmp(subs[i]->teacher, teacher) == 0
		    ? f->channels[f->n - 1]
		    : pubsub_user_channel(r->cfg, subs[i]->teacher, r->arena);
		teacher = subs[i]->teacher;
		f->types[f->n] = "attendance.submission";
		f->events[f->n++] = submission_event(subs[i], mark_of(subs[i]),
		    subs[i]->wrong + 1);
	}
}

/*
 * Tells the teachers: one message a teacher, however many of the batch's
 * submits are theirs (a message is what a publish costs, above all with
 * nchan on Redis: schema/websocket.md, attendance.submissions), all in
 * one pipelined write.
 */
static void
followup_send(struct http_req *r, struct followup *f)
{
	if (f->n == 0)
		return;
	pubsub_publish_grouped(r->cfg, f->n, f->channels, f->types, f->events,
	    "attendance.submissions");
}

static void
followup_after(struct http_req *r, void *f)
{
	followup_send(r, f);
}

/*
 * Sends the follow-up once the leader's own submit is answered (main.c
 * runs r->after right after the reply): the leader's student waits for
 * nginx to take the events no longer than any other member of the batch.
 */
static void
followup_defer(struct http_req *r, struct followup *f)
{
	struct followup *copy;

	if (f->n == 0)
		return;
	if (r->after != NULL ||
	    (copy = arena_alloc(r->arena, sizeof(*copy))) == NULL) {
		followup_send(r, f);
		return;
	}
	*copy = *f;
	r->after = followup_after;
	r->after_arg = copy;
}

/* What the fast path may write at once: everything else goes the long way. */
static int
fast_path(const struct http_req *r, const struct sub *s)
{
	/* a resubmit or a retake is counted on the single path, and a
	 * student at the limit is refused there; !allowed: the account or
	 * device check fails, and the single path says why; a class that
	 * requires the screen lock: its assertion is checked and used up
	 * there, in the transaction that writes the mark */
	return s->found && s->allowed && !s->cur && !s->require_uv &&
	    s->spent < r->cfg->submit_rate && decide(s) == V_ACCEPT &&
	    s->geo != GEOFENCE_MARK_REFUSE;
}

/* The leader's request and what it owes once its batch is done. */
struct leader {
	struct http_req *r;
	struct followup f;
};

/*
 * The leader's work for a batch, on its own connection: one read, then
 * one insert of the marks of every submit the rules accept outright (it
 * commits on its own).  What is not written here is left for each
 * submitter's single path (s->written stays 0).
 */
static void
run_batch(struct batch_item *batch, void *arg)
{
	struct leader *l = arg;
	struct sub *subs[BATCH_MAX], *acc[BATCH_MAX], *s;
	struct batch_item *it;
	int n = 0, nacc = 0, i, j;

	l->f.n = 0;
	for (it = batch; it && n < BATCH_MAX; it = it->next)
		subs[n++] = (struct sub *)it;
	stats_batch((unsigned)n);
	if (read_inputs(l->r, subs, n) != DB_OK)
		return;
	for (i = 0; i < n; i++) {
		if (!fast_path(l->r, s = subs[i]))
			continue;
		/* a double tap in one batch: the second goes the long way */
		for (j = 0; j < nacc; j++)
			if (acc[j]->session_id == s->session_id &&
			    strcmp(acc[j]->email, s->email) == 0)
				break;
		if (j == nacc)
			acc[nacc++] = s;
	}
	if (nacc > 0 && write_fresh(l->r, acc, nacc) == DB_OK)
		followup_build(l->r, acc, nacc, &l->f);
}

/*
 * The leader's follow-up: after its own reply when its submit was in the
 * batch, else now (the batch's submits are answered).
 */
static void
ran_batch(int mine, void *arg)
{
	struct leader *l = arg;

	if (mine)
		followup_defer(l->r, &l->f);
	else
		followup_send(l->r, &l->f);
}

static const struct batch_ops submit_batch = { BATCH_MAX, run_batch,
	ran_batch };

/*
 * How long a submit may wait in the queue behind a busy leader before it
 * answers 503: a leader's batch is two round trips, each of which, on a
 * database that answers, is far below DB_TIMEOUT (the connect bound); a
 * submit not taken after three of them is behind a database in trouble.
 */
static long
queue_wait_ms(const struct config *cfg)
{
	return 3 * (cfg->db_timeout > 0 ? cfg->db_timeout : 2) * 1000L;
}

static int
answer_marked(const struct sub *s, json_t **result)
{
	*result = json_pack("{s:I,s:s,s:b}", "session_id",
	    (json_int_t)s->session_id, "status", s->cur, "already_marked", 1);
	return 200;
}

static int
answer_accepted(const struct sub *s, json_t **result)
{
	const char *mark = mark_of(s);

	*result = json_pack("{s:I,s:s,s:I,s:b}", "session_id",
	    (json_int_t)s->session_id, "status", mark, "attempt",
	    (json_int_t)s->wrong + 1, "flagged", mark[0] == 'R');
	if (*result && s->distance_m >= 0)
		json_object_set_new(*result, "geo_distance_m",
		    json_integer(s->distance_m));
	return 200;
}

static int
db_unavailable(json_t **result)
{
	return jsonio_refuse(result, 503, "db_unavailable", "try again");
}

/* 410: the window had ended when read, or by the time of the write. */
static int
window_closed(json_t **result)
{
	return jsonio_refuse(result, 410, "window_closed",
	    "the code has expired; ask your teacher");
}

/* The answer to every verdict but V_WRONG and V_ACCEPT. */
static int
refuse(const struct sub *s, enum verdict v, json_t **result)
{
	switch (v) {
	case V_NO_WINDOW:
		return jsonio_refuse(result, 404, "no_window",
		    "attendance was never opened for this session");
	case V_NOT_ENROLLED:
		return jsonio_refuse(result, 403, "not_enrolled",
		    "you are not enrolled in this session's class");
	case V_MARKED:
		return answer_marked(s, result);
	case V_MANUAL:
		return jsonio_refuse(result, 409, "already_marked",
		    "your teacher has already marked you for this session");
	case V_CLOSED:
		return window_closed(result);
	case V_OFF_CAMPUS:
		return jsonio_refuse(result, 403, "off_campus",
		    "submit from the campus network");
	case V_NO_TRIES:
		return jsonio_refuse(result, 403, "no_tries_left",
		    "two wrong codes: no more tries in this round");
	case V_WRONG:
	case V_ACCEPT:
		break;
	}
	return db_unavailable(result); /* not reached */
}

static void
publish_submission(struct http_req *r, const struct sub *s, const char *status,
    long long attempt)
{
	pubsub_publish(r->cfg,
	    pubsub_user_channel(r->cfg, s->teacher, r->arena),
	    "attendance.submission", submission_event(s, status, attempt));
}

/* A wrong code: counted on the round's attempt row, then told. */
static int
write_wrong(struct http_req *r, struct sub *s, json_t **result)
{
	int rc = db_exec(r->db,
	    "INSERT INTO attendance_attempt (window_id, student_email, wrong) "
	    "SELECT window_id, ?, 1 FROM attendance_window WHERE window_id = ? "
	    "AND " WINDOW_OPEN " LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE "
	    "wrong = wrong + 1, last_at = NOW(3)",
	    "sI", s->email, s->window_id);

	if (rc == DB_OK && db_affected(r->db) == 0)
		return window_closed(result);
	if (rc != DB_OK || db_commit(r->db) != DB_OK)
		return db_unavailable(result);
	s->wrong++;
	publish_submission(r, s, s->wrong >= 2 ? "no_tries_left" : "wrong_once",
	    s->wrong);
	*result = json_pack("{s:{s:s,s:s},s:I,s:i,s:I}", "error", "code",
	    s->wrong >= 2 ? "no_tries_left" : "wrong_otp", "message",
	    s->wrong >= 2 ? "wrong code again: no more tries"
			  : "wrong code: one more try",
	    "session_id", (json_int_t)s->session_id, "tries_left",
	    s->wrong >= 2 ? 0 : 1, "attempt", (json_int_t)s->wrong);
	return 422;
}

/*
 * Writes an accepted mark: fresh, or a retake of an A.  0 when written,
 * 1 when the window had just ended or a mark raced in, -1 on error.
 */
static int
write_accepted(struct http_req *r, struct sub *s)
{
	struct sub *one[1] = { s };

	if (s->cur != NULL)
		return write_retake(r->db, s);
	return write_fresh(r, one, 1) != DB_OK ? -1 : !s->written;
}

/*
 * Reads and decides inside the single path's transaction, and writes
 * what the verdict calls for.  A write that finds the window ended or a
 * mark already there reads again once, to answer which it was.
 */
static int
single_round(struct http_req *r, struct sub *s, json_t **result)
{
	struct sub *one[1] = { s };
	enum verdict v;
	int status, rc = 1, reread;

	for (reread = 0; rc == 1 && reread < 2; reread++) {
		s->found = 0;
		if (read_inputs(r, one, 1) != DB_OK) {
			status = db_unavailable(result);
			goto out;
		}
		v = decide(s);
		/* biometric presence first: a code, right or wrong, counts
		 * only from the phone's owner (checked once: a reread must
		 * not see its own assertion as replayed) */
		if ((v == V_WRONG || v == V_ACCEPT) && s->require_uv &&
		    !s->uv_ok) {
			status = passkey_check(r, s->uv, s->session_id,
			    s->window_id, result);
			if (status != 0)
				goto out;
			s->uv_ok = 1;
		}
		if (v == V_WRONG) {
			status = write_wrong(r, s, result);
			goto out;
		}
		if (v != V_ACCEPT) {
			status = refuse(s, v, result);
			goto out;
		}
		if (s->geo == GEOFENCE_MARK_REFUSE) {
			status = jsonio_refuse(result, 403, "position_required",
			    "this class checks that you are in the classroom: "
			    "allow the app to use your location and try again");
			goto out;
		}
		TESTHOOK_SUBMIT(r, "before_write", s->window_id, s->session_id,
		    s->email);
		rc = write_accepted(r, s);
		TESTHOOK_SUBMIT(r, "after_write", s->window_id, s->session_id,
		    s->email);
	}
	if (rc == 1)
		status = window_closed(result);
	else if (rc != 0 || db_commit(r->db) != DB_OK)
		status = db_unavailable(result);
	else {
		publish_submission(r, s, mark_of(s), s->wrong + 1);
		status = answer_accepted(s, result);
	}
out:
	return status;
}

/* The single path: one transaction, rate-limited, every rule answered. */
static int
submit_single(struct http_req *r, struct sub *s, json_t **result)
{
	const char *code, *msg;
	char key[256];
	int status;

	if ((status = guard_late(r, &code, &msg)) != 0) {
		status = jsonio_refuse(result, status, code, msg);
		goto out;
	}
	if (db_begin(r->db) != DB_OK) {
		status = db_unavailable(result);
		goto out;
	}
	snprintf(key, sizeof(key), RATE_PREFIX "%s", s->email);
	if (ratelimit_hit(r, key, r->cfg->submit_rate, RATE_WINDOW) != 0) {
		status = jsonio_refuse(result, 429, "rate_limited",
		    "too many submissions");
		goto out;
	}
	status = single_round(r, s, result);
	/* a refused submit still counts against the student's limit; the
	 * request's end rolls back any other transaction left open */
	if (db_in_tx(r->db) && status < 500 && db_commit(r->db) != DB_OK)
		db_rollback(r->db);
out:
	return status;
}

static int
submit_run(struct http_req *r, json_t *msg, json_t **result)
{
	struct sub s = { 0 };
	struct leader l = { .r = r };
	long long session_id = 0;
	char err[256];
	int status;

	*result = NULL;
	if (jsonio_int(msg, "session_id", JSONH_REQUIRED, 1, 4294967295LL,
		&session_id, err, sizeof(err)) < 0 ||
	    jsonio_string(msg, "otp", JSONH_REQUIRED, 8, &s.otp, err,
		sizeof(err)) < 0) {
		status = jsonio_refuse(result, 400, "bad_request", err);
		goto out;
	}
	if (strlen(s.otp) != 4 || strspn(s.otp, "0123456789") != 4) {
		status = jsonio_refuse(result, 400, "bad_request",
		    "'otp' must be 4 digits");
		goto out;
	}
	if (geofence_position(msg, &s.pos, err, sizeof(err)) < 0) {
		status = jsonio_refuse(result, 400, "bad_request", err);
		goto out;
	}
	s.uv = json_object_get(msg, "uv");
	s.email = r->auth.email;
	s.device_id = r->auth.device_id;
	s.session_id = session_id;
	s.addr = r->remote_addr ? r->remote_addr : "";
	s.arena = r->arena;

	if (batch_join(&queue, &s.item, &submit_batch, &l,
		queue_wait_ms(r->cfg)) != BATCH_DONE) {
		/* no leader took it: nothing was read or written for it */
		status = db_unavailable(result);
		goto out;
	}
	if (s.written) {
		/* its batch's read found the device and account allowed */
		guard_settle(r);
		status = answer_accepted(&s, result);
		goto out;
	}
	status = submit_single(r, &s, result);
out:
	return status;
}

/* The verdict for GET /metrics: the error code, else how it was taken. */
static const char *
verdict_name(int status, json_t *result)
{
	const char *code = json_string_value(
	    json_object_get(json_object_get(result, "error"), "code"));

	if (status == 429)
		return "rate_limited";
	/* every biometric-presence refusal (uv_*: passkey.c) is one label */
	if (code && strncmp(code, "uv_", 3) == 0)
		return "uv_refused";
	if (code)
		return code;
	if (json_is_true(json_object_get(result, "already_marked")))
		return "already_marked";
	if (json_is_true(json_object_get(result, "flagged")))
		return "flagged";
	return status == 200 ? "accepted" : "other";
}

int
submit_core(struct http_req *r, json_t *msg, json_t **result)
{
	int status = submit_run(r, msg, result);

	stats_submit(verdict_name(status, *result));
	return status;
}

/* POST /attendance/submit {session_id, otp} */
int
submit_post(struct http_req *r)
{
	json_t *result;
	int status = submit_core(r, r->json, &result);

	if (status == 429) {
		/* ratelimit_hit set the reply and Retry-After; ours is unused */
		json_decref(result);
		return status;
	}
	return http_reply_json(r, status, result);
}
