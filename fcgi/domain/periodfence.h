/*
 * periodfence.h - a timetable period's own classroom geofence (a period
 * held in another room than the class's usual one): its centre and
 * radius override the class's when a window of the period opens.
 */
#ifndef EHZ_PERIODFENCE_H
#define EHZ_PERIODFENCE_H

#include <stddef.h>

#include "arena.h"

struct db;

/* periodfence_set's "the database failed" (as CLASSPOLICY_DB). */
#define PERIODFENCE_DB (-2)

/* The radius word that drops a period's own geofence for the class's. */
#define PERIODFENCE_CLASS "class"

/*
 * Sets period_id's geofence inside the caller's transaction.  Each of
 * lat, lon, radius is the text as typed, NULL to keep what is stored:
 * radius 20..5000 m needs a centre (lat -90..90, lon -180..180, set now or
 * before); 0 means no geofence in this period even if the class has one;
 * "class" drops the period's own (the class's applies again).  A change
 * writes one audit_log row (action period.geofence) by actor; windows
 * already open keep the geofence they opened with.  0 (also when nothing
 * changed), -1 with a message for people in err, or PERIODFENCE_DB.
 */
int periodfence_set(struct db *db, struct arena *ar, long long period_id,
    const char *lat, const char *lon, const char *radius, const char *actor,
    char *err, size_t errlen);

/*
 * The period's geofence as people read it: "class" (the class's
 * applies), "off" or "LAT,LON,RADIUS"; arena memory, NULL when the
 * database failed or there is no such period.
 */
const char *
periodfence_describe(struct db *db, struct arena *ar, long long period_id);

#endif
