-- 025_tally_at_finalise.sql: a window's marks are counted when it ends.
--
-- The tally triggers of 019 counted each mark in its own write.  A
-- submit batch then updated its session's one session_tally row for
-- every student, under a row lock held until the batch committed, so the
-- batches of one class queued behind each other, and a mark cost about
-- three times its insert (the attendance benchmark: 0.26 of its
-- baseline with the triggers, 0.55 without; docs/benchmarks.md).
--
-- Now a mark says what the tallies count for it: attendance.tallied (NULL
-- = not counted).  BEFORE triggers decide it and AFTER triggers move the
-- counts whenever it changes:
--
-- * a mark written while a window of its session is not yet finalised
--   is not counted (tallied stays as it was: NULL for a new mark);
-- * any other write counts at once, as before (the register, manual
--   marks of closed sessions, leave, imports, deletions);
-- * finalising a window (setting its finalized_at: fcgi/domain/window.c,
--   or an older relay, or an operator by hand) sets tallied = status for
--   its session's marks, by a trigger on attendance_window, in the
--   finalising statement, so the counts are whole when the window's
--   result is.
--
-- A writer that knows its mark's window is open says so: the submit
-- batch (fcgi/http/submit.c, under its shared lock on the open window)
-- and finalisation's absentees (fcgi/domain/window.c, under its lock)
-- write tallied = NULL and the student's number themselves, so the
-- trigger looks nothing up for them (each lookup from a trigger cost
-- more than the insert it followed).  Every other writer names neither:
-- tallied's default '?' (never stored) asks the trigger to decide, and a
-- student_no of 0 to look the number up.
--
-- The window is read with a shared lock: finalisation locks its window
-- row first, so a writer either sees it open and is counted by that
-- finalisation, or waits for it and counts itself; a plain read could see
-- an older snapshot and leave a mark uncounted.  A submit holds the same
-- lock already (fcgi/http/submit.c).
--
-- What the dashboard reads is unchanged, except that a window's marks
-- reach it when the window ends rather than one by one.
-- @ehazira_tally_bulk and the recount procedures work as before; a
-- recount also sets tallied = status for what it counted.

DROP TRIGGER attendance_tally_insert;
DROP TRIGGER attendance_tally_update;
DROP TRIGGER attendance_tally_delete;
DROP TRIGGER attendance_student_no_insert;
DROP TRIGGER attendance_student_no_update;

ALTER TABLE attendance
  ADD COLUMN tallied ENUM('P','A','R','?') NULL DEFAULT '?';

-- Every mark so far was counted by 019's triggers as it was written.
UPDATE attendance SET tallied = status;

-- Moves one mark's counts from one status to another; NULL is "not
-- counted", so from NULL adds the mark and to NULL takes it away.
CREATE PROCEDURE attendance_tally_move(IN sid INT UNSIGNED,
  IN sno INT UNSIGNED, IN st_from CHAR(1), IN st_to CHAR(1))
MODIFIES SQL DATA
BEGIN
  DECLARE subj, per INT UNSIGNED;
  DECLARE day DATE;
  DECLARE n INT DEFAULT (st_to IS NOT NULL) - (st_from IS NOT NULL);
  DECLARE p INT DEFAULT (st_to <=> 'P') - (st_from <=> 'P');
  DECLARE a INT DEFAULT (st_to <=> 'A') - (st_from <=> 'A');
  DECLARE r INT DEFAULT (st_to <=> 'R') - (st_from <=> 'R');
  SELECT pe.subject_id, se.date, se.period_id INTO subj, day, per
    FROM session se JOIN period pe ON pe.period_id = se.period_id
    WHERE se.session_id = sid;
  INSERT INTO session_tally (session_id, period_id, subject_id, date,
    marks, present, absent, flagged)
    VALUES (sid, per, subj, day, n, p, a, r)
    ON DUPLICATE KEY UPDATE marks = marks + n, present = present + p,
      absent = absent + a, flagged = flagged + r;
  INSERT INTO student_tally (subject_id, student_no, held, present)
    VALUES (subj, sno, n, p)
    ON DUPLICATE KEY UPDATE held = held + n, present = present + p;
  INSERT INTO student_week_tally (subject_id, week, student_no, held,
    present) VALUES (subj, day - INTERVAL WEEKDAY(day) DAY, sno, n, p)
    ON DUPLICATE KEY UPDATE held = held + n, present = present + p;
END;

-- Is a window of the session still to be finalised (a shared lock: see
-- above)?
CREATE FUNCTION attendance_window_pending(sid INT UNSIGNED) RETURNS INT
READS SQL DATA
BEGIN
  DECLARE n INT;
  SELECT COUNT(*) INTO n FROM attendance_window
    WHERE session_id = sid AND finalized_at IS NULL LOCK IN SHARE MODE;
  RETURN n;
