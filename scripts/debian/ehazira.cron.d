# /etc/cron.d/ehazira: the nightly attendance reports and low-attendance
# warnings (cron-report), as the ehazira user, in the system's time zone.
# Output: REPORT_DIR/<date>/ (config); log: /var/log/ehazira/cron-report.log.
# Monday mornings, the weekly digest e-mails to teachers and heads
# (cron-digest; does nothing while SMTP_URL is unset).
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
EHAZIRA_CONF=/etc/ehazira/ehazira.conf
EHAZIRA_BIN=/usr/lib/ehazira
EHAZIRA_LOG_DIR=/var/log/ehazira

30 1 * * * ehazira [ -x /usr/lib/ehazira/cron-report ] && /usr/lib/ehazira/cron-report
15 6 * * 1 ehazira [ -x /usr/lib/ehazira/cron-digest ] && /usr/lib/ehazira/cron-digest
