-- The audit log: one entry per staff write and security event, written in the same transaction
-- as the change. The actor is copied as it was (`actor_name`); ids name users, tokens or nothing
-- (`system`, `anonymous`) and have no foreign key, so entries outlive what they name. Entries
-- never change (a trigger refuses updates); retention deletes the oldest, by `at`.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at          TIMESTAMP NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    request_id  TEXT,
    ip          TEXT,
    summary     TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_type, actor_id, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

CREATE TRIGGER audit_log_never_changes BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'an audit entry never changes');
END;
