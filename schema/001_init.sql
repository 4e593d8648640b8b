-- 001_init.sql: the ten tables of the request, with their keys, plus what
-- the attendance flow needs.  All times are UTC (the workers set the session
-- time zone to +00:00); SESSION.date is the institution's local date.

CREATE TABLE department (
  department_id   INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  department_name VARCHAR(190) NOT NULL,
  UNIQUE KEY uq_department_name (department_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE teacher (
  teacher_email VARCHAR(190) NOT NULL PRIMARY KEY,
  name          VARCHAR(190) NOT NULL,
  designation   VARCHAR(190) NOT NULL DEFAULT '',
  department_id INT UNSIGNED NOT NULL,
  verified      BOOLEAN NOT NULL DEFAULT FALSE,
  blocked       BOOLEAN NOT NULL DEFAULT FALSE,
  CONSTRAINT fk_teacher_department FOREIGN KEY (department_id)
    REFERENCES department (department_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE class (
  class_id      INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  department_id INT UNSIGNED NOT NULL,
  batch         VARCHAR(32) NOT NULL,
  semester      TINYINT UNSIGNED NOT NULL,
  section       VARCHAR(16) NOT NULL,
  -- anti-proxy policy: a correct code after focus loss is R, not P
  flag_on_focus_loss BOOLEAN NOT NULL DEFAULT TRUE,
  -- optional campus network: comma-separated CIDRs; empty = anywhere
  allowed_cidrs VARCHAR(1024) NOT NULL DEFAULT '',
  UNIQUE KEY uq_class (department_id, batch, semester, section),
  CONSTRAINT fk_class_department FOREIGN KEY (department_id)
    REFERENCES department (department_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE student (
  student_email VARCHAR(190) NOT NULL PRIMARY KEY,
  name          VARCHAR(190) NOT NULL,
  roll_no       VARCHAR(32) NOT NULL,
  class_id      INT UNSIGNED NOT NULL,
  verified      BOOLEAN NOT NULL DEFAULT FALSE,
  blocked       BOOLEAN NOT NULL DEFAULT FALSE,
  -- set when Play Integrity failed; cleared only by an admin
  flagged       BOOLEAN NOT NULL DEFAULT FALSE,
  -- first day the student counts in reports (joined mid-term)
  joined_on     DATE NULL,
  UNIQUE KEY uq_student_roll (roll_no, class_id),
  KEY ix_student_class (class_id),
  CONSTRAINT fk_student_class FOREIGN KEY (class_id)
    REFERENCES class (class_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE course (
  course_id   VARCHAR(32) NOT NULL PRIMARY KEY,
  course_name VARCHAR(190) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE subject (
  subject_id    INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  course_id     VARCHAR(32) NOT NULL,
  class_id      INT UNSIGNED NOT NULL,
  teacher_email VARCHAR(190) NOT NULL,
  UNIQUE KEY uq_subject (course_id, class_id),
  KEY ix_subject_teacher (teacher_email),
  KEY ix_subject_class (class_id),
  CONSTRAINT fk_subject_course FOREIGN KEY (course_id)
    REFERENCES course (course_id),
  CONSTRAINT fk_subject_class FOREIGN KEY (class_id)
    REFERENCES class (class_id),
  CONSTRAINT fk_subject_teacher FOREIGN KEY (teacher_email)
    REFERENCES teacher (teacher_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE period (
  period_id   INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  subject_id  INT UNSIGNED NOT NULL,
  day_of_week TINYINT UNSIGNED NOT NULL,  -- 1 = Monday ... 7 = Sunday
  period_no   TINYINT UNSIGNED NOT NULL,
  start_time  TIME NULL,
  end_time    TIME NULL,
  UNIQUE KEY uq_period (subject_id, day_of_week, period_no),
  CONSTRAINT fk_period_subject FOREIGN KEY (subject_id)
    REFERENCES subject (subject_id),
  CONSTRAINT ck_period_day CHECK (day_of_week BETWEEN 1 AND 7)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE session (
  session_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  period_id  INT UNSIGNED NOT NULL,
  date       DATE NOT NULL,
  -- an online class skips the campus-network check
  online     BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_session (period_id, date),
  KEY ix_session_date (date),
  CONSTRAINT fk_session_period FOREIGN KEY (period_id)
    REFERENCES period (period_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE attendance (
  session_id    INT UNSIGNED NOT NULL,
  student_email VARCHAR(190) NOT NULL,
  status        ENUM('P','A','R') NOT NULL,
  -- how the status came: the code, the window's end, or a teacher
  source        ENUM('OTP','TIMEOUT','MANUAL') NOT NULL DEFAULT 'OTP',
  marked_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (session_id, student_email),
  KEY ix_attendance_student (student_email, session_id),
  CONSTRAINT fk_attendance_session FOREIGN KEY (session_id)
    REFERENCES session (session_id),
  CONSTRAINT fk_attendance_student FOREIGN KEY (student_email)
    REFERENCES student (student_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE device (
  device_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_email       VARCHAR(190) NOT NULL,
  role             ENUM('student','teacher') NOT NULL,
  device_uuid      VARCHAR(64) NOT NULL,           -- 'DUMMY' for WEB
  fingerprint_hash VARCHAR(128) NOT NULL,          -- client IP for WEB
  integrity_level  ENUM('STRONG','BASIC','FAIL') NOT NULL DEFAULT 'BASIC',
  platform         ENUM('WEB','ANDROID','IOS') NOT NULL,
  active           BOOLEAN NOT NULL DEFAULT FALSE,
  approval         ENUM('ACTIVE','PENDING','REJECTED','REPLACED')
                   NOT NULL DEFAULT 'PENDING',
  push_token       VARCHAR(512) NULL,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_seen_at     DATETIME(3) NULL,
  decided_by       VARCHAR(190) NULL,
  decided_at       DATETIME(3) NULL,
  -- user_email is a student or a teacher, so it has no single FK target;
  -- the auth code only ever creates rows for registered e-mails.
  KEY ix_device_user (user_email, active),
  KEY ix_device_fp (user_email, fingerprint_hash),
  KEY ix_device_approval (approval)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One attendance window (a "round") of a session: the OTP and its life.
CREATE TABLE attendance_window (
  window_id    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  session_id   INT UNSIGNED NOT NULL,
  round        TINYINT UNSIGNED NOT NULL,
  otp          CHAR(4) NOT NULL,
  opened_by    VARCHAR(190) NOT NULL,
  opened_at    DATETIME(3) NOT NULL,
  expires_at   DATETIME(3) NOT NULL,
  grace_ms     INT UNSIGNED NOT NULL,
  closed_at    DATETIME(3) NULL,   -- teacher closed early
  finalized_at DATETIME(3) NULL,   -- absentees marked
  UNIQUE KEY uq_window_round (session_id, round),
  KEY ix_window_due (finalized_at, expires_at),
  CONSTRAINT fk_window_session FOREIGN KEY (session_id)
    REFERENCES session (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per student per window: wrong codes so far (one retry allowed).
CREATE TABLE attendance_attempt (
  window_id     BIGINT UNSIGNED NOT NULL,
  student_email VARCHAR(190) NOT NULL,
  wrong         TINYINT UNSIGNED NOT NULL DEFAULT 0,
  last_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (window_id, student_email),
  CONSTRAINT fk_attempt_window FOREIGN KEY (window_id)
    REFERENCES attendance_window (window_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Anti-proxy evidence sent by the app while a window is open.
CREATE TABLE telemetry (
  telemetry_id  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  session_id    INT UNSIGNED NOT NULL,
  window_id     BIGINT UNSIGNED NULL,
  student_email VARCHAR(190) NOT NULL,
  kind          ENUM('focus_lost','app_switch','copy','paste','blur',
                     'visibility_hidden','other') NOT NULL,
  detail        VARCHAR(255) NOT NULL DEFAULT '',
  remote_addr   VARCHAR(64) NOT NULL DEFAULT '',
  at            DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_telemetry_student (session_id, student_email),
  CONSTRAINT fk_telemetry_session FOREIGN KEY (session_id)
    REFERENCES session (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE refresh_token (
  token_hash  CHAR(64) NOT NULL PRIMARY KEY,   -- SHA-256 hex of the token
  user_email  VARCHAR(190) NOT NULL,
  role        ENUM('student','teacher') NOT NULL,
  device_id   BIGINT UNSIGNED NOT NULL,
  family      CHAR(32) NOT NULL,               -- one chain of rotations
  expires_at  DATETIME NOT NULL,
  used_at     DATETIME(3) NULL,                -- rotated away
  revoked_at  DATETIME(3) NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_refresh_family (family),
  KEY ix_refresh_device (device_id),
  CONSTRAINT fk_refresh_device FOREIGN KEY (device_id)
    REFERENCES device (device_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Single-use Play Integrity nonces.
CREATE TABLE auth_challenge (
  nonce      VARCHAR(64) NOT NULL PRIMARY KEY,
  expires_at DATETIME NOT NULL,
  used_at    DATETIME(3) NULL,
  KEY ix_challenge_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
  audit_id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at         DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  actor      VARCHAR(190) NOT NULL,     -- e-mail, 'system' or 'admin'
  action     VARCHAR(64) NOT NULL,      -- device.reinstall, attendance.manual ...
  subject    VARCHAR(190) NOT NULL,     -- whom or what it is about
  old_value  VARCHAR(255) NULL,
  new_value  VARCHAR(255) NULL,
  reason     VARCHAR(512) NULL,
  detail     TEXT NULL,
  KEY ix_audit_subject (subject, at),
  KEY ix_audit_action (action, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Work for the relay, written in the same transaction as the change.
CREATE TABLE outbox (
  outbox_id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind        VARCHAR(32) NOT NULL,     -- push.started, push.absent ...
  device_id   BIGINT UNSIGNED NULL,
  collapse_key VARCHAR(64) NULL,
  payload     TEXT NOT NULL,            -- JSON
  state       ENUM('PENDING','SENT','FAILED','DROPPED') NOT NULL
              DEFAULT 'PENDING',
  tries       SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  not_before  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at  DATETIME(3) NULL,         -- pointless to send after
  lease_until DATETIME(3) NULL,
  lease_owner VARCHAR(64) NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at     DATETIME(3) NULL,
  last_error  VARCHAR(255) NULL,
  KEY ix_outbox_due (state, not_before)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fixed-window rate-limit counters (guard.c).
CREATE TABLE rate_limit (
  rl_key       VARCHAR(190) NOT NULL,
  window_start DATETIME NOT NULL,
  hits         INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (rl_key, window_start),
  KEY ix_rate_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Relay counters readable by `ehazira-admin relay-status`.
CREATE TABLE relay_stat (
  name  VARCHAR(64) NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL DEFAULT 0,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Low-attendance warnings: one per crossing below the threshold.
CREATE TABLE attendance_warning (
  student_email VARCHAR(190) NOT NULL,
  subject_id    INT UNSIGNED NOT NULL,
  below         BOOLEAN NOT NULL DEFAULT FALSE,
  changed_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (student_email, subject_id),
  CONSTRAINT fk_warning_student FOREIGN KEY (student_email)
    REFERENCES student (student_email),
  CONSTRAINT fk_warning_subject FOREIGN KEY (subject_id)
    REFERENCES subject (subject_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
