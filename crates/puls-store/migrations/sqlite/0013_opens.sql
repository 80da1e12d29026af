-- E-mail opens, an administrator's opt-in (setting `email`, `track_opens`): when a
-- delivery's message was first opened (its 1×1 image loaded), none until then, and none
-- for messages sent while opens were not tracked.
ALTER TABLE deliveries ADD COLUMN opened_at BIGINT;
