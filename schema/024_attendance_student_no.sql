-- 024_attendance_student_no.sql: each mark knows its student's number.
--
-- Two readers of many marks looked each one's student up by e-mail (a
-- 190-character utf8mb4 key) only to get a number or to find the student
-- in a list: the shortage list's marks of a range's first and last days
-- (fcgi/reports/dashboard.c; about 30,000 lookups of `student` for a
-- college) and the class summary, which sent every mark's e-mail to the
-- worker (54,000 of them for a 600-student subject, 1.7 MB through
-- GROUP_CONCAT; fcgi/reports/reportbuild.c).  With student.student_no
-- (019_tallies.sql) copied into the mark, both read the mark alone.
--
-- The triggers below set it on every insert, whoever writes and whatever
-- the writer sends (submit batches, window finalisation, manual marks,
-- the register, imports, restores, bulk loads with @ehazira_tally_bulk):
-- no writer names the column.  A mark's student never changes (the
-- e-mail is part of the key, and the foreign key to student does not
-- cascade), nor does a student's number; an update looks it up again all the
-- same, so no statement can leave a wrong copy.

ALTER TABLE attendance
  ADD COLUMN student_no INT UNSIGNED NOT NULL DEFAULT 0;

-- The marks so far (before the triggers: one lookup a mark, not two).
UPDATE attendance a JOIN student st ON st.student_email = a.student_email
  SET a.student_no = st.student_no;

CREATE TRIGGER attendance_student_no_insert BEFORE INSERT ON attendance
FOR EACH ROW
  SET NEW.student_no = COALESCE((SELECT student_no FROM student
    WHERE student_email = NEW.student_email), 0);

CREATE TRIGGER attendance_student_no_update BEFORE UPDATE ON attendance
FOR EACH ROW
  SET NEW.student_no = COALESCE((SELECT student_no FROM student
    WHERE student_email = NEW.student_email), 0);
