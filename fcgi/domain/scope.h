/*
 * scope.h - which objects a signed-in caller may read: the object-level
 * half of access control (the router checks the role; handlers ask here
 * about the department, class, subject or student they were given).
 */
#ifndef EHZ_SCOPE_H
#define EHZ_SCOPE_H

#include "arena.h"
#include "db.h"
#include "token.h"

/* The caller's reach: a head's department, 0 for everything (admin). */
struct scope {
	enum role role;
	const char *email;
	long long department_id;
};

enum scope_rc {
	SCOPE_IN = 0,      /* the caller may read it */
	SCOPE_OUT = 1,     /* it exists, but not for this caller */
	SCOPE_MISSING = 2, /* no such object */
	SCOPE_DBERR = -1,
};

/* Fills s for the caller (a head's department from the teacher row). */
int scope_load(struct db *db, struct arena *a, const struct auth *who,
    struct scope *s);
/*
 * A department filter asked for (0: none).  A head asking for nothing
 * gets their own; an administrator gets everything.  *dep is the
 * department to filter on (0 = all).
 */
int scope_department(struct db *db, struct arena *a, const struct scope *s,
    long long asked, long long *dep);
/*
 * A subject or a student read through the department (heads, admins):
 * SCOPE_IN when the department view covers it; SCOPE_OUT when it exists
 * outside it (the caller may still teach it: the teacher path decides).
 */
int scope_subject(struct db *db, struct arena *a, const struct scope *s,
    long long subject_id);
int scope_student(struct db *db, struct arena *a, const struct scope *s,
    const char *email);

/*
 * Substitutes (schema/021_substitute.sql): for one period on one date a
 * teacher other than the subject's may take the class.  The substitute
 * then may do with that session what the subject's teacher may (start
 * rounds, close, mark, remark) and nothing else of the subject.
 *
 * SCOPE_TAKES_SQL is that test inside a query that joins subject sj,
 * period p and session se: 1 when the one string it binds (the caller's
 * e-mail) is the subject's teacher or the date's substitute, else 0.
 * SCOPE_TAKES_ON_SQL is the same before a session exists: it binds the
 * e-mail, then the date.
 */
#define SCOPE_SUBSTITUTE_OF(date)                                           \
	"(SELECT sb.teacher_email FROM substitute sb WHERE sb.period_id = " \
	"p.period_id AND sb.date = " date ")"
#define SCOPE_TAKES_SQL                                          \
	"COALESCE(? IN (sj.teacher_email, " SCOPE_SUBSTITUTE_OF( \
	    "se.date") "), 0)"
#define SCOPE_TAKES_ON_SQL \
	"COALESCE(? IN (sj.teacher_email, " SCOPE_SUBSTITUTE_OF("?") "), 0)"

/*
 * May the caller assign (or remove) a substitute for period_id: its
 * subject's teacher, a head of the class's department, an administrator.
 * SCOPE_MISSING when there is no such period.
 */
int scope_assign_substitute(struct db *db, struct arena *a,
    const struct scope *s, long long period_id);

#endif
