/*
 * jsonio.c - request-body validation: every handler reads its fields through
 * these getters, so a wrong type, a missing key or an oversized value is a
 * 400 with the field named, never a crash or a silent default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

json_t *
jsonio_parse_object(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;

	if (body == NULL || len == 0) {
		snprintf(err, errlen, "a JSON object body is required");
		return NULL;
	}
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		snprintf(err, errlen, "malformed JSON at line %d column %d",
		    je.line, je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(err, errlen, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static json_t *
field(json_t *obj, const char *key, int required, char *err, size_t errlen,
    int *missing)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*missing = (v == NULL || json_is_null(v));
	if (*missing && required)
		snprintf(err, errlen, "'%s' is required", key);
	return *missing ? NULL : v;
}

int
jsonio_string(json_t *obj, const char *key, int required, size_t maxlen,
    const char **out, char *err, size_t errlen)
{
	int missing;
	json_t *v = field(obj, key, required, err, errlen, &missing);
	size_t n;

	if (missing)
		return required ? -1 : 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "'%s' must be a string", key);
		return -1;
	}
	n = json_string_length(v);
	if (n == 0 || n > maxlen || strlen(json_string_value(v)) != n) {
		snprintf(err, errlen, "'%s' must be 1 to %zu characters", key,
		    maxlen);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
jsonio_int(json_t *obj, const char *key, int required, long long min,
    long long max, long long *out, char *err, size_t errlen)
{
	int missing;
	json_t *v = field(obj, key, required, err, errlen, &missing);
	long long n;
	char *end;
	const char *s;

	if (missing)
		return required ? -1 : 0;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || strlen(s) > 19)
			goto bad;
	} else {
		goto bad;
	}
	if (n < min || n > max)
		goto bad;
	*out = n;
	return 0;
bad:
	snprintf(err, errlen, "'%s' must be a whole number from %lld to %lld",
	    key, min, max);
	return -1;
}

int
jsonio_enum(json_t *obj, const char *key, int required,
    const char *const *allowed, int *out, char *err, size_t errlen)
{
	const char *s = NULL;
	int i;
	size_t n = 0;
	char list[256] = "";

	if (jsonio_string(obj, key, required, 64, &s, err, errlen) < 0)
		return -1;
	if (s == NULL)
		return 0;
	for (i = 0; allowed[i]; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			*out = i;
			return 0;
		}
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i ? ", " : "", allowed[i]);
		if (n >= sizeof(list))
			n = sizeof(list) - 1;
	}
	snprintf(err, errlen, "'%s' must be one of %s", key, list);
	return -1;
}

int
jsonio_object(json_t *obj, const char *key, int required, json_t **out,
    char *err, size_t errlen)
{
	int missing;
	json_t *v = field(obj, key, required, err, errlen, &missing);

	if (missing)
		return required ? -1 : 0;
	if (!json_is_object(v)) {
		snprintf(err, errlen, "'%s' must be an object", key);
		return -1;
	}
	*out = v;
	return 0;
}

json_t *
jsonio_error(const char *code, const char *message)
{
	return json_pack("{s:{s:s,s:s}}", "error", "code", code, "message",
	    message);
}

int
jsonio_refuse(json_t **result, int status, const char *code,
    const char *message)
{
	*result = jsonio_error(code, message);
	return status;
}

static void
decref(void *j)
{
	json_decref(j);
}

int
jsonio_defer(struct arena *a, json_t *j)
{
	return arena_defer(a, decref, j);
}
