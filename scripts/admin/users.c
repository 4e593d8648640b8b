/*
 * users.c - administrators' commands on accounts and devices: verify,
 * unverify, block, unblock, show a user, list devices, approve or reject
 * a pending device.  Every change writes an audit_log row (actor "admin")
 * in the same transaction.  Device decisions go through approval_decide,
 * the same code teachers use over the API (minus the class check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "approval.h"
#include "audit.h"

#define ACTOR "admin"

/* "teacher" or "student" and the stored e-mail; NULL when unknown. */
static const char *
find_user(struct admin *ad, const char *email, const char **stored)
{
	struct db_rows rows;

	if (db_query(ad->db, ad->arena, &rows,
		"SELECT 'teacher', teacher_email FROM teacher WHERE "
		"teacher_email = ? UNION ALL SELECT 'student', student_email "
		"FROM student WHERE student_email = ?",
		"ss", email, email) != DB_OK) {
		fprintf(stderr, "ehazira-admin: cannot reach the database\n");
		return NULL;
	}
	if (rows.nrows == 0) {
		fprintf(stderr, "ehazira-admin: no teacher or student '%s'\n",
		    email);
		return NULL;
	}
	*stored = db_get(&rows, 0, 1);
	return db_get(&rows, 0, 0);
}

/* Sets a flag of a user (what: verify|unverify|block|unblock). */
static int
set_flag(struct admin *ad, int argc, char **argv, const char *what)
{
	const char *role, *email, *sql;
	int on = strcmp(what, "verify") == 0 || strcmp(what, "block") == 0;
	int verify = strstr(what, "verify") != NULL, student;

	if (argc != 2) {
		fprintf(stderr, "usage: ehazira-admin %s EMAIL\n", what);
		return 2;
	}
	if ((role = find_user(ad, argv[1], &email)) == NULL)
		return 1;
	student = strcmp(role, "student") == 0;
	if (verify)
		sql = student ? "UPDATE student SET verified = ? WHERE "
				"student_email = ?"
			      : "UPDATE teacher SET verified = ? WHERE "
				"teacher_email = ?";
	else if (student)
		/* unblocking also clears the integrity flag */
		sql = on ? "UPDATE student SET blocked = ? WHERE "
			   "student_email = ?"
			 : "UPDATE student SET blocked = ?, flagged = FALSE "
			   "WHERE student_email = ?";
	else
		sql = "UPDATE teacher SET blocked = ? WHERE teacher_email = ?";
	if (db_begin(ad->db) != DB_OK ||
	    db_exec(ad->db, sql, "is", on, email) != DB_OK ||
	    (strcmp(what, "block") == 0 &&
		db_exec(ad->db,
		    "UPDATE refresh_token SET revoked_at = NOW(3) "
		    "WHERE user_email = ? AND revoked_at IS NULL",
		    "s", email) != DB_OK) ||
	    audit_write(ad->db, ACTOR, arena_printf(ad->arena, "user.%s", what),
		email, NULL, what, NULL) != DB_OK ||
	    db_commit(ad->db) != DB_OK) {
		db_rollback(ad->db);
		fprintf(stderr, "ehazira-admin: %s '%s' failed (see log)\n",
		    what, email);
		return 1;
	}
	printf("%s %s: %s done\n", role, email, what);
	return 0;
}

int
admin_verify(struct admin *ad, int argc, char **argv)
{
	return set_flag(ad, argc, argv, "verify");
}

int
admin_unverify(struct admin *ad, int argc, char **argv)
{
	return set_flag(ad, argc, argv, "unverify");
}

int
admin_block(struct admin *ad, int argc, char **argv)
{
	return set_flag(ad, argc, argv, "block");
}

int
admin_unblock(struct admin *ad, int argc, char **argv)
{
	return set_flag(ad, argc, argv, "unblock");
}

static void
print_devices(const struct db_rows *d)
{
	int i;

	printf("%-8s %-36s %-8s %-8s %-8s %-3s %-36s %s\n", "DEVICE", "USER",
	    "ROLE", "APPROVAL", "PLATFORM", "ON", "UUID", "INTEGRITY");
	for (i = 0; i < d->nrows; i++)
		printf("%-8s %-36s %-8s %-8s %-8s %-3s %-36s %s\n",
		    db_get(d, i, 0), db_get(d, i, 1), db_get(d, i, 2),
		    db_get(d, i, 3), db_get(d, i, 4),
		    db_get_int(d, i, 5) ? "yes" : "no", db_get(d, i, 6),
		    db_get(d, i, 7));
	printf("(%d device%s)\n", d->nrows, d->nrows == 1 ? "" : "s");
}

#define DEVICE_COLS                                                        \
	"SELECT device_id, user_email, role, approval, platform, active, " \
	"device_uuid, integrity_level FROM device "

