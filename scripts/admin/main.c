/*
 * main.c - ehazira-admin: the command-line tool of administrators, cron and
 * the stack scripts.  One table of commands; each runs with the config
 * loaded and a lazily connected database handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "config.h"
#include "db.h"
#include "log.h"

static int
cmd_config(struct admin *ad, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	config_print(ad->cfg, stdout);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(struct admin *, int, char **);
	const char *usage;
} commands[] = {
	{ "config", cmd_config, "config            print resolved settings" },
	{ "migrate", admin_migrate,
	    "migrate [--status] [DIR]  apply (or list) schema migrations" },
	{ "seed", admin_seed,
	    "seed FILE         run a static SQL file (demo data)" },

	/* --- users, imports, devices (users.c, import.c) --- */
	{ "import", admin_import,
	    "import KIND FILE  CSV upsert, all-or-nothing (KIND: departments "
	    "classes courses subjects periods teachers students)" },
	{ "verify", admin_verify, "verify EMAIL      allow a user to sign in" },
	{ "unverify", admin_unverify,
	    "unverify EMAIL    withdraw verification" },
	{ "block", admin_block,
	    "block EMAIL       block an account (out at its next request)" },
	{ "unblock", admin_unblock,
	    "unblock EMAIL     unblock (clears the integrity flag)" },
	{ "devices", admin_devices, "devices [EMAIL|--pending]  list devices" },
	{ "approve-device", admin_approve_device,
	    "approve-device ID approve a pending device (replaces the old)" },
	{ "reject-device", admin_reject_device,
	    "reject-device ID  reject a pending device" },
	{ "show", admin_show,
	    "show EMAIL        a user, their devices and recent audit" },
	{ "class-policy", admin_class_policy,
	    "class-policy show|set CLASS [key=value...]  campus networks "
	    "(allowed_cidrs), flag_on_focus_loss, require_uv" },
	{ "period-geofence", admin_period_geofence,
	    "period-geofence list CLASS_ID | show|set PERIOD_ID "
	    "[key=value...]  a period's own classroom geofence" },

	/* --- the register (calendar.c) --- */
	{ "leave", admin_leave,
	    "leave add EMAIL KIND FROM TO [REASON]  approved leave "
	    "(KIND: MEDICAL DUTY OTHER)" },
	{ "holiday", admin_holiday,
	    "holiday add DATE [--class ID] [REASON]  no class that day" },

	/* --- relay (relaystat.c) --- */
	{ "relay-status", admin_relay_status,
	    "relay-status      push counters, outbox by state, oldest pending" },
	{ "digest", admin_digest,
	    "digest [--week YYYY-Www|YYYY-MM-DD]  queue the weekly e-mails" },

	/* --- reports (report.c) --- */
	{ "report", admin_report,
	    "report list|class|at-risk|warnings ...  attendance reports" },

	/* --- backups (backup.c, restore.c) --- */
	{ "list", admin_list,
	    "list VIEW [--from D --to D --department ID --by X --format "
	    "csv|json --check]  a dashboard view" },
	{ "export", admin_export,
	    "export VIEW --out FILE [--format csv|json|xlsx ...]  into a file" },
	{ "shortage", admin_shortage,
	    "shortage [OPTIONS]  students below AT_RISK_PERCENT per subject" },
	{ "not-marked", admin_not_marked,
	    "not-marked [OPTIONS]  timetabled periods without attendance" },
	{ "role", admin_role,
	    "role EMAIL teacher|head|admin  a staff account's role" },
	{ "job-record", admin_job_record,
	    "job-record KIND ok|failed SUMMARY [STARTED]  log a run" },
	{ "backup", admin_backup,
	    "backup DIR        consistent online backup into DIR/ehazira-TIME" },
	{ "restore", admin_restore,
	    "restore [--force] [--schema DIR] BACKUP  bring a backup back" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: ehazira-admin COMMAND [ARGS]\n\n");
	fprintf(stderr,
	    "  init-config FILE [--from TEMPLATE]  a new config "
	    "with random secrets (0600)\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "  %s\n", commands[i].usage);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct admin ad = { 0 };
	char err[512];
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "init-config") == 0)
		return admin_init_config(argc - 1, argv + 1);
	if (config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "ehazira-admin: %s\n", err);
		return 2;
	}
	log_init("ehazira-admin",
	    getenv("EHAZIRA_ADMIN_LOG") ? getenv("EHAZIRA_ADMIN_LOG") : "warn");
	setenv("TZ", cfg.timezone, 1);
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, argv[1]) != 0)
			continue;
		ad.cfg = &cfg;
		ad.db = db_new(&cfg);
		/* an operator's restore or migration may run for long */
		db_set_io_timeout(ad.db, 3600);
		ad.arena = arena_new(256u * 1024 * 1024);
		rc = commands[i].fn(&ad, argc - 1, argv + 1);
		db_free(ad.db);
		arena_free(ad.arena);
		return rc;
	}
	fprintf(stderr, "ehazira-admin: unknown command '%s'\n", argv[1]);
	usage();
	return 2;
}
