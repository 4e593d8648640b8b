/*
 * admin.h - the ehazira-admin commands.  Each returns a process exit code.
 * Like Git's cmd_<name>, command <name> is admin_<name>, whatever file
 * implements it (users.c, import.c, report.c ...).
 */
#ifndef EHZ_ADMIN_H
#define EHZ_ADMIN_H

#include "arena.h"

struct config;
struct db;

struct admin {
	const struct config *cfg;
	struct db *db;
	struct arena *arena;
};

/* init-config FILE [--from TEMPLATE]: runs without a config (initconfig.c) */
int admin_init_config(int argc, char **argv);
int admin_migrate(struct admin *ad, int argc, char **argv);
int admin_seed(struct admin *ad, int argc, char **argv);

/* --- users, imports, devices --- */
int admin_import(struct admin *ad, int argc, char **argv);
int admin_verify(struct admin *ad, int argc, char **argv);
int admin_unverify(struct admin *ad, int argc, char **argv);
int admin_block(struct admin *ad, int argc, char **argv);
int admin_unblock(struct admin *ad, int argc, char **argv);
int admin_devices(struct admin *ad, int argc, char **argv);
int admin_approve_device(struct admin *ad, int argc, char **argv);
int admin_reject_device(struct admin *ad, int argc, char **argv);
int admin_show(struct admin *ad, int argc, char **argv);
/* class-policy show|set: campus networks, focus-loss flag (classpolicy.c) */
int admin_class_policy(struct admin *ad, int argc, char **argv);
/* period-geofence list|show|set: a period's own geofence (periodfence.c) */
int admin_period_geofence(struct admin *ad, int argc, char **argv);

/* --- the register (calendar.c) --- */
int admin_leave(struct admin *ad, int argc, char **argv);
int admin_holiday(struct admin *ad, int argc, char **argv);

/* --- relay --- */

/* relay-status: counters, outbox by state, oldest pending (relaystat.c) */
int admin_relay_status(struct admin *ad, int argc, char **argv);
/* digest [--week W]: the weekly e-mail to teachers and heads (digest.c) */
int admin_digest(struct admin *ad, int argc, char **argv);

/* --- reports --- */
int admin_report(struct admin *ad, int argc, char **argv);

/* --- the dashboard's views, roles and run records (views.c) --- */
int admin_list(struct admin *ad, int argc, char **argv);
int admin_export(struct admin *ad, int argc, char **argv);
int admin_shortage(struct admin *ad, int argc, char **argv);
int admin_not_marked(struct admin *ad, int argc, char **argv);
int admin_role(struct admin *ad, int argc, char **argv);
int admin_job_record(struct admin *ad, int argc, char **argv);
/* One job_run row (started: a Unix time); a DB_* code. */
int admin_job_record_row(struct admin *ad, const char *kind, long long started,
    int ok, const char *summary);

/* --- backups (backup.c, restore.c) --- */
int admin_backup(struct admin *ad, int argc, char **argv);
int admin_restore(struct admin *ad, int argc, char **argv);

#endif
