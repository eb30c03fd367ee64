-- The pinned TLS certificate of a remote relay (sha256:<64 hex>), for self-signed relays; null = the system's CAs.
ALTER TABLE profile ADD COLUMN relay_fingerprint VARCHAR(71);
