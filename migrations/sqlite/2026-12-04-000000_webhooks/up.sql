-- Webhooks: endpoints that hear of changes, the outbox of events, and each event's delivery to
-- each endpoint.
--
-- `events` holds the subscribed event types space-separated, or `*`. `secret` signs every
-- delivery; after a rotation `previous_secret` signs beside it until `previous_secret_until`.
-- `lane_until`: an instance makes this endpoint's first attempts until then (so that they go
-- out one at a time, in the order the events happened, whichever instance sends them).
-- `failing_since`: the first failure after the last success (3 days of it disable the endpoint).
CREATE TABLE webhooks (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    events                TEXT NOT NULL,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until TIMESTAMP,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    last_success_at       TIMESTAMP,
    last_failure_at       TIMESTAMP,
    last_failure_reason   TEXT,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    failing_since         TIMESTAMP,
    lane_until            TIMESTAMP
);

-- The outbox: an event is written in the transaction of the change that causes it. `body` is
-- the JSON every delivery of it posts; `message_id` its `webhook-id`; `kind` its type.
CREATE TABLE webhook_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_events_age ON webhook_events (created_at);

-- One event to one endpoint. `attempts = 0` while its first attempt is to come (those go out
-- in id order per endpoint); a retry waits for `next_attempt_at`. `claimed_until`: an instance
-- is sending it until then.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    claimed_until   TIMESTAMP,
    response_status INTEGER,
    response_ms     INTEGER,
    error           TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_first ON webhook_deliveries (webhook_id, id) WHERE status = 'pending' AND attempts = 0;
CREATE INDEX webhook_deliveries_retries ON webhook_deliveries (next_attempt_at) WHERE status = 'pending' AND attempts > 0;
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (created_at) WHERE status <> 'pending';

-- Articles published for a time still to come: `article.published` is announced when it comes
-- (by whichever instance claims the row first), with no write at that moment.
CREATE TABLE scheduled_publications (
    article_id INTEGER PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    due_at     TIMESTAMP NOT NULL
);
CREATE INDEX scheduled_publications_due ON scheduled_publications (due_at);
INSERT INTO scheduled_publications (article_id, due_at)
    SELECT id, published_at FROM articles
    WHERE status = 'published' AND published_at > strftime('%Y-%m-%d %H:%M:%S', 'now');
