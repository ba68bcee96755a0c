//! The audit log over HTTP: admins read who did what, newest first.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::articles::timestamp;
use super::caching::Audience;
use super::pagination::{self, PageRequest, Paginated};
use super::query::{number_in, QueryReader};
use super::AppState;
use crate::auth::AuthUser;
use crate::db::audit::{Action, ActorKind, AuditEntry, AuditFilter, Entity};
use crate::db::{self};
use crate::domain::permissions;
use crate::error::{AppError, Problem};

/// Who acted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// `user` (a JWT), `token` (an API token), `system` (Warta itself) or `anonymous`.
    #[serde(rename = "type")]
    #[schema(example = "user")]
    pub kind: String,
    /// The user's or token's id; `null` for `system` and `anonymous`.
    #[schema(example = 3)]
    pub id: Option<i64>,
    /// The user's name or the token's, as it was then.
    #[schema(example = "Dewi Anggraini")]
    pub display_name: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Later entries have greater ids.
    #[schema(example = 1201)]
    pub id: i64,
    /// When it happened.
    #[schema(example = "2024-11-24T23:40:00Z")]
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    /// What was done, e.g. `article.update`.
    #[schema(example = "article.update")]
    pub action: String,
    /// The kind of resource, e.g. `article`.
    #[schema(example = "article")]
    pub entity: String,
    /// The resource's id, when it has one.
    #[schema(example = 42)]
    pub entity_id: Option<i64>,
    /// The `X-Request-Id` of the request that did it.
    #[schema(example = "q7Yd0L3mXa2s")]
    pub request_id: Option<String>,
    /// The client's address.
    #[schema(example = "203.0.113.7")]
    pub ip: Option<String>,
    /// What changed, in words (field names, never secrets).
    #[schema(example = "\"Harga Kopi Turun\": title, body")]
    pub summary: String,
}

impl From<AuditEntry> for AuditEntryResponse {
    fn from(e: AuditEntry) -> Self {
        AuditEntryResponse {
            id: e.id,
            at: e.at.and_utc(),
            actor: AuditActor { kind: e.actor_type, id: e.actor_id, display_name: e.actor_name },
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            request_id: e.request_id,
            ip: e.ip,
            summary: e.summary,
        }
    }
}

/// Declares a string schema whose values are exactly the names in `$all`, so that the
/// document lists what the server accepts, from the same table.
macro_rules! names_schema {
    ($ty:ident, $all:expr) => {
        pub struct $ty;

        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some($all.iter().map(|x| x.as_str()))).into()
            }
        }

        impl utoipa::ToSchema for $ty {}
    };
}

names_schema!(ActorKindName, ActorKind::ALL);
names_schema!(ActionName, Action::ALL);
names_schema!(EntityName, Entity::ALL);

/// Parameters of the audit log.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_audit` parses by hand
pub struct ListAuditQuery {
    /// Only entries of this kind of actor.
    #[param(inline, value_type = Option<ActorKindName>, example = "user")]
    actor_type: Option<String>,
    /// Only entries of the user or token with this id.
    #[param(minimum = 1)]
    actor: Option<i64>,
    /// Only this action, e.g. `article.delete`.
    #[param(inline, value_type = Option<ActionName>, example = "article.delete")]
    action: Option<String>,
    /// Only entries about this kind of resource, e.g. `article`.
    #[param(inline, value_type = Option<EntityName>, example = "article")]
    entity: Option<String>,
    /// Only entries about the resource with this id.
    #[param(minimum = 1)]
    entity_id: Option<i64>,
    /// Entries at or after this time (RFC 3339).
    #[param(example = "2024-11-24T00:00:00Z")]
    after: Option<DateTime<Utc>>,
    /// Entries before this time (RFC 3339); reaches past the 10,000 newest of a filter.
    #[param(example = "2024-11-25T00:00:00Z")]
    before: Option<DateTime<Utc>>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
}

fn known<'a, T: Copy + 'a>(
    parse: fn(&str) -> Option<T>,
    all: &'a [&'a str],
) -> impl Fn(&str) -> Result<T, String> + 'a {
    move |text| parse(text).ok_or_else(|| format!("must be one of {}", all.join(", ")))
}

/// Read the audit log
///
/// Admins only; newest first. A filter's 10,000 newest entries are counted and paged (then
/// `meta.total_exact` is `false`); older ones are reached with `before`.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit", operation_id = "list_audit",
    params(ListAuditQuery),
    responses(
        (status = 200, description = "A page of entries, newest first", body = Paginated<AuditEntryResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if !permissions::may_read_audit(user.role) {
        return Err(AppError::Forbidden("only admins read the audit log".into()));
    }
    let kinds: Vec<&str> = ActorKind::ALL.iter().map(|k| k.as_str()).collect();
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    let entities: Vec<&str> = Entity::ALL.iter().map(|e| e.as_str()).collect();
    let mut q = QueryReader::new(&req);
    let filter = AuditFilter {
        actor_type: q.parse("actor_type", known(ActorKind::parse, &kinds)),
        actor_id: q.parse("actor", number_in(1, i64::MAX)),
        action: q.parse("action", known(Action::parse, &actions)),
        entity: q.parse("entity", known(Entity::parse, &entities)),
        entity_id: q.parse("entity_id", number_in(1, i64::MAX)),
        after: q.parse("after", timestamp),
        before: q.parse("before", timestamp),
    };
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let (rows, total, exact) =
        db::run(&state.pool, move |conn| db::audit::list(conn, &filter, page.offset(), page.per_page)).await?;
    let body = Paginated {
        data: rows.into_iter().map(AuditEntryResponse::from).collect(),
        meta: page.meta_counted(total, exact),
    };
    pagination::respond(&req, &body, Audience::Private)
}
