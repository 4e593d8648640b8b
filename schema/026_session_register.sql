-- 026_session_register.sql: each ended session's marks in one packed row.
--
-- The class summary (fcgi/reports/reportbuild.c) packed every session's
-- marks with a GROUP_CONCAT over attendance: for a 600-student subject
-- with 90 sessions, 54,000 marks read twice on every request (a COUNT and
-- the GROUP_CONCAT), about 120 ms of mariadbd.  session_register keeps
-- that packed string, and its count, per session: the summary reads 90
-- rows.
--
-- packed is exactly what the reader's GROUP_CONCAT makes: per mark the
-- status, the source's first letter, slow (0/1) and the student's number,
-- a space between marks, in no particular order (the reader places each
-- mark by its number).  A row is whole when no window of its session is
-- pending, which is when the summary trusts it; otherwise (no row, or a
-- pending window) the summary packs the session from the marks as before.
--
-- Who writes it:
--
-- * finalising a window (setting its finalized_at, whoever does: fcgi/
--   domain/window.c, an older relay, an operator) builds the session's
--   row, by a trigger on attendance_window that follows 025's, which
--   counts the marks, in the finalising statement;
-- * a recount (attendance_tally_subject, and so attendance_tally_rebuild)
--   builds the rows of its subject's sessions;
-- * the triggers below patch the row of a session with no pending
--   window when one of its marks is inserted, deleted, or changes in what
--   the row shows (status, source, slow, student number): the old mark's
--   text out, the new one's in; and count the marks with a remark (the
--   summary reads the remarks themselves apart, only of the sessions
--   that have some).  A delay edit, or a remark's new text, changes
--   nothing here.
--
-- So, like 025's tallies, a submit of an open window writes nothing but
-- its mark: the triggers skip a session whose window is pending, and its
-- finalisation rebuilds the row.  A session written without any window
-- (marks by hand, imports) has a row only after a recount, and is read
-- from the marks until then.  A patch that does not find the old mark's
-- text in the row (the row went stale somehow) deletes the row: the
-- summary then reads that session from the marks, which is always right.
-- @ehazira_tally_bulk skips the triggers here too; the recount after a
-- bulk load rebuilds the rows.

