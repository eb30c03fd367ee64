-- relay-lite store, version 30: ACME accounts and the certificates obtained per tunnel host (issue 16).
-- Plain SQL for H2 2.x and PostgreSQL alike. Times are epoch milliseconds. Keys are PKCS#8 / key-pair PEM:
-- the database is as secret as the relay's TLS key file.

-- One account key per ACME directory URL (Let's Encrypt, its staging, a private CA).
CREATE TABLE acme_account (
    directory     VARCHAR(500)   NOT NULL PRIMARY KEY,
    key_pem       VARCHAR(8000)  NOT NULL,
    created_at    BIGINT         NOT NULL
);

-- The newest certificate of each tunnel host; replaced on renewal, deleted on revocation.
CREATE TABLE acme_certificate (
    host          VARCHAR(253)   NOT NULL PRIMARY KEY,
    directory     VARCHAR(500)   NOT NULL,
    chain_pem     VARCHAR(65536) NOT NULL,
    key_pem       VARCHAR(8000)  NOT NULL,
    not_after     BIGINT         NOT NULL,
    issued_at     BIGINT         NOT NULL
);
