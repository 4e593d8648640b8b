/*
 * itadmin.h - running ehazira-admin from integration tests as an
 * administrator would: from the repository root, with the test stack's
 * environment, output captured.
 */
#ifndef EHZ_ITADMIN_H
#define EHZ_ITADMIN_H

#include <stddef.h>

/*
 * Runs $EHAZIRA_BIN/ehazira-admin with the NULL-terminated args; its exit
 * status (-1 when killed), stdout and stderr together in out.  A
 * fsize_limit above 0 caps the size of files it may write (RLIMIT_FSIZE),
 * which stands in for a full disk without root.
 */
int it_admin(char *out, size_t n, long fsize_limit, const char *const *args);

#endif
