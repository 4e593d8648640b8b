/*
 * mail.c - the mail job: e-mails from the outbox to an SMTP relay.
 *
 * libcurl speaks SMTP (smtp:// with STARTTLS through CURLOPT_USE_SSL,
 * smtps://, SASL AUTH PLAIN/LOGIN, MAIL FROM / RCPT TO / DATA with dot
 * stuffing), and the relay already links it for FCM and Web Push, so the
 * mail job adds no library and no hand-written protocol code.  One e-mail
 * is in flight at a time on the multi interface, driven at most PASS_MS
 * per loop pass, so a slow mail server never holds up window expiry or
 * the pushes.  E-mails are few (a digest a week per teacher, a guardian
 * notice per crossing); one at a time is plenty.
 *
 * A row is claimed with a lease longer than one SMTP conversation, sent,
 * and settled with outbox_settle: SENT; retried with exponential backoff
 * (push_backoff: SMTP_BACKOFF_BASE doubling, at most an hour, with
 * jitter) on a 4xx or a transport, TLS or AUTH failure; FAILED on a 5xx
 * refusal, or when the next try would come after the row's validity
 * (SMTP_RETRY_FOR from queuing).  Delivery is at least once: a relay
 * killed between the server's 250 and the settle sends that e-mail
 * again when the lease runs out, with the same Message-ID.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "mailmsg.h"
#include "mailout.h"
#include "outbox.h"
#include "push.h"
#include "relay.h"

#define PASS_MS 100
#define BACKOFF_CAP_MS 3600000LL
#define SWEEP_EVERY_MS 60000LL
/*
 * After a claim that found nothing, the next look is a second later: the
 * mail claim reads the PENDING rows in due order and skips the pushes,
 * so looking on every loop pass during a burst of 10,000 pushes read
 * them all on every pass (and made the burst quadratic).  A scheduled
 * retry is still claimed when it falls due.
 */
#define IDLE_POLL_MS 1000LL

enum { ST_SENT, ST_RETRIED, ST_FAILED, ST_N };
static const char *const stat_names[ST_N] = { "mail.sent", "mail.retried",
	"mail.failed" };

struct mail {
	const struct config *cfg;
	int disabled, said_disabled;
	CURLM *multi;
	CURL *easy; /* non-NULL: a transfer is running */
	struct curl_slist *rcpt;
	char owner[64];
	unsigned seq;
	/* the row in flight */
	long long id, expires_ms, renew_ms;
	int tries;
	char *msg;
	size_t len, off;
	char errbuf[CURL_ERROR_SIZE];
	long long sweep_at, retry_at, idle_until;
	long long pending[ST_N];
};

enum mail_verdict
mail_classify(int curl_code, long smtp_code)
{
	if (curl_code == CURLE_OK)
		return MAIL_SENT;
	if (smtp_code >= 500 && smtp_code < 600 && smtp_code != 530 &&
	    smtp_code != 534 && smtp_code != 535 && smtp_code != 538)
		return MAIL_FAIL;
	return MAIL_RETRY;
}

const char *
mail_settings_problem(const struct config *cfg)
{
	int smtps = strncmp(cfg->smtp_url, "smtps://", 8) == 0;

	if (cfg->smtp_url[0] == '\0')
		return NULL;
	if (!smtps && strncmp(cfg->smtp_url, "smtp://", 7) != 0)
		return "'SMTP_URL' must start with smtp:// or smtps://";
	if (!mailmsg_addr_valid(cfg->smtp_from))
		return "'SMTP_FROM' must be an e-mail address when SMTP_URL "
		       "is set";
	if (cfg->demo)
		return NULL;
	if (!smtps && strcmp(cfg->smtp_starttls, "required") != 0)
		return "'SMTP_STARTTLS' must be required outside DEMO (or "
		       "SMTP_URL smtps://)";
	if (cfg->smtp_user[0] == '\0' || cfg->smtp_password[0] == '\0')
		return "'SMTP_USER' and 'SMTP_PASSWORD' are required outside "
		       "DEMO";
	return NULL;
}

static size_t
on_read(char *buf, size_t sz, size_t nm, void *u)
{
	struct mail *m = u;
	size_t n = sz * nm, left = m->len - m->off;

	if (n > left)
		n = left;
	memcpy(buf, m->msg + m->off, n);
	m->off += n;
	return n;
}

static void
transfer_end(struct mail *m)
{
	if (m->easy) {
		curl_multi_remove_handle(m->multi, m->easy);
		curl_easy_cleanup(m->easy);
	}
	curl_slist_free_all(m->rcpt);
	free(m->msg);
	m->easy = NULL;
	m->rcpt = NULL;
	m->msg = NULL;
}

