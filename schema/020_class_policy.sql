-- 020_class_policy.sql: the rest of a class's anti-proxy policy, settable
-- from the teacher's screen, ehazira-admin class-policy and the classes
-- CSV (fcgi/domain/classpolicy.c checks and audits every change).
--
--   online_default   a session started without saying is an online one
--   window_ttl       the window's length when the teacher does not give
--                    one (0: OTP_TTL); within OTP_TTL_MIN..OTP_TTL_MAX
--   flag_slow        a submission marked slow at finalisation is R
--   geofence_*       the classroom: centre (degrees), radius (m, 0 = no
--                    geofence), the accuracy (m) a position must have to
--                    count as evidence, and what a submission without a
--                    usable position gets (allow | flag | refuse)
--
-- A window copies what it enforces when it opens (as 007 and 014 do), so
-- a change made during a window applies from the next one.  attendance
-- keeps the evidence: slow (set at finalisation: above the window's 90th
-- percentile of delays plus slow_margin_ms) and geo_distance_m (from the
-- classroom's centre, when the submission sent a position).
ALTER TABLE class
  ADD COLUMN online_default BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN window_ttl SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN flag_slow BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN geofence_lat DOUBLE NOT NULL DEFAULT 0,
  ADD COLUMN geofence_lon DOUBLE NOT NULL DEFAULT 0,
  ADD COLUMN geofence_radius SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN geofence_accuracy SMALLINT UNSIGNED NOT NULL DEFAULT 100,
  ADD COLUMN geofence_missing ENUM('allow', 'flag', 'refuse') NOT NULL
    DEFAULT 'allow';
ALTER TABLE attendance_window
  ADD COLUMN slow_margin_ms INT UNSIGNED NULL,
  ADD COLUMN flag_slow BOOLEAN NULL,
  ADD COLUMN geofence_lat DOUBLE NULL,
  ADD COLUMN geofence_lon DOUBLE NULL,
  ADD COLUMN geofence_radius SMALLINT UNSIGNED NULL,
  ADD COLUMN geofence_accuracy SMALLINT UNSIGNED NULL,
  ADD COLUMN geofence_missing ENUM('allow', 'flag', 'refuse') NULL;
ALTER TABLE attendance
  ADD COLUMN slow BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN geo_distance_m INT UNSIGNED NULL;
