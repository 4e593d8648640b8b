/*
 * reportbuild.h - building reports from the database into plain structs.
 */
#ifndef EHZ_REPORTBUILD_H
#define EHZ_REPORTBUILD_H

#include "arena.h"
#include "report.h"

struct config;
struct db;

/* A builder's answer when the caller may not see the report. */
#define REPORTBUILD_FORBIDDEN 100

/*
 * Builds the class report of one subject over [from, to] (day numbers).
 * Three queries however big the class: the subject, its class's students,
 * and every attendance row of the subject in the range.  Arena memory.
 * When teacher is not NULL and does not teach the subject, stops after the
 * first query with REPORTBUILD_FORBIDDEN (out->subj is filled).  Returns DB_OK,
 * DB_NOTFOUND (no such subject), REPORTBUILD_FORBIDDEN or a DB_* error.
 */
int reportbuild_class(struct db *db, struct arena *a, const struct config *cfg,
    long long subject_id, const char *teacher, long from, long to,
    struct class_report *out);
/*
 * Builds a student's report over [from, to]: every subject of their class,
 * or only subject_id when it is not 0, or only the subjects `teacher`
 * teaches when teacher is not NULL.  DB_NOTFOUND when there is no such
 * student; out->nsubjects is 0 when the filters leave nothing.
 */
int reportbuild_student(struct db *db, struct arena *a,
    const struct config *cfg, const char *email, long long subject_id,
    const char *teacher, long from, long to, struct student_report *out);

#endif
