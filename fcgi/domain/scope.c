/*
 * scope.c - the object half of access control.
 *
 * Roles and their reach:
 *   student  themselves only (handlers never ask here for them)
 *   teacher  the subjects they teach and the students of those classes
 *            (the report builders check subject.teacher_email)
 *   head     everything of their department (teacher.department_id),
 *            plus what they teach elsewhere as a teacher
 *   admin    everything
 * A head's department is read per request, not from the token: moving a
 * head to another department takes effect at once.
 * A substitute (scope.h) reaches one session of a subject: the period on
 * the date they were assigned, and only to take its attendance.
 */
#include "scope.h"

int
scope_load(struct db *db, struct arena *a, const struct auth *who,
    struct scope *s)
{
	struct db_rows rows;
	int rc;

	s->role = who->role;
	s->email = who->email;
	s->department_id = 0;
	if (who->role != ROLE_HEAD)
		return SCOPE_IN;
	rc = db_query_one(db, a, &rows,
	    "SELECT department_id FROM teacher WHERE teacher_email = ?", "s",
	    who->email);
	if (rc != DB_OK)
		return SCOPE_DBERR;
	s->department_id = db_get_int(&rows, 0, 0);
	return SCOPE_IN;
}

/* The department of a row found by sql, or the scope_rc of not finding. */
static int
department_of(struct db *db, struct arena *a, const char *sql,
    const char *types, const void *key, long long *dep)
{
	struct db_rows rows;
	int rc = types[0] == 's'
	    ? db_query_one(db, a, &rows, sql, types, (const char *)key)
	    : db_query_one(db, a, &rows, sql, types, *(const long long *)key);

	if (rc == DB_NOTFOUND)
		return SCOPE_MISSING;
	if (rc != DB_OK)
		return SCOPE_DBERR;
	*dep = db_get_int(&rows, 0, 0);
	return SCOPE_IN;
}

static int
within(const struct scope *s, long long dep)
{
	if (s->role == ROLE_ADMIN)
		return SCOPE_IN;
	return s->role == ROLE_HEAD && dep == s->department_id ? SCOPE_IN
							       : SCOPE_OUT;
}

int
scope_department(struct db *db, struct arena *a, const struct scope *s,
    long long asked, long long *dep)
{
	long long found;
	int rc;

	*dep = s->role == ROLE_HEAD ? s->department_id : 0;
	if (asked == 0)
		return s->role == ROLE_HEAD || s->role == ROLE_ADMIN
		    ? SCOPE_IN
		    : SCOPE_OUT;
	rc = department_of(db, a,
	    "SELECT department_id FROM department WHERE department_id = ?", "I",
	    &asked, &found);
	if (rc != SCOPE_IN)
		return rc;
	if ((rc = within(s, found)) == SCOPE_IN)
		*dep = found;
	return rc;
}

int
scope_subject(struct db *db, struct arena *a, const struct scope *s,
    long long subject_id)
{
	long long dep;
	int rc = department_of(db, a,
	    "SELECT c.department_id FROM subject sj "
	    "JOIN class c ON c.class_id = sj.class_id WHERE sj.subject_id = ?",
	    "I", &subject_id, &dep);

	return rc == SCOPE_IN ? within(s, dep) : rc;
}

int
scope_student(struct db *db, struct arena *a, const struct scope *s,
    const char *email)
{
	long long dep;
	int rc = department_of(db, a,
	    "SELECT c.department_id FROM student st "
	    "JOIN class c ON c.class_id = st.class_id "
	    "WHERE st.student_email = ?",
	    "s", email, &dep);

	return rc == SCOPE_IN ? within(s, dep) : rc;
}

int
scope_assign_substitute(struct db *db, struct arena *a, const struct scope *s,
    long long period_id)
{
	struct db_rows rows;
	int rc = db_query_one(db, a, &rows,
	    "SELECT c.department_id, sj.teacher_email = ? FROM period p "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN class c ON c.class_id = sj.class_id WHERE p.period_id = ?",
	    "sI", s->email, period_id);

	if (rc == DB_NOTFOUND)
		return SCOPE_MISSING;
	if (rc != DB_OK)
		return SCOPE_DBERR;
	if (db_get_int(&rows, 0, 1))
		return SCOPE_IN;
	return within(s, db_get_int(&rows, 0, 0));
}
