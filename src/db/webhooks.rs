//! Webhook endpoints, the outbox of events and their deliveries.
//!
//! An event is written by [`enqueue`] inside the transaction of the change that causes it, with
//! a delivery row for every endpoint subscribed to its type: an event is never sent for a
//! change that rolled back, and never lost once the change committed. The delivery worker
//! (`crate::webhooks`) claims work here, so that several instances on one database share it
//! without sending an attempt twice at once: an endpoint's first attempts through a *lane*
//! (one instance at a time sends them, in event order), retries one by one.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::schema::{scheduled_publications, webhook_deliveries, webhook_events, webhooks};
use super::{Conn, DbError};

/// Attempts in all before a delivery counts as failed (the first and seven retries).
pub const MAX_ATTEMPTS: i64 = 8;
/// Failures without a success for this long disable an endpoint.
pub const DISABLE_AFTER: Duration = Duration::days(3);
/// How long the signatures of a rotated-out secret go on.
pub const OLD_SECRET_LASTS: Duration = Duration::hours(24);

/// The wait before retry `n` (1 = after the first failure), before jitter.
pub fn retry_delay(failed_attempts: i64) -> Duration {
    match failed_attempts {
        ..=1 => Duration::seconds(5),
        2 => Duration::minutes(5),
        3 => Duration::minutes(30),
        4 => Duration::hours(2),
        5 => Duration::hours(5),
        _ => Duration::hours(10),
    }
}

/// An endpoint as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: String,
    pub active: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    pub last_failure_reason: Option<String>,
    pub consecutive_failures: i64,
    pub failing_since: Option<NaiveDateTime>,
    pub lane_until: Option<NaiveDateTime>,
}

impl Endpoint {
    /// The subscribed event types (`*` for all).
    pub fn event_list(&self) -> Vec<String> {
        split_events(&self.events)
    }

    /// The secrets that sign a delivery sent at `now`: the current one, and the one it replaced
    /// while that still counts.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<String> {
        let mut secrets = vec![self.secret.clone()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_secret_until) {
            if until > now {
                secrets.push(old.clone());
            }
        }
        secrets
    }
}

fn split_events(text: &str) -> Vec<String> {
    text.split(' ').filter(|e| !e.is_empty()).map(str::to_owned).collect()
}

/// Whether a subscription to `events` (space-separated) takes an event of type `kind`, or
/// (`kind` ending in a dot, `article.`) any type of that family.
fn subscribes(events: &str, kind: &str) -> bool {
    let family = kind.ends_with('.');
    events.split(' ').any(|e| e == "*" || e == kind || (family && e.starts_with(kind)))
}

/// A new endpoint.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Stores a new endpoint signing with `secret`.
pub fn create(conn: &mut Conn, new: &NewEndpoint, secret: &str, now: NaiveDateTime) -> Result<Endpoint, DbError> {
    super::write(conn, |conn| {
        let id: i64 = diesel::insert_into(webhooks::table)
            .values((
                webhooks::url.eq(&new.url),
                webhooks::description.eq(&new.description),
                webhooks::events.eq(new.events.join(" ")),
                webhooks::active.eq(true),
                webhooks::secret.eq(secret),
                webhooks::created_at.eq(now),
                webhooks::updated_at.eq(now),
            ))
            .returning(webhooks::id)
            .get_result(conn)?;
        find(conn, id)
    })
}

/// One page of the endpoints, oldest first, and how many there are.
pub fn list(conn: &mut Conn, offset: i64, limit: i64) -> Result<(Vec<Endpoint>, i64), DbError> {
    let total: i64 = webhooks::table.count().get_result(conn)?;
    let rows =
        webhooks::table.order(webhooks::id).offset(offset).limit(limit).select(Endpoint::as_select()).load(conn)?;
    Ok((rows, total))
}

/// Endpoint `id`.
pub fn find(conn: &mut Conn, id: i64) -> Result<Endpoint, DbError> {
    Ok(webhooks::table.find(id).select(Endpoint::as_select()).first(conn)?)
}

