-- Shared folders (kind FOLDER): the app serves the folder named by the profile's option "folder" itself, so such a
-- profile has no local port (stored as 0). Every other kind keeps the 1..65535 rule.
ALTER TABLE profile DROP CONSTRAINT profile_kind;
ALTER TABLE profile DROP CONSTRAINT profile_port;
ALTER TABLE profile ADD CONSTRAINT profile_kind CHECK (kind IN ('HTTP', 'TCP', 'FOLDER'));
ALTER TABLE profile ADD CONSTRAINT profile_port CHECK (local_port BETWEEN 1 AND 65535 OR kind = 'FOLDER' AND local_port = 0);
