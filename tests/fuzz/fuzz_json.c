/*
 * fuzz_json.c - a request body through jsonio: the object parser and the
 * typed field readers every handler uses on it.
 */
#include <jansson.h>

#include "fuzz.h"
#include "jsonio.h"

static const char *const levels[] = { "STRONG", "DEVICE", "BASIC", NULL };

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
	json_decref(obj);
	return 0;
}
