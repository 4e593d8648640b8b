/*
 * push.h - the push job: outbox rows to Firebase Cloud Messaging HTTP v1,
 * and the pieces of the FCM protocol it is made of (message, verdict,
 * backoff), public so they can be tested without a network.
 */
#ifndef EHZ_PUSH_H
#define EHZ_PUSH_H

#include <jansson.h>

struct relay;

#define PUSH_TTL_MAX 2419200 /* FCM's limit, 28 days */

/* What an FCM answer means for the row. */
enum push_verdict {
	PUSH_OK,           /* delivered to FCM */
	PUSH_RETRY,        /* 429, 5xx, transport: later, with backoff */
	PUSH_DROP,         /* 400 and other refusals: log, never again */
	PUSH_UNREGISTERED, /* 404/UNREGISTERED: clear the device's token */
	PUSH_REAUTH,       /* 401: new access token, then once more */
};

/*
 * The v1 request body {"message":{...}} for one outbox payload
 * ({"notification":{title, body}, "data":{...}}): android priority high,
 * ttl the whole seconds left until expires_ms ("0s" at least; the maximum
 * when expires_ms is 0), the collapse key (omitted when NULL), data
 * values as strings (numbers and booleans converted, anything else and an
 * "otp" key left out).  New reference; NULL when the payload is not a
 * JSON object.
 */
json_t *push_message(const char *payload, const char *token,
    const char *collapse_key, long long expires_ms, long long now_ms);
/* The ttl push_message gives a row expiring at expires_ms, seconds. */
long long push_ttl(long long expires_ms, long long now_ms);

/*
 * The verdict for an HTTP status and body (status 0: transport error).
 * The FCM errorCode (or else the HTTP status) is copied into code, for
 * the log and last_error.
 */
enum push_verdict
push_classify(long status, const char *body, char *code, size_t codelen);

/*
 * The delay before try number tries + 1: base_ms, twice that, four times
 * ... (capped at cap_ms) plus up to half again of jitter from rnd, and
 * never less than retry_after_s (a Retry-After; <= 0 when none).
 */
long long push_backoff(int tries, long retry_after_s, unsigned long rnd,
    long long base_ms, long long cap_ms);

/*
 * The moment after which a row is no longer worth a try: its expiry, or
 * for a row without one, created_ms + retry_for_s.  A failed send is
 * retried while the next try falls before it, so a start push is retried
 * until its window ends and an absence notice for its day, whatever the
 * number of tries.
 */
long long
push_deadline(long long expires_ms, long long created_ms, long retry_for_s);

/*
 * A Retry-After header value, seconds or an HTTP date, as seconds from
 * now_s; -1 when absent or unreadable.
 */
long push_retry_after(const char *value, long long now_s);

/* The job (relay.c).  push_init: 0, or -1 on bad FCM settings (fatal). */
int push_init(struct relay *rl);
long long push_run(struct relay *rl, long long next);
void push_release(struct relay *rl);

#endif
