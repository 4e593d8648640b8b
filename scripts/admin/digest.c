/*
 * digest.c - `ehazira-admin digest [--week YYYY-Www|YYYY-MM-DD]`: queues
 * the weekly digest e-mail to every teacher and head of department.
 *
 * A digest is the recipient's shortage list (students below
 * AT_RISK_PERCENT per subject, over REPORT_DAYS up to the week's Sunday,
 * at least WARNINGS_MIN_HELD marks) and their "not marked" periods of the
 * week, both read through the dashboard's views (dashboard_view), in the
 * recipient's language.  A teacher's scope is the subjects they teach; a
 * head's, their department's subjects and their own.  Administrators get
 * none (the dashboard is theirs); a recipient with nothing to report gets
 * none either.
 *
 * The text is built here, when queuing, not in the relay: the views are
 * report code, and the relay links only domain and core.  The relay
 * wraps the queued text in a message (mailmsg.c) and sends it.
 *
 * Idempotent: every e-mail is keyed "digest:<week>:<address>" (outbox
 * idem_key), all are queued in one transaction with the job_run row, so
 * a second run of the same week queues nothing, and a failed run queues
 * nothing at all.  Default week: the last complete one (Monday to
 * Sunday, TIMEZONE).  Exit codes: 0 done; 1 the database failed; 2 usage,
 * a bad week, or SMTP_URL not set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "attstats.h"
#include "buf.h"
#include "config.h"
#include "dashboard.h"
#include "db.h"
#include "mailmsg.h"
#include "mailout.h"
#include "mailtext.h"
#include "notices.h"
#include "outbox.h"
#include "warnings.h"

#define LIST_MAX 200 /* lines per list; the dashboard has the rest */

struct subj {
	long long id, department;
	const char *teacher;
};

struct digest {
	struct admin *ad;
	long monday;
	char week[16], from[ATTSTATS_DATE_LEN], to[ATTSTATS_DATE_LEN];
	struct report_table shortage, not_marked;
	struct subj *subjects;
	int nsubjects;
	int queued, again, empty, bad;
};

/* "2026-W49" or any date of the week -> its Monday; -1 when bad. */
static long
week_monday(const char *s)
{
	int y, w, iso_year, n = 0;
	long jan4, monday, day;

	if (attstats_parse_date(s, &day) == 0)
		return day - (attstats_weekday(day) - 1);
	if (sscanf(s, "%4d-W%2d%n", &y, &w, &n) != 2 || s[n] != '\0' ||
	    y < 1900 || w < 1 || w > 53)
		return -1;
	jan4 = attstats_day(y, 1, 4);
	monday = jan4 - (attstats_weekday(jan4) - 1) + (long)(w - 1) * 7;
	/* week 53 exists in some years only */
	if (attstats_iso_week(monday, &iso_year) != w || iso_year != y)
		return -1;
	return monday;
}

static int
col_index(const struct report_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return i;
	return -1;
}

static int
load_subjects(struct digest *d)
{
	struct db_rows r;
	int rc, i;

	rc = db_query(d->ad->db, d->ad->arena, &r,
	    "SELECT sj.subject_id, c.department_id, sj.teacher_email "
	    "FROM subject sj JOIN class c ON c.class_id = sj.class_id",
	    "");
	if (rc != DB_OK)
		return rc;
	d->subjects = arena_alloc(d->ad->arena,
	    sizeof(*d->subjects) * (size_t)(r.nrows + 1));
	if (d->subjects == NULL)
		return DB_ERR;
	for (i = 0; i < r.nrows; i++) {
		d->subjects[i].id = db_get_int(&r, i, 0);
		d->subjects[i].department = db_get_int(&r, i, 1);
		d->subjects[i].teacher = db_get(&r, i, 2);
	}
	d->nsubjects = r.nrows;
	return DB_OK;
}

/* Is subject (as text) in the scope of email (department: 0 = none)? */
static int
in_scope(const struct digest *d, const char *subject, const char *email,
    long long department)
{
	long long id = strtoll(subject ? subject : "0", NULL, 10);
	int i;

	for (i = 0; i < d->nsubjects; i++)
		if (d->subjects[i].id == id)
			return strcmp(d->subjects[i].teacher, email) == 0 ||
			    (department > 0 &&
				d->subjects[i].department == department);
	return 0;
}

