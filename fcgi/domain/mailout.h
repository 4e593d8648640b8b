/*
 * mailout.h - the mail lane of the outbox: e-mails queued by the admin
 * CLI (weekly digest) and the warnings (guardian notice), sent by the
 * relay's mail job.  Rows of kind "mail.*" in the outbox table, settled
 * and renewed with outbox_settle / outbox_renew like pushes.
 */
#ifndef EHZ_MAILOUT_H
#define EHZ_MAILOUT_H

#include "arena.h"

struct db;

/*
 * Queues one e-mail inside the caller's transaction.  kind "mail.digest"
 * or "mail.guardian"; idem_key names the one e-mail it is ("digest:<week>:
 * <address>", "guardian:<student>:<subject>:<crossing>"): a second queue
 * with the same key adds nothing.  to must pass mailmsg_addr_valid; the
 * subject and text are the final words in the recipient's language
 * (lang, for Content-Language).  Sending stops at expires_ms (the row
 * becomes FAILED).  *queued (may be NULL) is 1 when a row was added, 0
 * when the key was there already.  DB_OK, DB_ERR for an invalid address
 * (nothing written), or the DB_* error.
 */
int mailout_queue(struct db *db, const char *kind, const char *idem_key,
    const char *to, const char *subject, const char *text, const char *lang,
    long long expires_ms, int *queued);

struct mailout_row {
	long long id;
	long long created_ms, expires_ms;
	int tries; /* including this attempt */
	const char *kind, *idem_key;
	const char *to, *subject, *text, *lang; /* from the payload */
};

/*
 * Leases up to limit due mail rows to owner for lease_s seconds (SKIP
 * LOCKED, as outbox_claim does for pushes), counting one try each; rows
 * whose payload cannot be read come back with to == NULL.  In a.  DB_*.
 */
int mailout_claim(struct db *db, struct arena *a, const char *owner,
    int lease_s, int limit, struct mailout_row **rows, int *n);

/*
 * Mail rows past their validity (expires_at) and not leased become
 * FAILED ("gave up: ..."); *failed gets how many.  DB_*.
 */
int mailout_sweep(struct db *db, long long *failed);

#endif
