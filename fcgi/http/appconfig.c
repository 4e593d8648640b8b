/*
 * appconfig.c - GET /app-config: the public facts the static web pages need
 * before anyone signs in: whether demo mode is on (sign in through the
 * local stand-in instead of Google's button), the Google client id for
 * that button, and whether students may use the web page at all.
 *
 * It also carries the relay's VAPID public key, the applicationServerKey
 * the service worker subscribes to Web Push with (null: Web Push off).
 *
 * Nothing here is a secret and nothing here grants anything: the API still
 * trusts only the ID tokens idtoken.c verifies against GOOGLE_JWKS.
 * With DPOP_NONCE=1 the answer carries the current DPoP nonce, so the
 * sign-in's proof has it at once instead of after a 401 use_dpop_nonce.
 */
#include <string.h>
#include <time.h>

#include "appconfig.h"
#include "config.h"
#include "dpop.h"
#include "log.h"
#include "webpush.h"

/* The VAPID public key, read from the key file once per worker. */
static const char *
vapid_public(const struct config *cfg)
{
	static char pub[WEBPUSH_PUB_B64_LEN + 1];
	static int done;
	char err[256];
	EVP_PKEY *k;

	if (done || cfg->vapid_private_key[0] == '\0')
		return pub[0] ? pub : NULL;
	done = 1;
	if ((k = webpush_key_load(cfg->vapid_private_key, err, sizeof(err))) ==
	    NULL) {
		log_error("VAPID_PRIVATE_KEY: %s; no Web Push", err);
		return NULL;
	}
	if (webpush_pub_b64(k, pub) < 0)
		pub[0] = '\0';
	EVP_PKEY_free(k);
	return pub[0] ? pub : NULL;
}

int
appconfig_get(struct http_req *r)
{
	const char *ids = r->cfg->google_client_ids, *comma;
	char *first;
	json_t *body;

	/* The web client is the first audience; the others are the apps'. */
	comma = strchr(ids, ',');
	first = arena_strndup(r->arena, ids,
	    comma ? (size_t)(comma - ids) : strlen(ids));
	body = json_pack("{s:b,s:s,s:b,s:s?}", "demo", r->cfg->demo != 0,
	    "google_client_id", first, "web_students",
	    r->cfg->web_students != 0, "vapid_public_key",
	    vapid_public(r->cfg));
	http_add_header(r, "Cache-Control", "no-cache");
	if (r->cfg->dpop_nonce)
		http_add_header(r, "DPoP-Nonce",
		    dpop_nonce(r->cfg->jwt_secret, (long long)time(NULL),
			r->arena));
	return http_reply_json(r, 200, body);
}
