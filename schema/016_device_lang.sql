-- 016_device_lang.sql: the language of a device's notices.
-- The app (web or phone) reports the language the user chose
-- (POST /me/lang); pushes and notices queued for the device are written
-- in it (fcgi/domain/notices.c).  English until the app says otherwise.
ALTER TABLE device ADD COLUMN lang ENUM('en','hi','ur') NOT NULL DEFAULT 'en'
  AFTER push_token;
