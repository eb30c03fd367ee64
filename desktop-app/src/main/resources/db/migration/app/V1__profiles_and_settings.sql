-- The desktop app's own store: tunnel profiles and app settings. Plain SQL that PostgreSQL runs too.

CREATE TABLE profile (
    id             VARCHAR(36)   NOT NULL PRIMARY KEY,
    name           VARCHAR(100)  NOT NULL,
    kind           VARCHAR(8)    NOT NULL,
    local_host     VARCHAR(255)  NOT NULL,
    local_port     INTEGER       NOT NULL,
    relay_mode     VARCHAR(16)   NOT NULL,
    relay_url      VARCHAR(2048),
    token          VARCHAR(1024),
    requested_name VARCHAR(63),
    auto_connect   BOOLEAN       NOT NULL,
    position       INTEGER       NOT NULL,
    CONSTRAINT profile_kind CHECK (kind IN ('HTTP', 'TCP')),
    CONSTRAINT profile_relay_mode CHECK (relay_mode IN ('EMBEDDED', 'REMOTE')),
    CONSTRAINT profile_port CHECK (local_port BETWEEN 1 AND 65535)
);

CREATE TABLE profile_option (
    profile_id   VARCHAR(36)   NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    name         VARCHAR(100)  NOT NULL,
    option_value VARCHAR(1024) NOT NULL,
    PRIMARY KEY (profile_id, name)
);

CREATE TABLE app_setting (
    name          VARCHAR(100)  NOT NULL PRIMARY KEY,
    setting_value VARCHAR(4000) NOT NULL
);