CREATE TABLE session_register (
  session_id INT UNSIGNED NOT NULL PRIMARY KEY,
  marks      INT NOT NULL,
  -- marks with a remark: the summary reads the remarks of these sessions
  remarks    INT NOT NULL,
  packed     MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  CONSTRAINT fk_session_register_session FOREIGN KEY (session_id)
    REFERENCES session (session_id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- The session's row from its marks, unless a window of it is pending
-- (then no row: the reader packs the marks, and the finalisation builds).
CREATE PROCEDURE attendance_register_build(IN sid INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  DELETE FROM session_register WHERE session_id = sid;
  IF attendance_window_pending(sid) = 0 THEN
    INSERT INTO session_register (session_id, marks, remarks, packed)
      SELECT sid, COUNT(*), COALESCE(SUM(a.remark IS NOT NULL), 0),
        COALESCE(GROUP_CONCAT(a.status, LEFT(a.source, 1), a.slow,
        a.student_no SEPARATOR ' '), '')
      FROM attendance a WHERE a.session_id = sid;
  END IF;
END;

-- The rows of every session of one subject (a recount).
CREATE PROCEDURE attendance_register_subject(IN subj INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  DELETE r FROM period p STRAIGHT_JOIN session se
    ON se.period_id = p.period_id
    STRAIGHT_JOIN session_register r ON r.session_id = se.session_id
    WHERE p.subject_id = subj;
  INSERT INTO session_register (session_id, marks, remarks, packed)
    SELECT se.session_id, COUNT(*), SUM(a.remark IS NOT NULL),
      GROUP_CONCAT(a.status, LEFT(a.source, 1), a.slow, a.student_no
      SEPARATOR ' ')
    FROM period p STRAIGHT_JOIN session se ON se.period_id = p.period_id
    STRAIGHT_JOIN attendance a ON a.session_id = se.session_id
    WHERE p.subject_id = subj AND NOT EXISTS (SELECT 1
      FROM attendance_window w WHERE w.session_id = se.session_id
      AND w.finalized_at IS NULL)
    GROUP BY se.session_id;
END;

-- One mark's text out of the session's row (tok_from, NULL for none) and
-- another's in (tok_to, NULL for none), and rem added to its remarks.
-- The text is searched between spaces; the new one goes at the end.  Not
-- found: the row is dropped.
CREATE PROCEDURE attendance_register_patch(IN sid INT UNSIGNED,
  IN tok_from VARCHAR(40) CHARACTER SET ascii,
  IN tok_to VARCHAR(40) CHARACTER SET ascii, IN rem INT)
MODIFIES SQL DATA
BEGIN
  DECLARE s MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL;
  DECLARE pos INT DEFAULT 1;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET s = NULL;
  SELECT CONCAT(' ', packed, ' ') INTO s FROM session_register
    WHERE session_id = sid FOR UPDATE;
  IF s IS NOT NULL AND tok_from IS NOT NULL THEN
    SET pos = LOCATE(CONCAT(' ', tok_from, ' '), s);
    SET s = INSERT(s, pos, CHAR_LENGTH(tok_from) + 1, '');
  END IF;
  IF s IS NOT NULL AND pos = 0 THEN
    DELETE FROM session_register WHERE session_id = sid;
  ELSEIF s IS NOT NULL THEN
    UPDATE session_register
      SET packed = TRIM(CONCAT(s, COALESCE(CONCAT(tok_to, ' '), ''))),
        marks = marks + (tok_to IS NOT NULL) - (tok_from IS NOT NULL),
        remarks = remarks + rem
      WHERE session_id = sid;
  END IF;
END;

-- A window's end: after 025's trigger has counted the session's marks.
CREATE TRIGGER attendance_window_register AFTER UPDATE ON attendance_window
FOR EACH ROW FOLLOWS attendance_window_finalised
  IF OLD.finalized_at IS NULL AND NEW.finalized_at IS NOT NULL THEN
    CALL attendance_register_build(NEW.session_id);
  END IF;

-- A new mark counted at once (025: tallied is set unless its window is
-- pending) goes into its session's row.
CREATE TRIGGER attendance_register_insert AFTER INSERT ON attendance
FOR EACH ROW FOLLOWS attendance_tally_insert
  IF @ehazira_tally_bulk IS NULL AND NEW.tallied IS NOT NULL THEN
    CALL attendance_register_patch(NEW.session_id, NULL,
      CONCAT(NEW.status, LEFT(NEW.source, 1), NEW.slow, NEW.student_no),
      NEW.remark IS NOT NULL);
  END IF;

-- A change to what the row shows, or a remark added or taken away, in a
-- session with no pending window (a window's own writes wait for its
-- finalisation, which rebuilds).  A remark's new text changes nothing.
CREATE TRIGGER attendance_register_update AFTER UPDATE ON attendance
FOR EACH ROW FOLLOWS attendance_tally_update
BEGIN
  DECLARE t_old VARCHAR(40) CHARACTER SET ascii DEFAULT CONCAT(OLD.status,
    LEFT(OLD.source, 1), OLD.slow, OLD.student_no);
  DECLARE t_new VARCHAR(40) CHARACTER SET ascii DEFAULT CONCAT(NEW.status,
    LEFT(NEW.source, 1), NEW.slow, NEW.student_no);
  DECLARE rem INT DEFAULT (NEW.remark IS NOT NULL)
    - (OLD.remark IS NOT NULL);
  IF t_old = t_new THEN
    SET t_old = NULL, t_new = NULL;
  END IF;
  IF @ehazira_tally_bulk IS NULL AND (t_old IS NOT NULL OR rem <> 0)
     AND attendance_window_pending(NEW.session_id) = 0 THEN
    CALL attendance_register_patch(NEW.session_id, t_old, t_new, rem);
  END IF;
END;

CREATE TRIGGER attendance_register_delete AFTER DELETE ON attendance
FOR EACH ROW FOLLOWS attendance_tally_delete
  IF @ehazira_tally_bulk IS NULL
     AND attendance_window_pending(OLD.session_id) = 0 THEN
    CALL attendance_register_patch(OLD.session_id,
      CONCAT(OLD.status, LEFT(OLD.source, 1), OLD.slow, OLD.student_no),
      NULL, -(OLD.remark IS NOT NULL));
  END IF;

-- A recount rebuilds its subject's rows too (025's hook).
DROP PROCEDURE attendance_tally_subject_more;

CREATE PROCEDURE attendance_tally_subject_more(IN subj INT UNSIGNED)
MODIFIES SQL DATA
  CALL attendance_register_subject(subj);

-- The sessions so far: one pass over attendance in its key's order.
INSERT INTO session_register (session_id, marks, remarks, packed)
  SELECT a.session_id, COUNT(*), SUM(a.remark IS NOT NULL),
    GROUP_CONCAT(a.status, LEFT(a.source, 1), a.slow, a.student_no
    SEPARATOR ' ')
  FROM attendance a
  WHERE NOT EXISTS (SELECT 1 FROM attendance_window w
    WHERE w.session_id = a.session_id AND w.finalized_at IS NULL)
  GROUP BY a.session_id;