int
admin_devices(struct admin *ad, int argc, char **argv)
{
	struct db_rows d;
	int rc;

	if (argc > 2) {
		fprintf(stderr,
		    "usage: ehazira-admin devices "
		    "[EMAIL|--pending]\n");
		return 2;
	}
	if (argc == 1)
		rc = db_query(ad->db, ad->arena, &d,
		    DEVICE_COLS "ORDER BY device_id", "");
	else if (strcmp(argv[1], "--pending") == 0)
		rc = db_query(ad->db, ad->arena, &d,
		    DEVICE_COLS "WHERE approval = 'PENDING' ORDER BY device_id",
		    "");
	else
		rc = db_query(ad->db, ad->arena, &d,
		    DEVICE_COLS "WHERE user_email = ? ORDER BY device_id", "s",
		    argv[1]);
	if (rc != DB_OK) {
		fprintf(stderr, "ehazira-admin: cannot reach the database\n");
		return 1;
	}
	print_devices(&d);
	return 0;
}

static int
decide(struct admin *ad, int argc, char **argv, int approve)
{
	char *end;
	long long id;

	if (argc != 2 || (id = strtoll(argv[1], &end, 10)) <= 0 ||
	    *end != '\0') {
		fprintf(stderr, "usage: ehazira-admin %s-device ID\n",
		    approve ? "approve" : "reject");
		return 2;
	}
	switch (approval_decide(ad->db, ad->arena, id, approve, NULL, ACTOR)) {
	case APPROVAL_OK:
		printf("device %lld %s\n", id,
		    approve ? "approved (other devices replaced)" : "rejected");
		return 0;
	case APPROVAL_NOTFOUND:
		fprintf(stderr, "ehazira-admin: no student device %lld\n", id);
		return 1;
	case APPROVAL_NOT_PENDING:
		fprintf(stderr, "ehazira-admin: device %lld is not pending\n",
		    id);
		return 1;
	default:
		fprintf(stderr,
		    "ehazira-admin: the decision failed (see "
		    "log)\n");
		return 1;
	}
}

int
admin_approve_device(struct admin *ad, int argc, char **argv)
{
	return decide(ad, argc, argv, 1);
}

int
admin_reject_device(struct admin *ad, int argc, char **argv)
{
	return decide(ad, argc, argv, 0);
}

int
admin_show(struct admin *ad, int argc, char **argv)
{
	struct db_rows u, d;
	const char *role, *email;
	int i, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: ehazira-admin show EMAIL\n");
		return 2;
	}
	if ((role = find_user(ad, argv[1], &email)) == NULL)
		return 1;
	if (strcmp(role, "student") == 0)
		rc = db_query_one(ad->db, ad->arena, &u,
		    "SELECT s.name, s.verified, s.blocked, s.flagged, "
		    "s.roll_no, CONCAT(dp.department_name, ' ', c.batch, '/', "
		    "c.semester, '/', c.section), s.class_id FROM student s "
		    "JOIN class c ON c.class_id = s.class_id JOIN department dp "
		    "ON dp.department_id = c.department_id WHERE "
		    "s.student_email = ?",
		    "s", email);
	else
		rc = db_query_one(ad->db, ad->arena, &u,
		    "SELECT t.name, t.verified, t.blocked, 0, t.designation, "
		    "dp.department_name, t.department_id FROM teacher t JOIN "
		    "department dp ON dp.department_id = t.department_id "
		    "WHERE t.teacher_email = ?",
		    "s", email);
	if (rc != DB_OK) {
		fprintf(stderr, "ehazira-admin: cannot read '%s'\n", email);
		return 1;
	}
	printf("email:     %s\nrole:      %s\nname:      %s\n", email, role,
	    db_get(&u, 0, 0));
	printf("verified:  %s\nblocked:   %s\n",
	    db_get_int(&u, 0, 1) ? "yes" : "no",
	    db_get_int(&u, 0, 2) ? "yes" : "no");
	if (strcmp(role, "student") == 0)
		printf("flagged:   %s\nroll no:   %s\nclass:     %s (id %s)\n",
		    db_get_int(&u, 0, 3) ? "yes (Play Integrity)" : "no",
		    db_get(&u, 0, 4), db_get(&u, 0, 5), db_get(&u, 0, 6));
	else
		printf("title:     %s\ndepartment: %s\n", db_get(&u, 0, 4),
		    db_get(&u, 0, 5));
	if (db_query(ad->db, ad->arena, &d,
		DEVICE_COLS "WHERE user_email = ? ORDER BY device_id", "s",
		email) == DB_OK) {
		printf("\n");
		print_devices(&d);
	}
	if (db_query(ad->db, ad->arena, &d,
		"SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s'), actor, action, "
		"COALESCE(new_value, '') FROM audit_log WHERE subject = ? "
		"ORDER BY audit_id DESC LIMIT 10",
		"s", email) == DB_OK &&
	    d.nrows > 0) {
		printf("\nrecent audit (UTC):\n");
		for (i = 0; i < d.nrows; i++)
			printf("  %s  %-12s %-18s %s\n", db_get(&d, i, 0),
			    db_get(&d, i, 1), db_get(&d, i, 2),
			    db_get(&d, i, 3));
	}
	return 0;
}
