-- 004_indexes.sql: indexes for queries added with sign-in and push:
-- revoking a user's refresh tokens, moving a push token off other
-- devices, and a relay settling the rows it leased.
ALTER TABLE refresh_token ADD KEY ix_refresh_user (user_email);
ALTER TABLE device ADD KEY ix_device_push_token (push_token(191));
ALTER TABLE outbox ADD KEY ix_outbox_lease (lease_owner);
