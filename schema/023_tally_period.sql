-- 023_tally_period.sql: the session tally knows its period.
--
-- The not-marked view (fcgi/reports/dashboard.c) asks, for every
-- timetabled period on every day of a range, whether that period's
-- session of the day has marks: about 26,000 (period, day) pairs for a
-- college over a term.  Through session (period, date) and then
-- session_tally by session it took two lookups a pair, each from a
-- dependent subquery, over DB_TIMEOUT college-wide.  With the period
-- copied into session_tally (it never changes once a session exists,
-- like the subject and date copied by 019_tallies.sql) a pair is one
-- lookup of the index below, and the view a join.

ALTER TABLE session_tally
  ADD COLUMN period_id INT UNSIGNED NOT NULL DEFAULT 0 AFTER session_id,
  ADD KEY ix_session_tally_period (period_id, date, marks);

UPDATE session_tally ta JOIN session se ON se.session_id = ta.session_id
  SET ta.period_id = se.period_id;

-- The insert trigger of 019_tallies.sql, with the period.
DROP TRIGGER attendance_tally_insert;

CREATE TRIGGER attendance_tally_insert AFTER INSERT ON attendance
FOR EACH ROW
BEGIN
  DECLARE subj, sno, per INT UNSIGNED;
  DECLARE day DATE;
  DECLARE p INT DEFAULT NEW.status = 'P';
  IF @ehazira_tally_bulk IS NULL THEN
    SELECT pe.subject_id, se.date, se.period_id INTO subj, day, per
      FROM session se JOIN period pe ON pe.period_id = se.period_id
      WHERE se.session_id = NEW.session_id;
    SELECT student_no INTO sno FROM student
      WHERE student_email = NEW.student_email;
    INSERT INTO session_tally (session_id, period_id, subject_id, date,
      marks, present, absent, flagged)
      VALUES (NEW.session_id, per, subj, day, 1, p, NEW.status = 'A',
        NEW.status = 'R')
      ON DUPLICATE KEY UPDATE marks = marks + 1, present = present + p,
        absent = absent + (NEW.status = 'A'),
        flagged = flagged + (NEW.status = 'R');
    INSERT INTO student_tally (subject_id, student_no, held, present)
      VALUES (subj, sno, 1, p)
      ON DUPLICATE KEY UPDATE held = held + 1, present = present + p;
    INSERT INTO student_week_tally (subject_id, week, student_no, held,
      present) VALUES (subj, day - INTERVAL WEEKDAY(day) DAY, sno, 1, p)
      ON DUPLICATE KEY UPDATE held = held + 1, present = present + p;
  END IF;
END;

-- The recount of 019_tallies.sql, with the period.
DROP PROCEDURE attendance_tally_subject;

CREATE PROCEDURE attendance_tally_subject(IN subj INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  DELETE ta FROM session_tally ta WHERE ta.subject_id = subj;
  DELETE FROM student_tally WHERE subject_id = subj;
  DELETE FROM student_week_tally WHERE subject_id = subj;
  INSERT INTO session_tally (session_id, period_id, subject_id, date, marks,
    present, absent, flagged)
    SELECT se.session_id, p.period_id, subj, se.date, COUNT(*),
      SUM(a.status = 'P'), SUM(a.status = 'A'), SUM(a.status = 'R')
    FROM period p STRAIGHT_JOIN session se ON se.period_id = p.period_id
    STRAIGHT_JOIN attendance a ON a.session_id = se.session_id
    WHERE p.subject_id = subj
    GROUP BY se.session_id, p.period_id, se.date;
  INSERT INTO student_week_tally (subject_id, week, student_no, held,
    present)
    SELECT subj, se.date - INTERVAL WEEKDAY(se.date) DAY, st.student_no,
      COUNT(*), SUM(a.status = 'P')
    FROM period p STRAIGHT_JOIN session se ON se.period_id = p.period_id
    STRAIGHT_JOIN attendance a ON a.session_id = se.session_id
    STRAIGHT_JOIN student st ON st.student_email = a.student_email
    WHERE p.subject_id = subj
    GROUP BY 2, 3;
  INSERT INTO student_tally (subject_id, student_no, held, present)
    SELECT subj, student_no, SUM(held), SUM(present)
    FROM student_week_tally WHERE subject_id = subj
    GROUP BY student_no;
END;
