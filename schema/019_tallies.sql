-- 019_tallies.sql: running counts of attendance for the dashboard.
--
-- The dashboard's views (fcgi/reports/dashboard.c) counted every mark of
-- the range on every request: 1.7 million marks for a college of 5,000
-- students over a semester, about 100 s.  These tables hold the counts
-- instead, so a view sums one row per session or per (subject, student):
--
-- * session_tally: marks, P, A and R of one session (the attendance,
--   trend and not-marked views);
-- * student_tally: held and present of one student in one subject, all
--   dates (the shortage list);
-- * student_week_tally: the same per week (the Monday that starts it),
--   so the shortage list of a range is the total less the weeks and days
--   outside it.
--
-- Triggers on attendance keep them, in the transaction of the write that
-- changes a mark, whoever writes: submit batches, window finalisation in
-- the relay, manual marks, the register, imports and restores; a remark
-- or delay edit changes no count and touches no tally.  (With binary
-- logging on, creating triggers needs SUPER or
-- log_bin_trust_function_creators: docs/operations.md.)  The counts are
-- signed so that no order of writes can make a trigger fail a writer.
--
-- A bulk load of marks (the dashboard benchmark's 1.7 million) may set
-- @ehazira_tally_bulk = 1 on its connection: the triggers then skip it
-- (each costs about ten times the insert it follows) and the loader
-- calls attendance_tally_subject(id) for each subject it loaded.

-- A student's number: the tallies group by it, as grouping and sorting
-- by an e-mail (utf8mb4, case-insensitive) cost several times more.
ALTER TABLE student
  ADD COLUMN student_no INT UNSIGNED NOT NULL AUTO_INCREMENT,
  ADD UNIQUE KEY uq_student_no (student_no);

CREATE TABLE session_tally (
  session_id INT UNSIGNED NOT NULL PRIMARY KEY,
  -- the session's, copied: neither changes once a session exists, and a
  -- view's range scan then reads this table's index alone
  subject_id INT UNSIGNED NOT NULL,
  date       DATE NOT NULL,
  marks      INT NOT NULL DEFAULT 0,
  present    INT NOT NULL DEFAULT 0,
  absent     INT NOT NULL DEFAULT 0,
  flagged    INT NOT NULL DEFAULT 0,
  KEY ix_session_tally_date (date, subject_id, marks, present, absent,
    flagged),
  CONSTRAINT fk_session_tally_session FOREIGN KEY (session_id)
    REFERENCES session (session_id) ON DELETE CASCADE,
  -- does a subject have marks in a range (the shortage list)
  KEY ix_session_tally_subject (subject_id, date, marks)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE student_tally (
  subject_id INT UNSIGNED NOT NULL,
  student_no INT UNSIGNED NOT NULL,
  held       INT NOT NULL DEFAULT 0,
  present    INT NOT NULL DEFAULT 0,
  PRIMARY KEY (subject_id, student_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE student_week_tally (
  subject_id INT UNSIGNED NOT NULL,
  week       DATE NOT NULL,
  student_no INT UNSIGNED NOT NULL,
  held       INT NOT NULL DEFAULT 0,
  present    INT NOT NULL DEFAULT 0,
  PRIMARY KEY (subject_id, week, student_no),
  -- the weeks outside (or inside) a range, read by week alone
  KEY ix_student_week_tally_week (week, held, present)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each trigger does its upkeep inline: a procedure call per row costs
-- more than the upkeep itself (and a restore without routines would leave
-- a trigger calling nothing).
CREATE TRIGGER attendance_tally_insert AFTER INSERT ON attendance
FOR EACH ROW
BEGIN
  DECLARE subj, sno INT UNSIGNED;
  DECLARE day DATE;
  DECLARE p INT DEFAULT NEW.status = 'P';
  IF @ehazira_tally_bulk IS NULL THEN
    SELECT pe.subject_id, se.date INTO subj, day
      FROM session se JOIN period pe ON pe.period_id = se.period_id
      WHERE se.session_id = NEW.session_id;
    SELECT student_no INTO sno FROM student
      WHERE student_email = NEW.student_email;
    INSERT INTO session_tally (session_id, subject_id, date, marks, present,
      absent, flagged)
      VALUES (NEW.session_id, subj, day, 1, p, NEW.status = 'A',
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

-- A changed status (a manual mark over a submitted one): the old mark
-- out, the new one in (the key, session and student, is never updated).
-- A remark or delay edit leaves the tallies alone.
CREATE TRIGGER attendance_tally_update AFTER UPDATE ON attendance
FOR EACH ROW
BEGIN
  DECLARE subj, sno INT UNSIGNED;
  DECLARE wk DATE;
  DECLARE d INT DEFAULT (NEW.status = 'P') - (OLD.status = 'P');
  IF @ehazira_tally_bulk IS NULL AND OLD.status <> NEW.status THEN
    UPDATE session_tally SET present = present + d,
      absent = absent + (NEW.status = 'A') - (OLD.status = 'A'),
      flagged = flagged + (NEW.status = 'R') - (OLD.status = 'R')
      WHERE session_id = NEW.session_id;
    SELECT pe.subject_id, se.date - INTERVAL WEEKDAY(se.date) DAY
      INTO subj, wk
      FROM session se JOIN period pe ON pe.period_id = se.period_id
      WHERE se.session_id = NEW.session_id;
    SELECT student_no INTO sno FROM student
      WHERE student_email = NEW.student_email;
    UPDATE student_tally SET present = present + d
      WHERE subject_id = subj AND student_no = sno;
    UPDATE student_week_tally SET present = present + d
      WHERE subject_id = subj AND week = wk AND student_no = sno;
  END IF;
END;

CREATE TRIGGER attendance_tally_delete AFTER DELETE ON attendance
FOR EACH ROW
BEGIN
  DECLARE subj, sno INT UNSIGNED;
  DECLARE wk DATE;
  DECLARE p INT DEFAULT OLD.status = 'P';
  IF @ehazira_tally_bulk IS NULL THEN
    UPDATE session_tally SET marks = marks - 1, present = present - p,
      absent = absent - (OLD.status = 'A'),
      flagged = flagged - (OLD.status = 'R')
      WHERE session_id = OLD.session_id;
    SELECT pe.subject_id, se.date - INTERVAL WEEKDAY(se.date) DAY
      INTO subj, wk
      FROM session se JOIN period pe ON pe.period_id = se.period_id
      WHERE se.session_id = OLD.session_id;
    SELECT student_no INTO sno FROM student
      WHERE student_email = OLD.student_email;
    UPDATE student_tally SET held = held - 1, present = present - p
      WHERE subject_id = subj AND student_no = sno;
    UPDATE student_week_tally SET held = held - 1, present = present - p
      WHERE subject_id = subj AND week = wk AND student_no = sno;
  END IF;
END;

-- One subject's tallies recounted from attendance: after a bulk load of
-- its marks.  The joins go in this order whatever the statistics say
-- (right after a bulk load they say the tables are empty, and the
-- optimizer would read every mark from the students' side).  A subject at a time keeps each grouping within the
-- in-memory temporary tables (the college at once spills to disk and
-- takes minutes) and each call short.
CREATE PROCEDURE attendance_tally_subject(IN subj INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  DELETE ta FROM session_tally ta WHERE ta.subject_id = subj;
  DELETE FROM student_tally WHERE subject_id = subj;
  DELETE FROM student_week_tally WHERE subject_id = subj;
  INSERT INTO session_tally (session_id, subject_id, date, marks, present,
    absent, flagged)
    SELECT se.session_id, subj, se.date, COUNT(*), SUM(a.status = 'P'),
      SUM(a.status = 'A'), SUM(a.status = 'R')
    FROM period p STRAIGHT_JOIN session se ON se.period_id = p.period_id
    STRAIGHT_JOIN attendance a ON a.session_id = se.session_id
    WHERE p.subject_id = subj
    GROUP BY se.session_id, se.date;
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

-- Every tally recounted, in one transaction: the backfill below, and a
-- repair by hand (docs/operations.md).
CREATE PROCEDURE attendance_tally_rebuild()
MODIFIES SQL DATA
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE subj INT UNSIGNED;
  DECLARE subjects CURSOR FOR SELECT subject_id FROM subject;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  START TRANSACTION;
  DELETE FROM session_tally;
  DELETE FROM student_tally;
  DELETE FROM student_week_tally;
  OPEN subjects;
  next_subject: LOOP
    FETCH subjects INTO subj;
    IF done THEN
      LEAVE next_subject;
    END IF;
    CALL attendance_tally_subject(subj);
  END LOOP;
  CLOSE subjects;
  COMMIT;
END;

-- The marks so far (migrations run before the services start).
CALL attendance_tally_rebuild();
