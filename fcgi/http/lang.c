/*
 * lang.c - POST /me/lang: the app (web or phone) reports the language the
 * user chose, and it is kept on the caller's device row (device.lang), so
 * the pushes and notices queued for that device are written in it
 * (fcgi/domain/notices.c).  The language is per device: one user may read
 * Hindi on the phone and English on a laptop.
 */
#include <string.h>

#include "db.h"
#include "lang.h"
#include "log.h"
#include "notices.h"

int
lang_set(struct http_req *r)
{
	const char *lang = json_string_value(json_object_get(r->json, "lang"));
	int rc;

	if (!notices_lang_valid(lang))
		return http_reply_error(r, 400, "unknown_language",
		    "lang must be one of en, hi, ur");
	rc = db_exec(r->db, "UPDATE device SET lang = ? WHERE device_id = ?",
	    "sI", lang, r->auth.device_id);
	if (rc != DB_OK) {
		log_error("me/lang: device %lld: db %d", r->auth.device_id, rc);
		return rc == DB_DOWN ? 503 : 500;
	}
	return http_reply_json(r, 200,
	    json_pack("{s:I,s:s}", "device_id", (json_int_t)r->auth.device_id,
		"lang", lang));
}
