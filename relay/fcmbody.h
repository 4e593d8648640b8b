/*
 * fcmbody.h - FCM request bodies, the last message reused for the next
 * row with the same payload, collapse key and TTL.
 */
#ifndef EHZ_FCMBODY_H
#define EHZ_FCMBODY_H

/* The last message built; zero it to start, fcmbody_clear to free. */
struct fcmbody {
	char *payload, *collapse;
	long long ttl_s;
	char *head, *tail; /* body = head + token + tail */
};

/*
 * push_message's body for one row as compact JSON text (malloc'd), from
 * the cache when the row matches the last one; NULL when the payload is
 * not a JSON object.
 */
char *fcmbody_build(struct fcmbody *c, const char *payload, const char *token,
    const char *collapse_key, long long expires_ms, long long now_ms);
void fcmbody_clear(struct fcmbody *c);

#endif
