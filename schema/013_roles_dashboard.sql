-- 013_roles_dashboard.sql: heads of department and administrators, and what
-- the dashboard reads besides attendance.
--
-- A head or an administrator is a row of teacher with a role: they sign in
-- with Google like every teacher, may teach subjects of their own, and the
-- account checks (verified, blocked) stay in one place.  A head's scope is
-- teacher.department_id; an administrator's is the whole institution.
ALTER TABLE teacher
  ADD COLUMN role ENUM('teacher','head','admin') NOT NULL DEFAULT 'teacher';

-- Devices and refresh tokens carry the role they were issued for (a
-- refreshed access token keeps it).
ALTER TABLE device
  MODIFY role ENUM('student','teacher','head','admin') NOT NULL;
ALTER TABLE refresh_token
  MODIFY role ENUM('student','teacher','head','admin') NOT NULL;

-- Days without classes: "not marked" skips them.
CREATE TABLE holiday (
  date DATE NOT NULL PRIMARY KEY,
  name VARCHAR(190) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The result of each import and cron run, newest first on the dashboard.
CREATE TABLE job_run (
  run_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind        VARCHAR(32) NOT NULL,       -- import, cron-report ...
  started_at  DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ok          BOOLEAN NOT NULL,
  summary     VARCHAR(512) NOT NULL DEFAULT '',
  KEY ix_job_run_kind (kind, finished_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The dashboard groups sessions by date within a range.
CREATE INDEX ix_session_period_date ON session (date, period_id);
