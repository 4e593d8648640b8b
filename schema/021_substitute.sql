-- 021_substitute.sql: a class taken by another teacher.
--
-- * substitute: for one period on one date, the teacher who takes the
--   class instead of the subject's teacher (who is away).  Assigned by the
--   subject's teacher, a head of the class's department or an
--   administrator (POST /substitutes).  For that period and date the
--   substitute may do what the subject's teacher may do with the session
--   (start rounds, close, mark, remark); nothing else of the subject
--   (reports, leave, holidays) -- fcgi/domain/scope.h.
-- * session.taken_by: who started the session's latest round, shown in
--   the register and the reports (NULL: before this migration, the
--   subject's teacher).

CREATE TABLE substitute (
  substitute_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  period_id     INT UNSIGNED NOT NULL,
  date          DATE NOT NULL,
  teacher_email VARCHAR(190) NOT NULL,
  reason        VARCHAR(500) NOT NULL DEFAULT '',
  assigned_by   VARCHAR(190) NOT NULL,
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_substitute (period_id, date),
  KEY ix_substitute_teacher (teacher_email, date),
  CONSTRAINT fk_substitute_period FOREIGN KEY (period_id)
    REFERENCES period (period_id),
  CONSTRAINT fk_substitute_teacher FOREIGN KEY (teacher_email)
    REFERENCES teacher (teacher_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE session ADD COLUMN taken_by VARCHAR(190) NULL;
