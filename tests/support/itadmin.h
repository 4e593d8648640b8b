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

/*
 * The same through sh -c with the formatted args (quotes as in a shell),
 * from the repository root: an administrator's command line as typed.
 */
int it_admin_sh(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A private temporary directory for a suite's files (made by its init,
 * removed with what is in it by it_tmpdir_remove in its fini), and a file
 * in it written from fmt: its path, valid for the next 7 calls.
 */
const char *it_tmpdir(const char *prefix);
void it_tmpdir_remove(void);
char *it_tmpfile(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
