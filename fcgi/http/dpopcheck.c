/*
 * dpopcheck.c - DPoP proofs on requests: where the proof is, what it must
 * match, the replay store, and the 401 answers.
 *
 * The proof comes in the DPoP header; on the WebSocket upgrade (browsers
 * cannot set headers there) as a subprotocol entry "dpop.<proof>" next to
 * "bearer.<token>" (a JWS is base64url and dots: a valid protocol token;
 * the server answers with ws+meta.nchan, so the extra entry costs
 * nothing), checked against GET and the path of the original URI.  The proof must name this
 * request (method, host, path), be fresh, and - with an access token -
 * carry the token's hash and be signed by the token's key (cnf.jkt).  A
 * proof is accepted once: its jti (per key) goes into dpop_jti with an
 * expiry beyond the accepted age, and a second insert is a replay.
 * Refusals are 401 with a code per cause (dpop.c) and a WWW-Authenticate
 * DPoP challenge; with DPOP_NONCE=1 a proof without the current nonce
 * gets 401 use_dpop_nonce and the nonce in the DPoP-Nonce header.
 */
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "dpop.h"
#include "dpopcheck.h"
#include "log.h"

/* The WebSocket upgrade's proof (its "dpop." subprotocol entry) and path
 * (nginx's ORIG_URI without the query). */
static const char *
ws_proof(struct http_req *r, const char **path)
{
	const char *p = r->ws_protocols, *e, *q;

	if (r->orig_uri != NULL) {
		q = strchr(r->orig_uri, '?');
		*path = q ? arena_strndup(r->arena, r->orig_uri,
				(size_t)(q - r->orig_uri))
			  : r->orig_uri;
	}
	while (p && *p) {
		p += strspn(p, " \t,");
		e = p + strcspn(p, " \t,");
		if (e - p > 5 && strncmp(p, "dpop.", 5) == 0)
			return arena_strndup(r->arena, p + 5,
			    (size_t)(e - p - 5));
		p = e;
	}
	return NULL;
}

/* Remembers the proof's jti; 0 when new, DPOP_REPLAY, or -1 (database). */
static int
remember(struct http_req *r, const struct dpop_proof *p)
{
	const char *key = dpop_jti_key(p, r->arena);

	if (key == NULL)
		return -1;
	/* housekeeping on about one insert in 64 (the key is random) */
	if (key[0] == '0' && key[1] < '4')
		db_exec(r->db,
		    "DELETE FROM dpop_jti WHERE expires_at < NOW() LIMIT 500",
		    "");
	if (db_exec(r->db,
		"INSERT IGNORE INTO dpop_jti (jti_hash, expires_at) "
		"VALUES (?, NOW() + INTERVAL ? SECOND)",
		"sI", key, (long long)DPOP_JTI_TTL) != DB_OK)
		return -1;
	return db_affected(r->db) == 1 ? 0 : DPOP_REPLAY;
}

static int
refuse(struct http_req *r, int rc, long long now)
{
	if (rc == DPOP_NONCE) {
		http_add_header(r, "DPoP-Nonce",
		    dpop_nonce(r->cfg->jwt_secret, now, r->arena));
		http_add_header(r, "WWW-Authenticate",
		    "DPoP error=\"use_dpop_nonce\", algs=\"ES256\"");
	} else {
		http_add_header(r, "WWW-Authenticate",
		    "DPoP error=\"invalid_dpop_proof\", algs=\"ES256\"");
	}
	log_warn("%s %s: DPoP proof refused: %s", r->method, r->path,
	    dpop_code(rc));
	return http_reply_error(r, 401, dpop_code(rc), "%s", dpop_reason(rc));
}

int
dpopcheck_request(struct http_req *r, int in_uri, const char *token,
    const char *jkt, struct dpop_proof *out)
{
	struct dpop_expect e = { 0 };
	const char *proof = http_env(r, "HTTP_DPOP");
	int rc;

	e.htm = r->method;
	e.path = r->path;
	if (in_uri) {
		e.htm = "GET";
		proof = ws_proof(r, &e.path);
	}
	e.host = http_env(r, "HTTP_HOST");
	e.token = token;
	e.jkt = jkt;
	e.now = (long long)time(NULL);
	e.nonce_key = r->cfg->dpop_nonce ? r->cfg->jwt_secret : NULL;
	rc = dpop_verify(proof, &e, out, r->arena);
	if (rc == DPOP_OK && (rc = remember(r, out)) < 0 && rc != DPOP_REPLAY)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	if (rc != DPOP_OK)
		return refuse(r, rc, e.now);
	if (e.nonce_key) /* the next proof's nonce, ahead of time */
		http_add_header(r, "DPoP-Nonce",
		    dpop_nonce(r->cfg->jwt_secret, e.now, r->arena));
	return 0;
}

int
dpopcheck_present(const struct http_req *r)
{
	const char *h = http_env(r, "HTTP_DPOP");

	return h != NULL && *h != '\0';
}