static void
add(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

/* One list into b: the lines of t in scope, or "None."; the count. */
static int
list(struct digest *d, struct buf *b, const struct report_table *t,
    const char *email, long long dep, const char *lang, int shortage)
{
	const struct report_table *x = t;
	int sc = col_index(x, "subject_id"), i, n = 0;
	char line[1024];

	for (i = 0; i < x->nrows; i++) {
		if (!in_scope(d, reporttable_cell(x, i, sc), email, dep))
			continue;
		if (++n > LIST_MAX)
			continue;
		if (shortage)
			snprintf(line, sizeof(line),
			    "  %s %s, %s, %s: %s%% (%s/%s)\n",
			    reporttable_cell(x, i, col_index(x, "roll_no")),
			    reporttable_cell(x, i, col_index(x, "name")),
			    reporttable_cell(x, i, col_index(x, "class")),
			    reporttable_cell(x, i, col_index(x, "subject")),
			    reporttable_cell(x, i, col_index(x, "percent")),
			    reporttable_cell(x, i, col_index(x, "present")),
			    reporttable_cell(x, i, col_index(x, "held")));
		else
			snprintf(line, sizeof(line),
			    "  %s P%s %s, %s, %s (%s)\n",
			    reporttable_cell(x, i, col_index(x, "date")),
			    reporttable_cell(x, i, col_index(x, "period_no")),
			    reporttable_cell(x, i, col_index(x, "start_time")),
			    reporttable_cell(x, i, col_index(x, "subject")),
			    reporttable_cell(x, i, col_index(x, "class")),
			    reporttable_cell(x, i, col_index(x, "teacher")));
		add(b, line);
	}
	if (n > LIST_MAX) {
		snprintf(line, sizeof(line), "  ... +%d\n", n - LIST_MAX);
		add(b, line);
	}
	if (n == 0) {
		add(b, "  ");
		add(b, mailtext_get(lang, MAIL_DIGEST_NONE));
		add(b, "\n");
	}
	return n;
}

/* The text of one recipient's digest in b; the number of lines listed. */
static int
compose(struct digest *d, struct buf *b, const char *email, const char *name,
    long long dep, const char *lang)
{
	struct arena *a = d->ad->arena;
	char th[16];
	int n;

	snprintf(th, sizeof(th), "%ld", d->ad->cfg->at_risk_percent);
	add(b,
	    notices_fill(a, mailtext_get(lang, MAIL_DIGEST_HELLO), "name", name,
		"week", d->week, "from", d->from, "to", d->to, (char *)NULL));
	add(b, "\n\n");
	add(b,
	    notices_fill(a, mailtext_get(lang, MAIL_DIGEST_SHORTAGE),
		"threshold", th, (char *)NULL));
	add(b, "\n");
	n = list(d, b, &d->shortage, email, dep, lang, 1);
	add(b, "\n");
	add(b, mailtext_get(lang, MAIL_DIGEST_NOT_MARKED));
	add(b, "\n");
	n += list(d, b, &d->not_marked, email, dep, lang, 0);
	add(b, "\n");
	add(b,
	    notices_fill(a, mailtext_get(lang, MAIL_DIGEST_FOOTER), "url",
		d->ad->cfg->public_url, (char *)NULL));
	add(b, "\n");
	return n;
}

/* One recipient: composed and queued (inside the run's transaction). */
static int
one(struct digest *d, const char *email, const char *name, long long dep)
{
	struct admin *ad = d->ad;
	struct buf b = { NULL, 0, 0 };
	const char *lang = mailtext_lang(ad->db, ad->arena, email);
	char key[300];
	int n, queued = 0, rc = DB_OK;

	if (!mailmsg_addr_valid(email)) {
		fprintf(stderr,
		    "ehazira-admin: digest: '%s' is not an e-mail "
		    "address; skipped\n",
		    email);
		d->bad++;
		return DB_OK;
	}
	n = compose(d, &b, email, name, dep, lang);
	if (n == 0) {
		d->empty++;
		goto out;
	}
	snprintf(key, sizeof(key), "digest:%s:%s", d->week, email);
	rc = mailout_queue(ad->db, "mail.digest", key, email,
	    notices_fill(ad->arena, mailtext_get(lang, MAIL_DIGEST_SUBJECT),
		"week", d->week, (char *)NULL),
	    arena_strndup(ad->arena, b.p ? b.p : "", b.n), lang,
	    ((long long)time(NULL) + ad->cfg->smtp_retry_for) * 1000, &queued);
	if (queued)
		d->queued++;
	else if (rc == DB_OK)
		d->again++;
out:
	buf_release(&b);
	return rc;
}

/* The views, then every recipient, then the run record: one transaction. */
static int
queue_all(struct digest *d, long long started)
{
	struct admin *ad = d->ad;
	struct dash_query q = { .threshold = (int)ad->cfg->at_risk_percent,
		.min_held = WARNINGS_MIN_HELD,
		.by = "department" };
	struct db_rows r;
	char summary[200];
	int rc, i;

	q.to = d->monday + 6;
	q.from =
	    q.to - (ad->cfg->report_days > 400 ? 400 : ad->cfg->report_days);
	if ((rc = dashboard_view(ad->db, ad->arena, "shortage", &q,
		 &d->shortage)) != DB_OK)
		return rc;
	q.from = d->monday;
	if ((rc = dashboard_view(ad->db, ad->arena, "not-marked", &q,
		 &d->not_marked)) != DB_OK ||
	    (rc = load_subjects(d)) != DB_OK)
		return rc;
	rc = db_query(ad->db, ad->arena, &r,
	    "SELECT teacher_email, name, role, department_id FROM teacher "
	    "WHERE verified = 1 AND blocked = 0 AND role IN "
	    "('teacher', 'head') ORDER BY teacher_email",
	    "");
	if (rc != DB_OK || (rc = db_begin(ad->db)) != DB_OK)
		return rc;
	for (i = 0; i < r.nrows && rc == DB_OK; i++)
		rc = one(d, db_get(&r, i, 0), db_get(&r, i, 1),
		    strcmp(db_get(&r, i, 2), "head") == 0 ? db_get_int(&r, i, 3)
							  : 0);
	snprintf(summary, sizeof(summary),
	    "digest %s: %d queued, %d queued before, %d with nothing to "
	    "report, %d bad address(es)",
	    d->week, d->queued, d->again, d->empty, d->bad);
	if (rc == DB_OK)
		rc = admin_job_record_row(ad, "digest", started, 1, summary);
	if (rc != DB_OK) {
		db_rollback(ad->db);
		return rc;
	}
	if ((rc = db_commit(ad->db)) == DB_OK)
		printf("%s\n", summary);
	return rc;
}

int
admin_digest(struct admin *ad, int argc, char **argv)
{
	struct digest d = { .ad = ad };
	long long started = (long long)time(NULL);
	int iso_year, w;

	if (argc == 3 && strcmp(argv[1], "--week") == 0)
		d.monday = week_monday(argv[2]);
	else if (argc == 1) /* the last complete week */
		d.monday = attstats_today() - 7 -
		    (attstats_weekday(attstats_today()) - 1);
	else {
		fprintf(stderr,
		    "usage: ehazira-admin digest "
		    "[--week YYYY-Www|YYYY-MM-DD]\n");
		return 2;
	}
	if (d.monday < 0) {
		fprintf(stderr,
		    "ehazira-admin: digest: --week must be "
		    "YYYY-Www (an ISO week) or YYYY-MM-DD\n");
		return 2;
	}
	if (ad->cfg->smtp_url[0] == '\0' ||
	    !mailmsg_addr_valid(ad->cfg->smtp_from)) {
		fprintf(stderr,
		    "ehazira-admin: digest: SMTP_URL and SMTP_FROM "
		    "are not set: no e-mail can be sent, nothing "
		    "queued\n");
		return 2;
	}
	w = attstats_iso_week(d.monday, &iso_year);
	snprintf(d.week, sizeof(d.week), "%04d-W%02d", iso_year, w);
	attstats_format_date(d.monday, d.from);
	attstats_format_date(d.monday + 6, d.to);
	if (queue_all(&d, started) != DB_OK) {
		fprintf(stderr,
		    "ehazira-admin: digest: the database failed; "
		    "nothing queued\n");
		return 1;
	}
	outbox_wake(ad->cfg);
	return 0;
}
