/*
 * guardian.c - the guardian's e-mail on a crossing below the threshold.
 *
 * A crossing is what warnings.c records: the flag of (student, subject)
 * flipping from at-or-above to below in a conditional UPDATE, so of two
 * concurrent checks one records it.  The e-mail is queued in that same
 * transaction and keyed by the crossing's number, so it is sent once per
 * crossing, never while the student stays below, and again only after a
 * recovery and a new fall (a new number).  Off unless GUARDIAN_NOTICES.
 */
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "guardian.h"
#include "mailmsg.h"
#include "mailout.h"
#include "mailtext.h"
#include "notices.h"

int
guardian_notice(struct db *db, struct arena *a, const struct config *cfg,
    const char *student, long long subject_id, const char *course,
    const char *percent, long threshold)
{
	struct db_rows r;
	const char *to, *lang, *name;
	char key[300], th[16];
	int rc;

	if (!cfg->guardian_notices || cfg->smtp_url[0] == '\0')
		return DB_OK;
	rc = db_query_one(db, a, &r,
	    "SELECT s.guardian_email, s.name, s.roll_no, w.crossings "
	    "FROM student s JOIN attendance_warning w "
	    "ON w.student_email = s.student_email AND w.subject_id = ? "
	    "WHERE s.student_email = ?",
	    "Is", subject_id, student);
	if (rc == DB_NOTFOUND)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	to = db_get(&r, 0, 0);
	/* an address that was refused at import never gets here */
	if (to == NULL || !mailmsg_addr_valid(to))
		return DB_OK;
	name = db_get(&r, 0, 1);
	lang = mailtext_lang(db, a, student);
	snprintf(key, sizeof(key), "guardian:%s:%lld:%lld", student, subject_id,
	    db_get_int(&r, 0, 3));
	snprintf(th, sizeof(th), "%ld", threshold);
	return mailout_queue(db, "mail.guardian", key, to,
	    notices_fill(a, mailtext_get(lang, MAIL_GUARDIAN_SUBJECT), "name",
		name, (char *)NULL),
	    notices_fill(a, mailtext_get(lang, MAIL_GUARDIAN_BODY), "name",
		name, "roll", db_get(&r, 0, 2), "course", course ? course : "-",
		"percent", percent, "threshold", th, (char *)NULL),
	    lang, ((long long)time(NULL) + cfg->smtp_retry_for) * 1000, NULL);
}
