/*
 * itclass.h - the class an integration test takes attendance in: a
 * department, a class of n verified students with an active device and a
 * token each, a teacher with a device and a token, a course, a subject
 * and one period; and the window it opens.  Rows are written straight
 * into the test stack's database (it.h), with names unique to the call.
 */
#ifndef EHZ_ITCLASS_H
#define EHZ_ITCLASS_H

#define IT_CLASS_MAX 40

struct it_class {
	long long department_id, class_id, subject_id, period_id;
	long long teacher_dev;
	char teacher[128];
	char course[32];
	char *teacher_tok;
	int n;
	char students[IT_CLASS_MAX][128];
	char *tokens[IT_CLASS_MAX];
	long long devices[IT_CLASS_MAX];
};

/*
 * An active device of email's; platform "ANDROID" (with an FCM push
 * token) or "WEB" (no push token: Web Push subscribes later).
 */
long long
it_device_add(const char *email, const char *role, const char *platform);
/* A class of n students (at most IT_CLASS_MAX) on devices of platform. */
void
it_class_make(struct it_class *k, const char *tag, int n, const char *platform);
/* POST /attendance/initiate for the class's period; the session id, the
 * code into otp. */
long long it_class_initiate(const struct it_class *k, char otp[5]);
/* POST /attendance/close of the session by its teacher; it must be 200. */
void it_class_close(const char *teacher_tok, long long sid);

#endif
