/*
 * wpsend.c - a Web Push delivery as a libcurl transfer (see wpsend.h).
 *
 * The VAPID JWT is the same for every push to one push service until it
 * expires, and signing is the dearest step after the encryption, so the
 * Authorization header is kept per audience (a few push services: FCM's
 * for Chrome, Mozilla's, Apple's ...) and made again an hour before its
 * exp.  The encryption is per message: a fresh key and salt each time, as
 * RFC 8291 requires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "webpush.h"
#include "wpsend.h"

#define VAPID_SLOTS 8
#define VAPID_RENEW_S 3600 /* make a new JWT this long before exp */

struct vapid_hdr {
	char aud[WEBPUSH_ENDPOINT_MAX + 1];
	char *value;
	long long exp_s;
};

struct wpsend {
	EVP_PKEY *key;
	char *subject;
	struct vapid_hdr cache[VAPID_SLOTS];
	int next;
};

struct wpsend *
wpsend_new(const char *key_path, const char *subject, char *err, size_t errlen)
{
	struct wpsend *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((w->key = webpush_key_load(key_path, err, errlen)) == NULL ||
	    (w->subject = strdup(subject)) == NULL) {
		wpsend_free(w);
		return NULL;
	}
	return w;
}

void
wpsend_free(struct wpsend *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < VAPID_SLOTS; i++)
		free(w->cache[i].value);
	EVP_PKEY_free(w->key);
	free(w->subject);
	free(w);
}

long
wpsend_ttl(long long expires_ms, long long now_ms)
{
	long long left;

	if (expires_ms <= 0)
		return PUSH_TTL_MAX;
	left = (expires_ms - now_ms) / 1000;
	return left < 0 ? 0 : left > PUSH_TTL_MAX ? PUSH_TTL_MAX : (long)left;
}

void
wpsend_topic(const char *key, char out[33])
{
	size_t n = 0;

	for (; key && *key && n < 32; key++)
		if ((*key >= 'A' && *key <= 'Z') ||
		    (*key >= 'a' && *key <= 'z') ||
		    (*key >= '0' && *key <= '9') || *key == '-' || *key == '_')
			out[n++] = *key;
	out[n] = '\0';
}

/* The cached Authorization value for endpoint's push service. */
static const char *
vapid_for(struct wpsend *w, const char *endpoint, long long now_s)
{
	char aud[WEBPUSH_ENDPOINT_MAX + 1];
	struct vapid_hdr *h;
	int i;

	if (webpush_audience(endpoint, aud, sizeof(aud)) < 0)
		return NULL;
	for (i = 0; i < VAPID_SLOTS; i++) {
		h = &w->cache[i];
		if (h->value && strcmp(h->aud, aud) == 0 &&
		    h->exp_s - VAPID_RENEW_S > now_s)
			return h->value;
	}
	h = &w->cache[w->next];
	w->next = (w->next + 1) % VAPID_SLOTS;
	free(h->value);
	h->exp_s = now_s + WEBPUSH_JWT_LIFE_S;
	h->value = webpush_vapid(w->key, endpoint, w->subject, h->exp_s);
	snprintf(h->aud, sizeof(h->aud), "%s", aud);
	return h->value;
}

static int
decode_keys(const struct outbox_row *row, unsigned char p256dh[65],
    unsigned char auth[16])
{
	if (row->wp_p256dh == NULL || row->wp_auth == NULL ||
	    webpush_b64url_decode(row->wp_p256dh, p256dh, 65) != 65 ||
	    webpush_b64url_decode(row->wp_auth, auth, 16) != 16)
		return -1;
	return 0;
}

static struct curl_slist *
headers(const char *vapid, long ttl, const char *topic)
{
	struct curl_slist *l = NULL, *n;
	char buf[2048];
	int i;
	const char *fixed[] = { "Content-Encoding: aes128gcm",
		"Content-Type: application/octet-stream", "Urgency: high",
		"Expect:" };

	snprintf(buf, sizeof(buf), "Authorization: %s", vapid);
	l = curl_slist_append(l, buf);
	snprintf(buf, sizeof(buf), "TTL: %ld", ttl);
	if (l)
		l = (n = curl_slist_append(l, buf)) ? n : l;
	for (i = 0; l && i < 4; i++)
		l = (n = curl_slist_append(l, fixed[i])) ? n : l;
	if (l && *topic) {
		snprintf(buf, sizeof(buf), "Topic: %s", topic);
		l = (n = curl_slist_append(l, buf)) ? n : l;
	}
	return l;
}

int
wpsend_prepare(struct wpsend *w, CURL *easy, const struct outbox_row *row,
    long long now_ms, struct curl_slist **hdrs, char **body, const char **why)
{
	unsigned char p256dh[65], auth[16], *enc;
	const char *vapid;
	char *plain, topic[33];
	size_t n;

	*body = NULL;
	if (decode_keys(row, p256dh, auth) < 0) {
		*why = "bad subscription keys";
		return -1;
	}
	if ((plain = webpush_payload(row->payload)) == NULL) {
		*why = "bad payload";
		return -1;
	}
	if (webpush_encrypt(p256dh, auth, plain, strlen(plain), NULL, NULL,
		&enc, &n) < 0) {
		free(plain);
		*why = "encryption failed";
		return -1;
	}
	free(plain);
	if ((vapid = vapid_for(w, row->wp_endpoint, now_ms / 1000)) == NULL) {
		free(enc);
		*why = "bad endpoint";
		return -1;
	}
	wpsend_topic(row->collapse_key, topic);
	curl_slist_free_all(*hdrs);
	*hdrs = headers(vapid, wpsend_ttl(row->expires_ms, now_ms), topic);
	*body = (char *)enc;
	curl_easy_setopt(easy, CURLOPT_URL, row->wp_endpoint);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)n);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, *body);
	return 0;
}

enum push_verdict
wpsend_classify(long status, char *code, size_t codelen)
{
	if (status == 0)
		snprintf(code, codelen, "transport error");
	else if (status >= 200 && status < 300)
		snprintf(code, codelen, "%s", "");
	else
		snprintf(code, codelen, "HTTP %ld", status);
	if (status >= 200 && status < 300)
		return PUSH_OK;
	if (status == 404 || status == 410)
		return PUSH_UNREGISTERED;
	if (status == 0 || status == 429 || status >= 500)
		return PUSH_RETRY;
	return PUSH_DROP;
}
