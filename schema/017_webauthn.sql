-- 017_webauthn.sql: biometric presence (WebAuthn user verification).
-- class.require_uv: every submit in the class must carry a WebAuthn
-- assertion made with the phone's own screen lock (fingerprint, face or
-- PIN) over a challenge derived from the open window (fcgi/domain/
-- webauthn.c).  A window copies the flag when it opens, as it does the
-- other anti-proxy policies (007); NULL: opened before this migration.
ALTER TABLE class ADD COLUMN require_uv BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE attendance_window ADD COLUMN require_uv BOOLEAN NULL;

-- The passkey a device registered after binding: one per device (a new
-- registration replaces it).  credential_id and public_key (the COSE_Key
-- of the attested credential data, ES256 on P-256) are base64url; the
-- sign count only ever grows, so a replayed assertion is refused.  No
-- biometric data: the authenticator keeps that on the phone.
CREATE TABLE webauthn_credential (
  credential_id VARCHAR(344) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
                PRIMARY KEY,
  device_id     BIGINT UNSIGNED NOT NULL,
  public_key    VARCHAR(344) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sign_count    INT UNSIGNED NOT NULL DEFAULT 0,
  created_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_used_at  DATETIME(3) NULL,
  UNIQUE KEY ux_webauthn_device (device_id),
  CONSTRAINT fk_webauthn_device FOREIGN KEY (device_id)
    REFERENCES device (device_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
