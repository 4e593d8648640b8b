-- 003_rate_limit.sql: one row per key (the current window and its count).
-- The row is permanent, so its lock also orders one student's submits.
DELETE FROM rate_limit;
ALTER TABLE rate_limit DROP PRIMARY KEY, DROP INDEX ix_rate_window,
  ADD PRIMARY KEY (rl_key);
