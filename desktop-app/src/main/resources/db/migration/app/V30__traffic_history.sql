-- Coarse traffic history for the Overview charts: one row per profile per minute in which the profile was
-- connected, trying to connect, or carried traffic. Pruned to about a week by the app; deleting a profile
-- deletes its history.
-- Latencies are NULL for a minute without requests; rtt_ms NULL before the first heartbeat answer.

CREATE TABLE traffic_minute (
    profile_id       VARCHAR(36)   NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    minute_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    requests         BIGINT        NOT NULL,
    errors_network   BIGINT        NOT NULL,
    errors_auth      BIGINT        NOT NULL,
    errors_config    BIGINT        NOT NULL,
    errors_server    BIGINT        NOT NULL,
    errors_protocol  BIGINT        NOT NULL,
    errors_target    BIGINT        NOT NULL,
    bytes_in         BIGINT        NOT NULL,
    bytes_out        BIGINT        NOT NULL,
    p50_ms           DOUBLE PRECISION,
    p95_ms           DOUBLE PRECISION,
    p99_ms           DOUBLE PRECISION,
    rtt_ms           DOUBLE PRECISION,
    up_ms            BIGINT        NOT NULL,
    down_ms          BIGINT        NOT NULL,
    reconnects       BIGINT        NOT NULL,
    PRIMARY KEY (profile_id, minute_start)
);

CREATE INDEX traffic_minute_start ON traffic_minute (minute_start);
