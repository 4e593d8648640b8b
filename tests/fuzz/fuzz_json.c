/*
 * fuzz_json.c - a request body through jsonio: the object parser and the
 * typed field readers every handler uses on it; a submit's position
 * (geofence.c) and a class policy's values (policycheck.c, as PUT
 * /classes/:id/policy hands them on).
 */
#include <jansson.h>

#include "arena.h"
#include "fuzz.h"
#include "geofence.h"
#include "jsonio.h"
#include "policycheck.h"

static const char *const levels[] = { "STRONG", "DEVICE", "BASIC", NULL };

/* The position of a submit and each string member as a policy value. */
static void
policy_values(json_t *obj)
{
	struct geofence_pos pos;
	struct arena *ar = arena_new(4096);
	const char *key;
	char err[256];
	json_t *v;

	(void)geofence_position(obj, &pos, err, sizeof(err));
	json_object_foreach(obj, key, v)
	{
		if (ar && json_is_string(v) && policycheck_owns(key))
			(void)policycheck_value(ar, key, json_string_value(v),
			    err, sizeof(err));
	}
	arena_free(ar);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	const char *s;
	long long n;
	int idx;
	json_t *obj, *sub = NULL, *res = NULL;

	obj = jsonio_parse_object((const char *)data, size, err, sizeof(err));
	if (obj == NULL)
		return 0;
	(void)jsonio_string(obj, "otp", 1, 16, &s, err, sizeof(err));
	(void)jsonio_string(obj, "device_uuid", 0, 64, &s, err, sizeof(err));
	(void)jsonio_int(obj, "session_id", 1, 1, 1LL << 53, &n, err,
	    sizeof(err));
	(void)jsonio_enum(obj, "platform", 0, levels, &idx, err, sizeof(err));
	(void)jsonio_object(obj, "evidence", 0, &sub, err, sizeof(err));
	(void)jsonio_refuse(&res, 400, "bad_request", err);
	json_decref(res);
	policy_values(obj);
	json_decref(obj);
	return 0;
}
