-- 006_device_identity.sql: Play Integrity's finer label, and the phone's
-- fingerprint findable across accounts.
-- device.integrity_level keeps the seed's three values (STRONG, BASIC,
-- FAIL); integrity_verdict keeps which of Google's tiers the verdict
-- reached: STRONG, DEVICE (a certified phone), BASIC (typically rooted or
-- unlocked) or NONE.  NULL: no verdict was given (WEB, IOS, or Android
-- when REQUIRE_INTEGRITY=0).
-- ix_device_fingerprint: a sign-in looks for another student's active
-- device of the same phone (one phone = one student) and locks that range.
ALTER TABLE device
  ADD COLUMN integrity_verdict ENUM('STRONG','DEVICE','BASIC','NONE') NULL
    AFTER integrity_level,
  ADD KEY ix_device_fingerprint (fingerprint_hash);
