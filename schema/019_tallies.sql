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
-- calls attendance_tally_rebuild() when done, which recounts everything.

CREATE TABLE session_tally (
  session_id INT UNSIGNED NOT NULL PRIMARY KEY,
  marks      INT NOT NULL DEFAULT 0,
  present    INT NOT NULL DEFAULT 0,
  absent     INT NOT NULL DEFAULT 0,
  flagged    INT NOT NULL DEFAULT 0,
  CONSTRAINT fk_session_tally_session FOREIGN KEY (session_id)
    REFERENCES session (session_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE student_tally (
  subject_id    INT UNSIGNED NOT NULL,
  student_email VARCHAR(190) NOT NULL,
  held          INT NOT NULL DEFAULT 0,
  present       INT NOT NULL DEFAULT 0,
  PRIMARY KEY (subject_id, student_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE student_week_tally (
  subject_id    INT UNSIGNED NOT NULL,
  student_email VARCHAR(190) NOT NULL,
  week          DATE NOT NULL,
  held          INT NOT NULL DEFAULT 0,
  present       INT NOT NULL DEFAULT 0,
  PRIMARY KEY (subject_id, student_email, week)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One mark in (d = 1) or out (d = -1) of the three tallies.  The insert
-- and delete triggers repeat it inline: a procedure call per row costs
-- more than the row's upkeep itself.
CREATE PROCEDURE attendance_tally(IN sid INT UNSIGNED, IN email
  VARCHAR(190), IN st CHAR(1), IN d INT)
MODIFIES SQL DATA
BEGIN
  DECLARE subj INT UNSIGNED;
  DECLARE wk DATE;
  DECLARE p INT DEFAULT d * (st = 'P');
  INSERT INTO session_tally (session_id, marks, present, absent, flagged)
    VALUES (sid, d, p, d * (st = 'A'), d * (st = 'R'))
    ON DUPLICATE KEY UPDATE marks = marks + d, present = present + p,
      absent = absent + d * (st = 'A'), flagged = flagged + d * (st = 'R');
  SELECT pe.subject_id, se.date - INTERVAL WEEKDAY(se.date) DAY
    INTO subj, wk
    FROM session se JOIN period pe ON pe.period_id = se.period_id
    WHERE se.session_id = sid;
  INSERT INTO student_tally (subject_id, student_email, held, present)
    VALUES (subj, email, d, p)
    ON DUPLICATE KEY UPDATE held = held + d, present = present + p;
  INSERT INTO student_week_tally (subject_id, student_email, week, held,
    present) VALUES (subj, email, wk, d, p)
    ON DUPLICATE KEY UPDATE held = held + d, present = present + p;
END;

CREATE TRIGGER attendance_tally_insert AFTER INSERT ON attendance
FOR EACH ROW
BEGIN
  DECLARE subj INT UNSIGNED;
  DECLARE wk DATE;
  DECLARE p INT DEFAULT NEW.status = 'P';
  IF @ehazira_tally_bulk IS NULL THEN
    INSERT INTO session_tally (session_id, marks, present, absent, flagged)
      VALUES (NEW.session_id, 1, p, NEW.status = 'A', NEW.status = 'R')
      ON DUPLICATE KEY UPDATE marks = marks + 1, present = present + p,
        absent = absent + (NEW.status = 'A'),
        flagged = flagged + (NEW.status = 'R');
    SELECT pe.subject_id, se.date - INTERVAL WEEKDAY(se.date) DAY
      INTO subj, wk
      FROM session se JOIN period pe ON pe.period_id = se.period_id
      WHERE se.session_id = NEW.session_id;
    INSERT INTO student_tally (subject_id, student_email, held, present)
      VALUES (subj, NEW.student_email, 1, p)
      ON DUPLICATE KEY UPDATE held = held + 1, present = present + p;
    INSERT INTO student_week_tally (subject_id, student_email, week, held,
      present) VALUES (subj, NEW.student_email, wk, 1, p)
      ON DUPLICATE KEY UPDATE held = held + 1, present = present + p;
  END IF;
END;

CREATE TRIGGER attendance_tally_update AFTER UPDATE ON attendance
FOR EACH ROW
BEGIN
  IF @ehazira_tally_bulk IS NULL AND NOT (OLD.status = NEW.status AND
     OLD.session_id = NEW.session_id AND
     OLD.student_email = NEW.student_email) THEN
    CALL attendance_tally(OLD.session_id, OLD.student_email, OLD.status, -1);
    CALL attendance_tally(NEW.session_id, NEW.student_email, NEW.status, 1);
  END IF;
END;

CREATE TRIGGER attendance_tally_delete AFTER DELETE ON attendance
FOR EACH ROW
BEGIN
  DECLARE subj INT UNSIGNED;
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
    UPDATE student_tally SET held = held - 1, present = present - p
      WHERE subject_id = subj AND student_email = OLD.student_email;
    UPDATE student_week_tally SET held = held - 1, present = present - p
      WHERE subject_id = subj AND student_email = OLD.student_email AND
        week = wk;
  END IF;
END;

-- Every tally recounted from attendance: the backfill below, and after a
-- bulk load.  One subject at a time, so that no grouping outgrows the
-- in-memory temporary tables (the college at once spills to disk and
-- takes minutes).
CREATE PROCEDURE attendance_tally_rebuild()
MODIFIES SQL DATA
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE subj INT UNSIGNED;
  DECLARE subjects CURSOR FOR SELECT subject_id FROM subject;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  DELETE FROM session_tally;
  DELETE FROM student_tally;
  DELETE FROM student_week_tally;
  INSERT INTO session_tally (session_id, marks, present, absent, flagged)
    SELECT session_id, COUNT(*), SUM(status = 'P'), SUM(status = 'A'),
      SUM(status = 'R')
    FROM attendance GROUP BY session_id;
  OPEN subjects;
  next_subject: LOOP
    FETCH subjects INTO subj;
    IF done THEN
      LEAVE next_subject;
    END IF;
    INSERT INTO student_week_tally (subject_id, student_email, week, held,
      present)
      SELECT subj, a.student_email, se.date - INTERVAL WEEKDAY(se.date) DAY,
        COUNT(*), SUM(a.status = 'P')
      FROM period p JOIN session se ON se.period_id = p.period_id
      JOIN attendance a ON a.session_id = se.session_id
      WHERE p.subject_id = subj
      GROUP BY a.student_email, 3;
    INSERT INTO student_tally (subject_id, student_email, held, present)
      SELECT subj, student_email, SUM(held), SUM(present)
      FROM student_week_tally WHERE subject_id = subj
      GROUP BY student_email;
  END LOOP;
  CLOSE subjects;
END;

-- The marks so far (migrations run before the services start).
CALL attendance_tally_rebuild();
