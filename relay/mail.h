/*
 * mail.h - the mail job: the outbox's e-mail lane (mailout.h) to an SMTP
 * relay, and the verdict on an SMTP outcome, public for the tests.
 */
#ifndef EHZ_MAIL_H
#define EHZ_MAIL_H

struct config;
struct relay;

enum mail_verdict {
	MAIL_SENT,  /* the relay took it (250 after DATA) */
	MAIL_RETRY, /* 4xx, no connection, TLS or AUTH trouble: later */
	MAIL_FAIL,  /* a 5xx refusal of the message: never again */
};

/*
 * The verdict for what libcurl returned (curl_code, a CURLcode) and the
 * last SMTP reply code (0: none, e.g. no connection).  A 5xx ends the
 * message, except the AUTH codes 530, 534, 535 and 538, which are this
 * relay's settings, not the message: those are retried so that a fixed
 * password delivers what waited.
 */
enum mail_verdict mail_classify(int curl_code, long smtp_code);

/*
 * The settings' check: NULL when they may be used, else what is wrong,
 * naming the key.  Outside DEMO, SMTP_URL needs STARTTLS required (or
 * smtps://) and SMTP_USER and SMTP_PASSWORD: no password or notice
 * crosses the network in clear.  SMTP_FROM must be an address.
 */
const char *mail_settings_problem(const struct config *cfg);

/* The job (relay.c).  mail_init: 0, or -1 on bad settings (fatal). */
int mail_init(struct relay *rl);
long long mail_run(struct relay *rl, long long next);
void mail_release(struct relay *rl);

#endif
