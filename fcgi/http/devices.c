/*
 * devices.c - the teacher's device endpoints: the pending list and the
 * approve/reject decisions (the rule itself is approval.c).
 */
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "db.h"
#include "devices.h"

/*
 * Why a device waits: shared_device (the phone is another student's
 * active device: shared_with names that student, so the teacher can tell
 * a handed-down phone from a proxy), ios_unattested (IOS_POLICY
 * approve-first) or new_device (the student's other phone).
 */
static json_t *
pending_json(struct db_rows *rows, int i)
{
	const char *other = db_get(rows, i, 8);
	json_t *d = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s?,s:s}",
	    "device_id", (json_int_t)db_get_int(rows, i, 0), "student_email",
	    db_get(rows, i, 1), "name", db_get(rows, i, 2), "roll_no",
	    db_get(rows, i, 3), "class_id", (json_int_t)db_get_int(rows, i, 4),
	    "platform", db_get(rows, i, 5), "integrity_level",
	    db_get(rows, i, 6), "integrity_verdict", db_get(rows, i, 11),
	    "requested_at", db_get(rows, i, 7));

	json_object_set_new(d, "reason",
	    json_string(other                                ? "shared_device"
		    : strcmp(db_get(rows, i, 5), "IOS") == 0 ? "ios_unattested"
							     : "new_device"));
	json_object_set_new(d, "shared_with",
	    other ? json_pack("{s:s,s:s,s:s}", "student_email", other, "name",
			db_get(rows, i, 9), "roll_no", db_get(rows, i, 10))
		  : json_null());
	return d;
}

int
devices_pending(struct http_req *r)
{
	struct db_rows rows;
	json_t *list;
	int i;

	if (db_query(r->db, r->arena, &rows,
		"SELECT d.device_id, d.user_email, s.name, s.roll_no, "
		"s.class_id, d.platform, d.integrity_level, "
		"DATE_FORMAT(d.created_at, '%Y-%m-%dT%H:%i:%sZ'), "
		"o.student_email, o.name, o.roll_no, d.integrity_verdict "
		"FROM device d "
		"JOIN student s ON s.student_email = d.user_email "
		"LEFT JOIN student o ON o.student_email = (SELECT x.user_email "
		"FROM device x WHERE x.fingerprint_hash = d.fingerprint_hash "
		"AND x.user_email <> d.user_email AND x.role = 'student' AND "
		"x.platform <> 'WEB' AND x.approval = 'ACTIVE' AND x.active "
		"ORDER BY x.device_id LIMIT 1) "
		"WHERE d.approval = 'PENDING' AND d.role = 'student' AND "
		"s.class_id IN (SELECT class_id FROM subject WHERE "
		"teacher_email = ?) ORDER BY d.created_at, d.device_id",
		"s", r->auth.email) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	list = json_array();
	for (i = 0; i < rows.nrows; i++)
		json_array_append_new(list, pending_json(&rows, i));
	return http_reply_json(r, 200, json_pack("{s:o}", "devices", list));
}

static int
decide(struct http_req *r, int approve)
{
	const char *p = http_param(r, "id");
	char *end;
	long long id;

	if (p == NULL || strlen(p) > 18 || *p < '0' || *p > '9' ||
	    (id = strtoll(p, &end, 10)) <= 0 || *end != '\0')
		return http_reply_error(r, 404, "device_not_found",
		    "no such device");
	switch (approval_decide(r->db, r->arena, id, approve, r->auth.email,
	    r->auth.email)) {
	case APPROVAL_OK:
		return http_reply_json(r, 200,
		    json_pack("{s:I,s:s}", "device_id", (json_int_t)id,
			"status", approve ? "ACTIVE" : "REJECTED"));
	case APPROVAL_NOTFOUND:
		return http_reply_error(r, 404, "device_not_found",
		    "no such student device");
	case APPROVAL_FORBIDDEN:
		return http_reply_error(r, 403, "not_your_student",
		    "you do not teach this student's class");
	case APPROVAL_NOT_PENDING:
		return http_reply_error(r, 409, "device_not_pending",
		    "the device was already decided");
	default:
		return http_reply_error(r, 503, "db_unavailable",
		    "the decision could not be saved; try again");
	}
}

int
devices_approve(struct http_req *r)
{
	return decide(r, 1);
}

int
devices_reject(struct http_req *r)
{
	return decide(r, 0);
}
