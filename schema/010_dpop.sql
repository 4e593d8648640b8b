-- 010_dpop.sql: device keys and DPoP proofs (RFC 9449).
-- A device that signed in with a DPoP proof is bound to that key:
-- dpop_jkt is the key's RFC 7638 thumbprint (base64url, 43 characters),
-- dpop_jwk its public JWK as the proof carried it.  Every access token
-- of the device names the thumbprint (cnf.jkt) and every call must carry
-- a fresh proof signed by that key.  For WEB the key is the device: the
-- fingerprint is the thumbprint in hex, so a new key is a new device.
ALTER TABLE device
  ADD COLUMN dpop_jkt VARCHAR(43) NULL AFTER fingerprint_hash,
  ADD COLUMN dpop_jwk VARCHAR(255) NULL AFTER dpop_jkt;

-- Proofs seen recently: a proof's jti is accepted once.  The key is
-- SHA-256 hex of "<jkt>:<jti>" (bounded length, one key cannot burn
-- another key's jti); rows outlive the proof's accepted age and are
-- then deleted by the verifier's housekeeping.
CREATE TABLE dpop_jti (
  jti_hash   CHAR(64) NOT NULL PRIMARY KEY,
  expires_at DATETIME NOT NULL,
  KEY ix_dpop_jti_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
