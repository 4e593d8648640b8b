-- 005_current_window.sql: what a submit reads, kept where it is read.
-- A submit needs the session's latest window and the student's evidence
-- count in that window.  Both used to be computed per submit (MAX(round),
-- COUNT(*) over telemetry); they are now kept up to date by the writer
-- that changes them: initiate sets session.window_id in the transaction
-- that opens the window, telemetry bumps attendance_attempt.evidence in
-- the transaction that stores the event.  No foreign key on
-- session.window_id: the two tables would then reference each other.
ALTER TABLE session ADD COLUMN window_id BIGINT UNSIGNED NULL AFTER online;
UPDATE session se SET window_id =
  (SELECT w.window_id FROM attendance_window w
   WHERE w.session_id = se.session_id ORDER BY w.round DESC LIMIT 1);
ALTER TABLE attendance_attempt
  ADD COLUMN evidence SMALLINT UNSIGNED NOT NULL DEFAULT 0 AFTER wrong;
INSERT INTO attendance_attempt (window_id, student_email, evidence)
  SELECT window_id, student_email, LEAST(COUNT(*), 65535) FROM telemetry
  WHERE window_id IS NOT NULL GROUP BY window_id, student_email
  ON DUPLICATE KEY UPDATE evidence = VALUES(evidence);
