/*
 * devshare.h - one phone, one student: finding and releasing another
 * student's binding of the same phone.
 */
#ifndef EHZ_DEVSHARE_H
#define EHZ_DEVSHARE_H

#include "arena.h"

struct db;

/*
 * The e-mail of another student (not email) whose ACTIVE app device has
 * fingerprint fp, in *holder (arena memory), locking that fingerprint's
 * rows; DB_OK, DB_NOTFOUND (nobody else) or a DB_* error.
 */
int devshare_holder(struct db *db, struct arena *ar, const char *fp,
    const char *email, const char **holder);

/*
 * On approval of device_id (a student's phone): every other student's
 * ACTIVE device of the same phone becomes REPLACED, its refresh tokens
 * revoked, audited.  Inside the caller's transaction; DB_* code.
 */
int devshare_release(struct db *db, struct arena *ar, long long device_id,
    const char *actor);

#endif
