-- The language a Slack-compatible channel's messages are written in (`pl`, `cs`, `en`).
ALTER TABLE webhooks ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
