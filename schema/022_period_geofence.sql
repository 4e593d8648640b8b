-- 022_period_geofence.sql: a timetable period may have a geofence of its
-- own (a class that meets in a lab or a hall, not its usual room).  NULL
-- radius: the class's geofence applies (020); 0: none in this period; 20
-- to 5000 m with a centre: this one.  Only the room moves: the accuracy
-- a position needs and what a submission without one gets stay the
-- class's.  A window copies the period's centre and radius (or the
-- class's) when it opens, so a change applies from the next window.
-- Set by ehazira-admin period-geofence and the periods CSV
-- (fcgi/domain/periodfence.c checks and audits every change).
ALTER TABLE period
  ADD COLUMN geofence_lat DOUBLE NULL,
  ADD COLUMN geofence_lon DOUBLE NULL,
  ADD COLUMN geofence_radius SMALLINT UNSIGNED NULL;