/// Applies `changes` to endpoint `id`. Turning an endpoint back on forgets its failures.
pub fn update(conn: &mut Conn, id: i64, changes: &EndpointChanges, now: NaiveDateTime) -> Result<Endpoint, DbError> {
    super::write(conn, |conn| {
        let current = find(conn, id)?;
        let reactivated = changes.active == Some(true) && !current.active;
        diesel::update(webhooks::table.find(id))
            .set((
                changes.url.as_ref().map(|v| webhooks::url.eq(v)),
                changes.description.as_ref().map(|v| webhooks::description.eq(v)),
                changes.events.as_ref().map(|v| webhooks::events.eq(v.join(" "))),
                changes.active.map(|v| webhooks::active.eq(v)),
                webhooks::updated_at.eq(now),
            ))
            .execute(conn)?;
        if reactivated {
            diesel::update(webhooks::table.find(id))
                .set((webhooks::consecutive_failures.eq(0), webhooks::failing_since.eq(None::<NaiveDateTime>)))
                .execute(conn)?;
        }
        find(conn, id)
    })
}

/// Deletes endpoint `id` with its deliveries.
pub fn delete(conn: &mut Conn, id: i64) -> Result<(), DbError> {
    super::write(conn, |conn| match diesel::delete(webhooks::table.find(id)).execute(conn)? {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    })
}

/// Makes `secret` the signing secret of endpoint `id`; the one it replaces signs beside it for
/// [`OLD_SECRET_LASTS`].
pub fn rotate_secret(conn: &mut Conn, id: i64, secret: &str, now: NaiveDateTime) -> Result<Endpoint, DbError> {
    super::write(conn, |conn| {
        let current = find(conn, id)?;
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::previous_secret.eq(Some(&current.secret)),
                webhooks::previous_secret_until.eq(Some(now + OLD_SECRET_LASTS)),
                webhooks::secret.eq(secret),
                webhooks::updated_at.eq(now),
            ))
            .execute(conn)?;
        find(conn, id)
    })
}

/// Whether any active endpoint takes events of type `kind` (or of its family, `article.`): a
/// write asks before it builds an event's body.
pub fn wanted(conn: &mut Conn, kind: &str) -> Result<bool, DbError> {
    Ok(!subscribers(conn, kind)?.is_empty())
}

/// The active endpoints that take events of type `kind`.
pub fn subscribers(conn: &mut Conn, kind: &str) -> Result<Vec<i64>, DbError> {
    let rows: Vec<(i64, String)> =
        webhooks::table.filter(webhooks::active.eq(true)).select((webhooks::id, webhooks::events)).load(conn)?;
    Ok(rows.into_iter().filter(|(_, events)| subscribes(events, kind)).map(|(id, _)| id).collect())
}

/// Wakes the delivery worker of this process when a transaction that wrote events commits.
pub static WRITTEN: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Called once a transaction that wrote events has committed.
pub(super) fn committed() {
    WRITTEN.notify_one();
}

/// An event to write to the outbox.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// Its `webhook-id`.
    pub message_id: &'a str,
    pub kind: &'a str,
    /// The JSON every delivery posts.
    pub body: &'a str,
}

/// Writes `event` to the outbox, in the caller's transaction, with a delivery to each endpoint
/// of `targets` (its [`subscribers`], or the one endpoint pinged). Returns how many deliveries
/// it queued; no targets write nothing.
pub fn enqueue(conn: &mut Conn, event: &NewEvent, targets: &[i64], now: NaiveDateTime) -> Result<usize, DbError> {
    if targets.is_empty() {
        return Ok(0);
    }
    super::write_within(conn, |conn| {
        let event_id: i64 = diesel::insert_into(webhook_events::table)
            .values((
                webhook_events::message_id.eq(event.message_id),
                webhook_events::kind.eq(event.kind),
                webhook_events::body.eq(event.body),
                webhook_events::created_at.eq(now),
            ))
            .returning(webhook_events::id)
            .get_result(conn)?;
        let rows: Vec<_> = targets
            .iter()
            .map(|webhook| {
                (
                    webhook_deliveries::webhook_id.eq(*webhook),
                    webhook_deliveries::event_id.eq(event_id),
                    webhook_deliveries::created_at.eq(now),
                    webhook_deliveries::updated_at.eq(now),
                )
            })
            .collect();
        super::bulk::insert_rows!(conn, webhook_deliveries::table, &rows)?;
        super::changes::record_events();
        Ok(targets.len())
    })
}

