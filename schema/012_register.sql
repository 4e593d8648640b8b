-- 012_register.sql: what a paper register keeps besides P/A/R.
--
-- * attendance.remark: the teacher's note on one mark (a manual mark's
--   reason, or a remark added later); shown in the register, the exports
--   and the student's history.  The status enum is unchanged.
-- * class term dates: a leave must fall inside them (NULL = open).
-- * student_leave: medical / on-duty / other leave over a date range,
--   entered by a teacher or an admin (APPROVED at once) or applied for by
--   the student (PENDING until a teacher of the class decides).  How an
--   excused absence counts is the LEAVE_COUNTS setting (see report.h).
-- * no_class: holidays (a whole day, for the institution or one class) and
--   cancelled classes (one period on one date): no session is expected and
--   none may be opened.

ALTER TABLE attendance ADD COLUMN remark VARCHAR(500) NULL;

ALTER TABLE class
  ADD COLUMN term_start DATE NULL,
  ADD COLUMN term_end   DATE NULL;

CREATE TABLE student_leave (
  leave_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_email VARCHAR(190) NOT NULL,
  kind          ENUM('MEDICAL','DUTY','OTHER') NOT NULL,
  from_date     DATE NOT NULL,
  to_date       DATE NOT NULL,
  reason        VARCHAR(500) NOT NULL DEFAULT '',
  state         ENUM('PENDING','APPROVED','REJECTED') NOT NULL,
  entered_by    VARCHAR(190) NOT NULL,   -- teacher, student or 'admin'
  decided_by    VARCHAR(190) NULL,
  decided_at    DATETIME(3) NULL,
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_leave_student (student_email, from_date),
  KEY ix_leave_state (state),
  CONSTRAINT fk_leave_student FOREIGN KEY (student_email)
    REFERENCES student (student_email),
  CONSTRAINT ck_leave_range CHECK (to_date >= from_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE no_class (
  no_class_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  date        DATE NOT NULL,
  kind        ENUM('HOLIDAY','CANCELLED') NOT NULL,
  class_id    INT UNSIGNED NULL,   -- HOLIDAY: NULL = the whole institution
  period_id   INT UNSIGNED NULL,   -- CANCELLED: the one period
  reason      VARCHAR(500) NOT NULL DEFAULT '',
  created_by  VARCHAR(190) NOT NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_no_class_date (date),
  CONSTRAINT fk_no_class_class FOREIGN KEY (class_id)
    REFERENCES class (class_id),
  CONSTRAINT fk_no_class_period FOREIGN KEY (period_id)
    REFERENCES period (period_id),
  CONSTRAINT ck_no_class_kind CHECK
    ((kind = 'HOLIDAY' AND period_id IS NULL) OR
     (kind = 'CANCELLED' AND period_id IS NOT NULL AND class_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