END;

CREATE TRIGGER attendance_before_insert BEFORE INSERT ON attendance
FOR EACH ROW
BEGIN
  IF NEW.student_no = 0 THEN
    SET NEW.student_no = COALESCE((SELECT student_no FROM student
      WHERE student_email = NEW.student_email), 0);
  END IF;
  IF NEW.tallied <=> '?' THEN
    IF @ehazira_tally_bulk IS NULL
       AND attendance_window_pending(NEW.session_id) > 0 THEN
      SET NEW.tallied = NULL;
    ELSE
      SET NEW.tallied = NEW.status;
    END IF;
  END IF;
END;

-- A write that changes the status counts it now, or leaves it to the
-- window's finalisation; a write that names tallied alone (finalisation,
-- a recount) is taken as it is.
CREATE TRIGGER attendance_before_update BEFORE UPDATE ON attendance
FOR EACH ROW
BEGIN
  IF NOT (NEW.student_no <=> OLD.student_no)
     OR NEW.student_email <> OLD.student_email THEN
    SET NEW.student_no = COALESCE((SELECT student_no FROM student
      WHERE student_email = NEW.student_email), 0);
  END IF;
  IF NEW.status <> OLD.status THEN
    IF @ehazira_tally_bulk IS NULL
       AND attendance_window_pending(NEW.session_id) > 0 THEN
      SET NEW.tallied = OLD.tallied;
    ELSE
      SET NEW.tallied = NEW.status;
    END IF;
  END IF;
END;

CREATE TRIGGER attendance_tally_insert AFTER INSERT ON attendance
FOR EACH ROW
  IF @ehazira_tally_bulk IS NULL AND NEW.tallied IS NOT NULL THEN
    CALL attendance_tally_move(NEW.session_id, NEW.student_no, NULL,
      NEW.tallied);
  END IF;

CREATE TRIGGER attendance_tally_update AFTER UPDATE ON attendance
FOR EACH ROW
  IF @ehazira_tally_bulk IS NULL AND NOT (NEW.tallied <=> OLD.tallied) THEN
    CALL attendance_tally_move(NEW.session_id, NEW.student_no, OLD.tallied,
      NEW.tallied);
  END IF;

CREATE TRIGGER attendance_tally_delete AFTER DELETE ON attendance
FOR EACH ROW
  IF @ehazira_tally_bulk IS NULL AND OLD.tallied IS NOT NULL THEN
    CALL attendance_tally_move(OLD.session_id, OLD.student_no, OLD.tallied,
      NULL);
  END IF;

CREATE TRIGGER attendance_window_finalised AFTER UPDATE ON attendance_window
FOR EACH ROW
  IF OLD.finalized_at IS NULL AND NEW.finalized_at IS NOT NULL THEN
    UPDATE attendance SET tallied = status
      WHERE session_id = NEW.session_id AND NOT (tallied <=> status);
  END IF;

-- What else a recount of one subject rebuilds from the marks: nothing yet.
-- A later migration that keeps another copy of the marks replaces this
-- procedure alone, not the recount below.
CREATE PROCEDURE attendance_tally_subject_more(IN subj INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  DO subj;
END;

-- The recount of one subject also marks what it counted as counted.
DROP PROCEDURE attendance_tally_subject;

CREATE PROCEDURE attendance_tally_subject(IN subj INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  DECLARE bulk INT DEFAULT @ehazira_tally_bulk;
  SET @ehazira_tally_bulk = 1;
  UPDATE period p STRAIGHT_JOIN session se ON se.period_id = p.period_id
    STRAIGHT_JOIN attendance a ON a.session_id = se.session_id
    SET a.tallied = a.status
    WHERE p.subject_id = subj AND NOT (a.tallied <=> a.status);
  SET @ehazira_tally_bulk = bulk;
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
    SELECT subj, se.date - INTERVAL WEEKDAY(se.date) DAY, a.student_no,
      COUNT(*), SUM(a.status = 'P')
    FROM period p STRAIGHT_JOIN session se ON se.period_id = p.period_id
    STRAIGHT_JOIN attendance a ON a.session_id = se.session_id
    WHERE p.subject_id = subj
    GROUP BY 2, 3;
  INSERT INTO student_tally (subject_id, student_no, held, present)
    SELECT subj, student_no, SUM(held), SUM(present)
    FROM student_week_tally WHERE subject_id = subj
    GROUP BY student_no;
  CALL attendance_tally_subject_more(subj);
END;