/// A delivery as the log shows it.
#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub response_status: Option<i64>,
    pub response_ms: Option<i64>,
    pub error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

type DeliveryColumns = (
    webhook_deliveries::id,
    webhook_deliveries::event_id,
    webhook_events::kind,
    webhook_deliveries::status,
    webhook_deliveries::attempts,
    webhook_deliveries::response_status,
    webhook_deliveries::response_ms,
    webhook_deliveries::error,
    webhook_deliveries::next_attempt_at,
    webhook_deliveries::created_at,
);

const DELIVERY_COLUMNS: DeliveryColumns = (
    webhook_deliveries::id,
    webhook_deliveries::event_id,
    webhook_events::kind,
    webhook_deliveries::status,
    webhook_deliveries::attempts,
    webhook_deliveries::response_status,
    webhook_deliveries::response_ms,
    webhook_deliveries::error,
    webhook_deliveries::next_attempt_at,
    webhook_deliveries::created_at,
);

/// One page of the deliveries to endpoint `webhook_id`, newest first (those with `status`
/// only, when given), and how many there are. A missing endpoint is [`DbError::NotFound`].
pub fn deliveries(
    conn: &mut Conn,
    webhook_id: i64,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Delivery>, i64), DbError> {
    find(conn, webhook_id)?;
    let filtered = || {
        let mut query = webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(webhook_deliveries::status.eq(status.to_owned()));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(webhook_deliveries::id.desc())
        .offset(offset)
        .limit(limit)
        .select(DELIVERY_COLUMNS)
        .load(conn)?;
    Ok((rows, total))
}

/// Queues a new attempt of delivery `delivery_id` of endpoint `webhook_id` now (as a retry:
/// later events do not wait for it).
pub fn redeliver(conn: &mut Conn, webhook_id: i64, delivery_id: i64, now: NaiveDateTime) -> Result<Delivery, DbError> {
    super::write(conn, |conn| {
        let of_endpoint = webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(delivery_id))
            .filter(webhook_deliveries::webhook_id.eq(webhook_id));
        let attempts: i64 = of_endpoint.select(webhook_deliveries::attempts).first(conn)?;
        diesel::update(of_endpoint)
            .set((
                webhook_deliveries::status.eq("pending"),
                // A redelivery of one never tried is a retry too: it should not wait its turn.
                webhook_deliveries::attempts.eq(attempts.max(1)),
                webhook_deliveries::next_attempt_at.eq(Some(now)),
                webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::updated_at.eq(now),
            ))
            .execute(conn)?;
        super::changes::record_events();
        Ok(webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::id.eq(delivery_id))
            .select(DELIVERY_COLUMNS)
            .first(conn)?)
    })
}

/// A delivery to send: what is posted, where, and signed with what.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secrets: Vec<String>,
    pub message_id: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// The rows of `ids` as deliveries to send, in id order.
fn outgoing(conn: &mut Conn, ids: &[i64], now: NaiveDateTime) -> Result<Vec<Outgoing>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, i64, i64, String, String, Endpoint)> = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(ids))
        .order(webhook_deliveries::id)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::webhook_id,
            webhook_deliveries::attempts,
            webhook_events::message_id,
            webhook_events::body,
            Endpoint::as_select(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery_id, webhook_id, attempts, message_id, body, endpoint)| Outgoing {
            delivery_id,
            webhook_id,
            secrets: endpoint.signing_secrets(now),
            url: endpoint.url,
            message_id,
            body,
            attempts,
        })
        .collect())
}

