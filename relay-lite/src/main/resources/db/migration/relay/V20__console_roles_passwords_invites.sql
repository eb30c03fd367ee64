-- relay-lite store, version 20: the web console. A role per user (user or admin), a password hash for
-- signing in to the console (bcrypt, never the password), and one-time invite links that set a password.
-- Plain SQL for H2 2.x and PostgreSQL alike.

ALTER TABLE app_user ADD COLUMN role VARCHAR(16) DEFAULT 'user' NOT NULL;
ALTER TABLE app_user ADD COLUMN password_hash VARCHAR(100);

-- Only the hex SHA-256 of an invite's secret is stored; the link is shown once.
CREATE TABLE console_invite (
    token_hash    VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_name     VARCHAR(63)  NOT NULL REFERENCES app_user (name),
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    used_at       BIGINT                            -- null until the link has been used (it works once)
);
