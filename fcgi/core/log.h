/*
 * log.h - one log line per event, to stderr (the stack sends it to a file;
 * the packaged daemons open EHAZIRA_LOG_FILE themselves).
 */
#ifndef EHZ_LOG_H
#define EHZ_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(const char *program, const char *level);
/*
 * Opens EHAZIRA_LOG_FILE (if set) as stderr, again after a log rotation.
 * Returns 0, or -1 (logged to the old stderr) when the file cannot be opened.
 */
int log_reopen(void);
/* The request id stamped on this thread's lines until cleared (NULL). */
void log_set_request(const char *id);
void log_msg(enum log_level lv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
