-- 011_web_push.sql: Web Push subscriptions of web devices.
-- A browser's PushManager subscription (RFC 8030 endpoint, the p256dh key
-- and auth secret RFC 8291 encrypts for) belongs to one device row, as an
-- Android app's FCM token does (device.push_token).  The relay reads it
-- when it claims the outbox and deletes it when the push service answers
-- 404 or 410.  endpoint_sha (SHA-256 hex of the endpoint) keeps one
-- endpoint on one device: a second account in the same browser takes the
-- subscription over, so the browser is never woken twice.
CREATE TABLE web_push_subscription (
  device_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  endpoint     VARCHAR(1024) CHARACTER SET ascii NOT NULL,
  endpoint_sha CHAR(64) CHARACTER SET ascii NOT NULL,
  p256dh       VARCHAR(100) CHARACTER SET ascii NOT NULL,
  auth         VARCHAR(40) CHARACTER SET ascii NOT NULL,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY ux_web_push_endpoint (endpoint_sha),
  CONSTRAINT fk_web_push_device FOREIGN KEY (device_id)
    REFERENCES device (device_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
