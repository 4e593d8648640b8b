-- History for the dashboard's browser test (tests/e2e/dashboard.mjs): the
-- last 21 days of class A's Data Structures periods (subject 1), students
-- with roll 01-20 present and 21-30 absent (the shortage list), two days
-- of medical leave for 21-30 (the drill-down's leave), and one recorded
-- import run.  Loaded after attendance.mjs, which expects a
-- student history of its own day only.
INSERT IGNORE INTO session (period_id, date)
WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 21)
SELECT p.period_id, CURDATE() - INTERVAL d.n DAY FROM d
JOIN period p ON p.subject_id = 1
 AND p.day_of_week = WEEKDAY(CURDATE() - INTERVAL d.n DAY) + 1;

INSERT IGNORE INTO attendance (session_id, student_email, status, source)
SELECT se.session_id, s.student_email,
       IF(CAST(s.roll_no AS UNSIGNED) <= 20, 'P', 'A'), 'MANUAL'
FROM session se
JOIN period p ON p.period_id = se.period_id AND p.subject_id = 1
JOIN student s ON s.class_id = 1
WHERE se.date < CURDATE();

INSERT INTO job_run (kind, started_at, ok, summary)
VALUES ('import', NOW(3) - INTERVAL 1 DAY, TRUE, 'students: 60 rows applied');

INSERT INTO student_leave (student_email, kind, from_date, to_date, state,
  reason, entered_by)
SELECT student_email, 'MEDICAL', CURDATE() - INTERVAL 10 DAY,
       CURDATE() - INTERVAL 9 DAY, 'APPROVED', 'fever', 'admin'
FROM student WHERE class_id = 1 AND CAST(roll_no AS UNSIGNED) BETWEEN 21 AND 30;
