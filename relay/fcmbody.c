/*
 * fcmbody.c - FCM request bodies (fcmbody.h).
 *
 * A wave's rows come in runs: a class's 50 share one payload, collapse
 * key and expiry, and differ only in the device's token.  Building each
 * body from scratch (parse the payload, build the message, serialise it:
 * push_message) was a quarter of the relay's CPU in a burst; here the
 * last message is kept as the text around its token, and a row of the
 * same run costs one copy.  The token is spliced in only when it needs no
 * JSON escaping (FCM's tokens are letters, digits and -_:.); any other
 * row takes the full path, so the bytes are push_message's either way.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fcmbody.h"
#include "push.h"

/* Cannot appear in a dump: a real token never holds a '"'. */
#define MARK "fcmbody\"mark"
#define MARK_JSON "fcmbody\\\"mark"

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
plain_token(const char *t)
{
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
			(*t >= '0' && *t <= '9') || *t == '-' || *t == '_' ||
			*t == ':' || *t == '.'))
			return 0;
	return 1;
}

static char *
dump(const char *payload, const char *token, const char *collapse_key,
    long long expires_ms, long long now_ms)
{
	json_t *m =
	    push_message(payload, token, collapse_key, expires_ms, now_ms);
	char *s = m ? json_dumps(m, JSON_COMPACT) : NULL;

	json_decref(m);
	return s;
}

void
fcmbody_clear(struct fcmbody *c)
{
	free(c->payload);
	free(c->collapse);
	free(c->head);
	free(c->tail);
	memset(c, 0, sizeof(*c));
}

/* The message around MARK, as the cache for this run; 0 or -1. */
static int
learn(struct fcmbody *c, const char *payload, const char *collapse_key,
    long long ttl_s, long long expires_ms, long long now_ms)
{
	char *s = dump(payload, MARK, collapse_key, expires_ms, now_ms), *at;

	fcmbody_clear(c);
	if (s == NULL || (at = strstr(s, MARK_JSON)) == NULL) {
		free(s);
		return -1;
	}
	c->head = strndup(s, (size_t)(at - s));
	c->tail = strdup(at + strlen(MARK_JSON));
	c->payload = strdup(payload);
	c->collapse = collapse_key ? strdup(collapse_key) : NULL;
	c->ttl_s = ttl_s;
	free(s);
	if (c->head == NULL || c->tail == NULL || c->payload == NULL ||
	    (collapse_key && c->collapse == NULL)) {
		fcmbody_clear(c);
		return -1;
	}
	return 0;
}

char *
fcmbody_build(struct fcmbody *c, const char *payload, const char *token,
    const char *collapse_key, long long expires_ms, long long now_ms)
{
	long long ttl_s = push_ttl(expires_ms, now_ms);
	size_t h, t, k;
	char *s;

	if (payload == NULL || token == NULL || !plain_token(token))
		return dump(payload, token, collapse_key, expires_ms, now_ms);
	if (!(c->head && c->ttl_s == ttl_s &&
		strcmp(c->payload, payload) == 0 &&
		same(c->collapse, collapse_key)) &&
	    learn(c, payload, collapse_key, ttl_s, expires_ms, now_ms) < 0)
		return dump(payload, token, collapse_key, expires_ms, now_ms);
	h = strlen(c->head);
	k = strlen(token);
	t = strlen(c->tail);
	if ((s = malloc(h + k + t + 1)) == NULL)
		return NULL;
	memcpy(s, c->head, h);
	memcpy(s + h, token, k);
	memcpy(s + h + k, c->tail, t + 1);
	return s;
}
