-- 007_window_policy.sql: a window keeps the class's anti-proxy policy as
-- it was when the window opened, so a change made during a window (CLI,
-- CSV import) takes effect from the next window, never half-way.  NULL:
-- a window opened before this migration; submits then read the class.
ALTER TABLE attendance_window
  ADD COLUMN flag_on_focus_loss BOOLEAN NULL,
  ADD COLUMN allowed_cidrs VARCHAR(1024) NULL;