/// Claims the lanes of up to `max` active endpoints that have first attempts waiting and no
/// instance sending them: this caller sends their first attempts until `now + ttl`. Each claim
/// is one conditional update, so two instances never hold one lane.
pub fn claim_lanes(conn: &mut Conn, now: NaiveDateTime, ttl: Duration, max: i64) -> Result<Vec<i64>, DbError> {
    super::write(conn, |conn| {
        let waiting: Vec<i64> = webhooks::table
            .filter(webhooks::active.eq(true))
            .filter(webhooks::lane_until.is_null().or(webhooks::lane_until.lt(now)))
            .filter(diesel::dsl::exists(
                webhook_deliveries::table
                    .filter(webhook_deliveries::webhook_id.eq(webhooks::id))
                    .filter(webhook_deliveries::status.eq("pending"))
                    .filter(webhook_deliveries::attempts.eq(0)),
            ))
            .order(webhooks::id)
            .limit(max)
            .select(webhooks::id)
            .load(conn)?;
        let mut claimed = Vec::new();
        for id in waiting {
            let taken = diesel::update(
                webhooks::table.find(id).filter(webhooks::lane_until.is_null().or(webhooks::lane_until.lt(now))),
            )
            .set(webhooks::lane_until.eq(Some(now + ttl)))
            .execute(conn)?;
            if taken == 1 {
                claimed.push(id);
            }
        }
        Ok(claimed)
    })
}

/// Keeps the lane of endpoint `id` this caller's until `now + ttl`; false when the endpoint is
/// gone or switched off (the lane then ends).
pub fn renew_lane(conn: &mut Conn, id: i64, now: NaiveDateTime, ttl: Duration) -> Result<bool, DbError> {
    let kept = diesel::update(webhooks::table.find(id).filter(webhooks::active.eq(true)))
        .set(webhooks::lane_until.eq(Some(now + ttl)))
        .execute(conn)?;
    Ok(kept == 1)
}

/// Gives up the lane of endpoint `id`.
pub fn release_lane(conn: &mut Conn, id: i64) -> Result<(), DbError> {
    diesel::update(webhooks::table.find(id)).set(webhooks::lane_until.eq(None::<NaiveDateTime>)).execute(conn)?;
    Ok(())
}

/// The next first attempts of endpoint `webhook_id` (whose lane the caller holds), in the order
/// their events happened.
pub fn first_attempts(
    conn: &mut Conn,
    webhook_id: i64,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<Outgoing>, DbError> {
    let ids: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::attempts.eq(0))
        .order(webhook_deliveries::id)
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?;
    outgoing(conn, &ids, now)
}

/// Most retries of one endpoint that one instance sends at once: an endpoint that hangs holds
/// this many of the worker's requests in flight (and its lane one), never all of them.
pub const RETRIES_IN_FLIGHT_PER_ENDPOINT: i64 = 4;

