-- 018_mail.sql: e-mail notices through the outbox (weekly digests to
-- teachers and heads, the optional guardian notice on a crossing).
--
-- Mail rows share the outbox with pushes (kind 'mail.digest',
-- 'mail.guardian'; no device) and its claim/lease/settle machinery; the
-- relay's push job leaves them to its mail job.  idem_key makes queuing
-- idempotent: one row per digest week and recipient, one per crossing, so
-- a second run of the digest command or a repeated finalisation adds
-- nothing (NULL for pushes, which have no such key).
ALTER TABLE outbox
  ADD COLUMN idem_key VARCHAR(255) NULL AFTER collapse_key,
  ADD UNIQUE KEY uq_outbox_idem (idem_key);

-- The guardian's address, from the students CSV (validated at import).
ALTER TABLE student
  ADD COLUMN guardian_email VARCHAR(190) NULL AFTER joined_on;

-- Crossings below the threshold so far: the guardian notice of each
-- crossing carries its number in its idempotency key, so a notice is sent
-- once per crossing and again only after a recovery and a new fall.
ALTER TABLE attendance_warning
  ADD COLUMN crossings INT UNSIGNED NOT NULL DEFAULT 0;
