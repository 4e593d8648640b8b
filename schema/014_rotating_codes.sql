-- 014_rotating_codes.sql: rotating codes and delay evidence.
-- A class may have its code change every rotate_every seconds of a window
-- (0: one code per window), the previous code still taken for
-- rotate_overlap seconds after a change.  A window copies the policy it
-- opened with (as 007 does for the network list), so a change made during
-- a window applies from the next one; otp_secret derives each slot's code
-- (fcgi/domain/rotation.c) and never leaves the server.  attendance.delay_ms
-- is how long after its code was first shown a submission came; one
-- slower than the class's 90th percentile plus slow_margin_ms is marked
-- "slow - possibly relayed" on the teacher's board.
ALTER TABLE class
  ADD COLUMN rotate_every SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN rotate_overlap TINYINT UNSIGNED NOT NULL DEFAULT 2,
  ADD COLUMN slow_margin_ms INT UNSIGNED NOT NULL DEFAULT 5000;
ALTER TABLE attendance_window
  ADD COLUMN rotate_every SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN rotate_overlap TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN otp_secret CHAR(32) NULL;
ALTER TABLE attendance ADD COLUMN delay_ms INT UNSIGNED NULL;