/* Records the fate of the row in flight, with the counters. */
static void
settle(struct mail *m, struct relay *rl, enum outbox_fate fate,
    long long delay_ms, const char *err)
{
	struct outbox_result res = { .id = m->id,
		.fate = fate,
		.delay_ms = delay_ms,
		.error = err };

	if (fate == OUTBOX_SENT)
		m->pending[ST_SENT]++;
	else if (fate == OUTBOX_RETRY)
		m->pending[ST_RETRIED]++;
	else if (fate == OUTBOX_FAILED)
		m->pending[ST_FAILED]++;
	/* on failure the lease runs out and the row is tried again */
	if (outbox_settle(rl->db, rl->arena, m->owner, &res, 1, stat_names,
		m->pending, ST_N) == DB_OK)
		memset(m->pending, 0, sizeof(m->pending));
	if (fate == OUTBOX_RETRY) {
		long long at = clock_wall_ms() + delay_ms + 1;

		if (m->retry_at == 0 || at < m->retry_at)
			m->retry_at = at;
	}
}

static int
start(struct mail *m, const struct config *cfg, const char *to)
{
	char from[MAILMSG_ADDR_MAX + 3], rcpt[MAILMSG_ADDR_MAX + 3];
	long ssl = CURLUSESSL_ALL;

	if (strcmp(cfg->smtp_starttls, "optional") == 0)
		ssl = CURLUSESSL_TRY;
	else if (strcmp(cfg->smtp_starttls, "none") == 0)
		ssl = CURLUSESSL_NONE;
	snprintf(from, sizeof(from), "<%s>", cfg->smtp_from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	if ((m->rcpt = curl_slist_append(NULL, rcpt)) == NULL ||
	    (m->easy = curl_easy_init()) == NULL)
		return -1;
	m->errbuf[0] = '\0';
	curl_easy_setopt(m->easy, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(m->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(m->easy, CURLOPT_USE_SSL, ssl);
	if (cfg->smtp_ca_file[0])
		curl_easy_setopt(m->easy, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_user[0]) {
		curl_easy_setopt(m->easy, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(m->easy, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	curl_easy_setopt(m->easy, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(m->easy, CURLOPT_MAIL_RCPT, m->rcpt);
	curl_easy_setopt(m->easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(m->easy, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(m->easy, CURLOPT_READDATA, m);
	curl_easy_setopt(m->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
	curl_easy_setopt(m->easy, CURLOPT_TIMEOUT, cfg->smtp_timeout);
	curl_easy_setopt(m->easy, CURLOPT_CONNECTTIMEOUT,
	    cfg->smtp_timeout < 10 ? cfg->smtp_timeout : 10L);
	curl_easy_setopt(m->easy, CURLOPT_ERRORBUFFER, m->errbuf);
	curl_easy_setopt(m->easy, CURLOPT_NOSIGNAL, 1L);
	return curl_multi_add_handle(m->multi, m->easy) == CURLM_OK ? 0 : -1;
}

/* Claims one due row and starts its transfer: 1, 0 for none, -1. */
static int
begin(struct mail *m, struct relay *rl)
{
	struct mailout_row *rows;
	struct mailmsg msg;
	char host[32] = "relay", idbuf[64];
	const char *text;
	int n;

	gethostname(host, sizeof(host) - 1);
	snprintf(m->owner, sizeof(m->owner), "mail:%.24s:%d:%08lx:%u", host,
	    (int)getpid(), (unsigned long)random(), ++m->seq);
	if (mailout_claim(rl->db, rl->arena, m->owner,
		(int)m->cfg->smtp_timeout + 30, 1, &rows, &n) != DB_OK)
		return -1;
	if (n == 0)
		return 0;
	m->id = rows[0].id;
	m->tries = rows[0].tries;
	m->expires_ms = rows[0].expires_ms;
	/* stable per row: a resend after a crash has the same id */
	snprintf(idbuf, sizeof(idbuf), "ehazira.mail.%lld", m->id);
	msg = (struct mailmsg){ .from = m->cfg->smtp_from,
		.from_name = "eHazira",
		.to = rows[0].to,
		.subject = rows[0].subject,
		.text = rows[0].text,
		.lang = rows[0].lang,
		.message_id = idbuf,
		.date_s = clock_wall_ms() / 1000 };
	text = rows[0].to ? mailmsg_build(rl->arena, &msg) : NULL;
	if (text == NULL) {
		settle(m, rl, OUTBOX_FAILED, 0, "not a valid e-mail");
		return 1;
	}
	m->len = strlen(text);
	m->off = 0;
	if ((m->msg = strdup(text)) == NULL || start(m, m->cfg, rows[0].to)) {
		transfer_end(m);
		settle(m, rl, OUTBOX_RELEASE, 0, NULL);
		return -1;
	}
	m->renew_ms = clock_wall_ms() + m->cfg->smtp_timeout * 500;
	return 1;
}

/* The outcome of the finished transfer, settled. */
static void
finish(struct mail *m, struct relay *rl, CURLcode rc)
{
	long code = 0, long_delay;
	char err[200];
	enum mail_verdict v;

	curl_easy_getinfo(m->easy, CURLINFO_RESPONSE_CODE, &code);
	v = mail_classify(rc, code);
	snprintf(err, sizeof(err), "smtp %ld: %.160s", code,
	    m->errbuf[0] ? m->errbuf : curl_easy_strerror(rc));
	transfer_end(m);
	if (v == MAIL_SENT) {
		settle(m, rl, OUTBOX_SENT, 0, NULL);
		return;
	}
	long_delay = (long)push_backoff(m->tries, -1, (unsigned long)random(),
	    m->cfg->smtp_backoff, BACKOFF_CAP_MS);
	if (v == MAIL_FAIL ||
	    (m->expires_ms > 0 &&
		clock_wall_ms() + long_delay >= m->expires_ms)) {
		log_warn("mail %lld failed for good after %d tries: %s", m->id,
		    m->tries, err);
		settle(m, rl, OUTBOX_FAILED, 0, err);
		return;
	}
	log_info("mail %lld: try %d refused, retry in %ld ms: %s", m->id,
	    m->tries, long_delay, err);
	settle(m, rl, OUTBOX_RETRY, long_delay, err);
}

/* Drives the transfer for up to PASS_MS; 1 when it ended. */
static int
drive(struct mail *m, struct relay *rl)
{
	long long stop = clock_wall_ms() + PASS_MS;
	CURLMsg *msg;
	int running, left;

	for (;;) {
		curl_multi_perform(m->multi, &running);
		while ((msg = curl_multi_info_read(m->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE &&
			    msg->easy_handle == m->easy) {
				finish(m, rl, msg->data.result);
				return 1;
			}
		if (clock_wall_ms() >= stop)
			return 0;
		curl_multi_poll(m->multi, NULL, 0, 20, NULL);
	}
}

long long
mail_run(struct relay *rl, long long next)
{
	struct mail *m = rl->mail;
	long long now = clock_wall_ms(), failed;
	int rc, due;

	if (m->easy == NULL && now >= m->sweep_at) {
		/* past their validity: FAILED, whether or not mail is on */
		if (mailout_sweep(rl->db, &failed) == DB_OK && failed > 0)
			log_warn("mail: %lld e-mail(s) gave up (validity over)",
			    failed);
		m->sweep_at = now + SWEEP_EVERY_MS;
	}
	if (m->disabled) {
		if (!m->said_disabled)
			log_info("mail: disabled (SMTP_URL is empty)");
		m->said_disabled = 1;
		return next;
	}
	if (m->easy == NULL) {
		due = m->retry_at != 0 && m->retry_at <= now;
		if (due)
			m->retry_at = 0;
		if (!due && now < m->idle_until)
			return m->retry_at && m->retry_at < next ? m->retry_at
								 : next;
		if ((rc = begin(m, rl)) <= 0) {
			if (rc == 0)
				m->idle_until = now + IDLE_POLL_MS;
			return m->retry_at && m->retry_at < next ? m->retry_at
								 : next;
		}
		if (m->easy == NULL)
			return clock_wall_ms(); /* settled at once: next row */
	}
	if (drive(m, rl))
		return clock_wall_ms(); /* more may be due */
	if (clock_wall_ms() >= m->renew_ms) {
		outbox_renew(rl->db, m->owner, (int)m->cfg->smtp_timeout + 30);
		m->renew_ms = clock_wall_ms() + m->cfg->smtp_timeout * 500;
	}
	return clock_wall_ms();
}

int
mail_init(struct relay *rl)
{
	struct mail *m = calloc(1, sizeof(*m));
	const char *problem = mail_settings_problem(rl->cfg);

	if (m == NULL)
		return -1;
	rl->mail = m;
	m->cfg = rl->cfg;
	if (problem) {
		log_error("mail: %s", problem);
		return -1;
	}
	m->disabled = rl->cfg->smtp_url[0] == '\0';
	if (!m->disabled && (m->multi = curl_multi_init()) == NULL)
		return -1;
	if (!m->disabled)
		log_info("mail: sending through %s (STARTTLS %s, AUTH %s)",
		    rl->cfg->smtp_url, rl->cfg->smtp_starttls,
		    rl->cfg->smtp_user[0] ? "on" : "off");
	return 0;
}

void
mail_release(struct relay *rl)
{
	struct mail *m = rl->mail;

	if (m == NULL)
		return;
	transfer_end(m);
	if (m->multi)
		curl_multi_cleanup(m->multi);
	free(m);
	rl->mail = NULL;
}
