/*
 * reportleave.c - a student's leave over a range (reportleave.h).
 *
 * The summary's counts do not read leave (the class summary excuses an
 * absence on approved leave; the student summary counts marks as they
 * are), so a head who sees a student short in a subject also needs the
 * leave behind it: applied, approved or refused.  A student has a few
 * records a term, read by ix_leave_student.
 */
#include "attstats.h"
#include "reportleave.h"

int
reportleave_student(struct db *db, struct arena *a, const char *email,
    long from, long to, json_t **out)
{
	struct db_rows rows;
	char f[11], t[11];
	json_t *list;
	int i, rc;

	*out = NULL;
	attstats_format_date(from, f);
	attstats_format_date(to, t);
	rc = db_query(db, a, &rows,
	    "SELECT leave_id, kind, DATE_FORMAT(from_date, '%Y-%m-%d'), "
	    "DATE_FORMAT(to_date, '%Y-%m-%d'), state, reason "
	    "FROM student_leave WHERE student_email = ? AND from_date <= ? "
	    "AND to_date >= ? ORDER BY from_date, leave_id LIMIT 500",
	    "sss", email, t, f);
	if (rc != DB_OK)
		return rc;
	if ((list = json_array()) == NULL)
		return DB_ERR;
	for (i = 0; i < rows.nrows; i++)
		if (json_array_append_new(list,
			json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "leave_id",
			    (json_int_t)db_get_int(&rows, i, 0), "kind",
			    db_get(&rows, i, 1), "from", db_get(&rows, i, 2),
			    "to", db_get(&rows, i, 3), "state",
			    db_get(&rows, i, 4), "reason",
			    db_get(&rows, i, 5))) != 0) {
			json_decref(list);
			return DB_ERR;
		}
	*out = list;
	return DB_OK;
}