/// Claims up to `limit` retries that are due, to active endpoints, that no instance is sending,
/// at most [`RETRIES_IN_FLIGHT_PER_ENDPOINT`] per endpoint counting those already out: this
/// caller sends them until `now + ttl`.
pub fn claim_retries(conn: &mut Conn, now: NaiveDateTime, ttl: Duration, limit: i64) -> Result<Vec<Outgoing>, DbError> {
    // The earliest due retries of each endpoint, as many as its share leaves room for; the
    // window function sits a level below the locking SELECT (PostgreSQL locks no window).
    const CLAIM: &str = "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN (\
         SELECT d.id FROM webhook_deliveries d WHERE d.id IN (\
           SELECT ranked.id FROM (\
             SELECT c.id, c.webhook_id, \
               ROW_NUMBER() OVER (PARTITION BY c.webhook_id ORDER BY c.next_attempt_at, c.id) AS n \
             FROM webhook_deliveries c JOIN webhooks w ON w.id = c.webhook_id \
             WHERE c.status = 'pending' AND c.attempts > 0 AND c.next_attempt_at <= $2 \
             AND (c.claimed_until IS NULL OR c.claimed_until < $2) AND w.active) ranked \
           WHERE ranked.n + (SELECT count(*) FROM webhook_deliveries f WHERE f.webhook_id = ranked.webhook_id \
             AND f.status = 'pending' AND f.attempts > 0 AND f.claimed_until >= $2) <= $4) \
         AND (d.claimed_until IS NULL OR d.claimed_until < $2) \
         ORDER BY d.next_attempt_at LIMIT $3";
    #[derive(QueryableByName)]
    struct Claimed {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    super::write(conn, |conn| {
        let statement = match super::Kind::of_conn(conn) {
            // Rows another instance is claiming are passed over rather than waited for.
            super::Kind::Postgres => format!("{CLAIM} FOR UPDATE SKIP LOCKED) RETURNING id"),
            super::Kind::Sqlite => format!("{CLAIM}) RETURNING id"),
        };
        let claimed: Vec<Claimed> = crate::numbered_query!(&mut *conn, statement, |q, c| q
            .bind::<Timestamp, _>(now + ttl)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .bind::<BigInt, _>(RETRIES_IN_FLIGHT_PER_ENDPOINT)
            .load(c))?;
        let ids: Vec<i64> = claimed.into_iter().map(|c| c.id).collect();
        outgoing(conn, &ids, now)
    })
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub delivery_id: i64,
    pub webhook_id: i64,
    /// Attempts made before this one.
    pub attempts_before: i64,
    /// The answer's status, when one came.
    pub response_status: Option<u16>,
    pub response_ms: i64,
    /// Why it failed; `None` for a 2xx.
    pub error: Option<String>,
    /// When it was made.
    pub at: NaiveDateTime,
    /// The wait before a retry, jitter included (unused after a success or the last attempt).
    pub retry_in: Duration,
}

impl Attempt {
    fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// Stores how `attempts` went, in one transaction: each delivery succeeded, failed for good or
/// waits for its retry, and each endpoint's record of success and failure follows (a 410, or
/// [`DISABLE_AFTER`] of failures without a success, switches it off with the reason).
pub fn record_attempts(conn: &mut Conn, attempts: &[Attempt]) -> Result<(), DbError> {
    if attempts.is_empty() {
        return Ok(());
    }
    super::write(conn, |conn| {
        for attempt in attempts {
            let made = attempt.attempts_before + 1;
            let (status, next) = match (attempt.succeeded(), made >= MAX_ATTEMPTS) {
                (true, _) => ("succeeded", None),
                (false, true) => ("failed", None),
                (false, false) => ("pending", Some(attempt.at + attempt.retry_in)),
            };
            diesel::update(webhook_deliveries::table.find(attempt.delivery_id))
                .set((
                    webhook_deliveries::status.eq(status),
                    webhook_deliveries::attempts.eq(made),
                    webhook_deliveries::next_attempt_at.eq(next),
                    webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                    webhook_deliveries::response_status.eq(attempt.response_status.map(i64::from)),
                    webhook_deliveries::response_ms.eq(Some(attempt.response_ms)),
                    webhook_deliveries::error.eq(&attempt.error),
                    webhook_deliveries::updated_at.eq(attempt.at),
                ))
                .execute(conn)?;
            let endpoint = webhooks::table.find(attempt.webhook_id);
            match &attempt.error {
                None => {
                    diesel::update(endpoint)
                        .set((
                            webhooks::last_success_at.eq(Some(attempt.at)),
                            webhooks::consecutive_failures.eq(0),
                            webhooks::failing_since.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                }
                Some(reason) => {
                    let since: Option<Option<NaiveDateTime>> =
                        endpoint.select(webhooks::failing_since).first(conn).optional()?;
                    let Some(since) = since else { continue };
                    let since = since.unwrap_or(attempt.at);
                    let disabled = if attempt.response_status == Some(410) {
                        Some("the endpoint answered 410 Gone".to_owned())
                    } else if attempt.at - since >= DISABLE_AFTER {
                        Some(format!("3 days of failures without a success; the last: {reason}"))
                    } else {
                        None
                    };
                    diesel::update(endpoint)
                        .set((
                            webhooks::last_failure_at.eq(Some(attempt.at)),
                            webhooks::last_failure_reason.eq(Some(disabled.as_deref().unwrap_or(reason))),
                            webhooks::consecutive_failures.eq(webhooks::consecutive_failures + 1),
                            webhooks::failing_since.eq(Some(since)),
                        ))
                        .execute(conn)?;
                    if disabled.is_some() {
                        diesel::update(endpoint).set(webhooks::active.eq(false)).execute(conn)?;
                    }
                }
            }
        }
        Ok(())
    })
}

/// Deletes deliveries that ended before `before`, and then events no delivery needs any more.
pub fn prune(conn: &mut Conn, before: NaiveDateTime) -> Result<usize, DbError> {
    super::write(conn, |conn| {
        let deliveries = diesel::delete(
            webhook_deliveries::table
                .filter(webhook_deliveries::status.ne("pending"))
                .filter(webhook_deliveries::created_at.lt(before)),
        )
        .execute(conn)?;
        let events = diesel::delete(webhook_events::table.filter(webhook_events::created_at.lt(before)).filter(
            diesel::dsl::not(diesel::dsl::exists(
                webhook_deliveries::table.filter(webhook_deliveries::event_id.eq(webhook_events::id)),
            )),
        ))
        .execute(conn)?;
        Ok(deliveries + events)
    })
}

/// Remembers that article `article_id` is published for `due` (a time to come), or forgets it
/// (`None`): when the time comes, its publication is announced.
pub fn schedule_publication(conn: &mut Conn, article_id: i64, due: Option<NaiveDateTime>) -> Result<(), DbError> {
    diesel::delete(scheduled_publications::table.find(article_id)).execute(conn)?;
    if let Some(due) = due {
        diesel::insert_into(scheduled_publications::table)
            .values((scheduled_publications::article_id.eq(article_id), scheduled_publications::due_at.eq(due)))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes up to `limit` scheduled publications whose time has come, in the caller's write
/// transaction: each is taken by one caller only, however many instances ask (PostgreSQL
/// passes over rows another transaction holds).
pub fn take_due_publications(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> Result<Vec<i64>, DbError> {
    const TAKE: &str = "DELETE FROM scheduled_publications WHERE article_id IN (\
         SELECT article_id FROM scheduled_publications WHERE due_at <= $1 ORDER BY due_at LIMIT $2";
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = BigInt)]
        article_id: i64,
    }
    let statement = match super::Kind::of_conn(conn) {
        super::Kind::Postgres => format!("{TAKE} FOR UPDATE SKIP LOCKED) RETURNING article_id"),
        super::Kind::Sqlite => format!("{TAKE}) RETURNING article_id"),
    };
    let taken: Vec<Taken> = crate::numbered_query!(&mut *conn, statement, |q, c| q
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c))?;
    Ok(taken.into_iter().map(|t| t.article_id).collect())
}

/// What waits for the worker, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Scheduled publications whose time came.
    pub publications: bool,
    /// First attempts (to any endpoint; whether its lane is free is for the claim to see).
    pub first_attempts: bool,
    /// Retries that are due.
    pub retries: bool,
}

/// What waits for the worker: three index probes, read only, so that an idle worker takes no
/// write lock.
pub fn waiting(conn: &mut Conn, now: NaiveDateTime) -> Result<Waiting, DbError> {
    let pending = webhook_deliveries::table.filter(webhook_deliveries::status.eq("pending"));
    let first_attempts =
        diesel::select(diesel::dsl::exists(pending.filter(webhook_deliveries::attempts.eq(0)))).get_result(conn)?;
    let retries = diesel::select(diesel::dsl::exists(
        pending.filter(webhook_deliveries::attempts.gt(0)).filter(webhook_deliveries::next_attempt_at.le(now)),
    ))
    .get_result(conn)?;
    let publications = diesel::select(diesel::dsl::exists(
        scheduled_publications::table.filter(scheduled_publications::due_at.le(now)),
    ))
    .get_result(conn)?;
    Ok(Waiting { publications, first_attempts, retries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_takes_its_types_or_all() {
        assert!(subscribes("article.published comment.created", "comment.created"));
        assert!(!subscribes("article.published", "article.updated"));
        assert!(subscribes("*", "tag.deleted"));
        assert!(subscribes("tag.deleted", "tag."));
        assert!(!subscribes("tag.deleted", "article."));
    }

    #[test]
    fn retries_wait_longer_and_longer() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS).map(|n| retry_delay(n).num_seconds()).collect();
        assert_eq!(waits, vec![5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    }
}
