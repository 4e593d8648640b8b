/*
 * profile.c - GET /me: the signed-in user's name, role and, for a student,
 * class; for a teacher, the subjects they teach.  Apps use it after sign-in
 * and on reload.
 */
#include "db.h"
#include "profile.h"

int
profile_get(struct http_req *r)
{
	struct db_rows rows;
	json_t *body, *subjects;
	int rc, i;

	if (r->auth.role == ROLE_STUDENT) {
		rc = db_query_one(r->db, r->arena, &rows,
		    "SELECT s.name, s.roll_no, s.class_id, c.batch, c.semester, "
		    "c.section, d.department_name FROM student s "
		    "JOIN class c ON c.class_id = s.class_id "
		    "JOIN department d ON d.department_id = c.department_id "
		    "WHERE s.student_email = ?",
		    "s", r->auth.email);
		if (rc != DB_OK)
			return 500;
		body = json_pack("{s:s,s:s,s:I,s:s?,s:s?,s:{s:I,s:s?,s:I,s:s?,"
				 "s:s?}}",
		    "email", r->auth.email, "role", "student", "device_id",
		    (json_int_t)r->auth.device_id, "name", db_get(&rows, 0, 0),
		    "roll_no", db_get(&rows, 0, 1), "class", "class_id",
		    (json_int_t)db_get_int(&rows, 0, 2), "batch",
		    db_get(&rows, 0, 3), "semester",
		    (json_int_t)db_get_int(&rows, 0, 4), "section",
		    db_get(&rows, 0, 5), "department", db_get(&rows, 0, 6));
		return http_reply_json(r, 200, body);
	}
	rc = db_query_one(r->db, r->arena, &rows,
	    "SELECT t.name, t.designation, d.department_name, t.department_id "
	    "FROM teacher t "
	    "JOIN department d ON d.department_id = t.department_id "
	    "WHERE t.teacher_email = ?",
	    "s", r->auth.email);
	if (rc != DB_OK)
		return 500;
	/* heads and administrators are teachers with a role of their own */
	body = json_pack("{s:s,s:s,s:I,s:s?,s:s?,s:s?,s:I}", "email",
	    r->auth.email, "role", token_role_name(r->auth.role), "device_id",
	    (json_int_t)r->auth.device_id, "name", db_get(&rows, 0, 0),
	    "designation", db_get(&rows, 0, 1), "department",
	    db_get(&rows, 0, 2), "department_id",
	    (json_int_t)db_get_int(&rows, 0, 3));
	rc = db_query(r->db, r->arena, &rows,
	    "SELECT sj.subject_id, sj.course_id, co.course_name, sj.class_id, "
	    "c.batch, c.semester, c.section FROM subject sj "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "JOIN class c ON c.class_id = sj.class_id "
	    "WHERE sj.teacher_email = ? ORDER BY sj.subject_id",
	    "s", r->auth.email);
	if (rc != DB_OK) {
		json_decref(body);
		return 500;
	}
	subjects = json_array();
	for (i = 0; i < rows.nrows; i++)
		json_array_append_new(subjects,
		    json_pack("{s:I,s:s,s:s,s:I,s:s,s:I,s:s}", "subject_id",
			(json_int_t)db_get_int(&rows, i, 0), "course_id",
			db_get(&rows, i, 1), "course_name", db_get(&rows, i, 2),
			"class_id", (json_int_t)db_get_int(&rows, i, 3),
			"batch", db_get(&rows, i, 4), "semester",
			(json_int_t)db_get_int(&rows, i, 5), "section",
			db_get(&rows, i, 6)));
	json_object_set_new(body, "subjects", subjects);
	return http_reply_json(r, 200, body);
}
