/*
 * wpsend.h - one Web Push delivery (RFC 8030) as a libcurl transfer: the
 * push job (push.c) hands a claimed outbox row of a WEB device with a
 * subscription here and drives the transfer with its FCM ones.
 */
#ifndef EHZ_WPSEND_H
#define EHZ_WPSEND_H

#include <curl/curl.h>

#include "outbox.h"
#include "push.h"

struct wpsend;

/* The VAPID key file and subject; NULL with err set on a bad key. */
struct wpsend *
wpsend_new(const char *key_path, const char *subject, char *err, size_t errlen);
void wpsend_free(struct wpsend *w);

/*
 * Sets easy up to POST row's payload, encrypted for its subscription, to
 * its endpoint with the VAPID Authorization, TTL (the seconds left until
 * the row expires), Urgency: high and Topic (the collapse key, the Web
 * Push analogue).  *hdrs is replaced (the caller frees it after the
 * transfer) and *body is the malloc'd encrypted body.  0, or -1 with
 * *why saying why the row cannot be sent.
 */
int wpsend_prepare(struct wpsend *w, CURL *easy, const struct outbox_row *row,
    long long now_ms, struct curl_slist **hdrs, char **body, const char **why);

/* The TTL header for a row expiring at expires_ms (0: none). */
long wpsend_ttl(long long expires_ms, long long now_ms);

/*
 * A Topic header value from a collapse key: its [A-Za-z0-9_-] characters,
 * at most 32 (RFC 8030 section 5.4); empty when none are left.
 */
void wpsend_topic(const char *key, char out[33]);

/*
 * What a push service's status means: 201 (and other 2xx) sent; 404 and
 * 410 the subscription is gone; 429, 5xx and transport errors retried;
 * everything else (400, 401/403 VAPID refused, 413) dropped.  The status
 * is copied into code for the log and last_error.
 */
enum push_verdict wpsend_classify(long status, char *code, size_t codelen);

#endif
