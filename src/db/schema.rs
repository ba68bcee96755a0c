//! Diesel's view of the tables in `migrations/` (the FTS5 shadow tables are left out).

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        slug -> Text,
        bio -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
        description -> Text,
        parent_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        custom_excerpt -> Text,
        excerpt -> Text,
        body -> Text,
        body_html -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        author_id -> BigInt,
        featured_image_url -> Nullable<Text>,
        featured_image_alt -> Nullable<Text>,
        source_name -> Nullable<Text>,
        source_url -> Nullable<Text>,
        language -> Text,
        comment_status -> Text,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        comment_count -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        featured -> Bool,
        primary_category_id -> Nullable<BigInt>,
        kind -> Text,
        featured_image_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Uploaded images (see `db::media`).
    media (id) {
        id -> BigInt,
        file_key -> Text,
        file_name -> Text,
        mime_type -> Text,
        width -> BigInt,
        height -> BigInt,
        bytes -> BigInt,
        alt -> Text,
        caption -> Text,
        credit -> Text,
        focal_x -> Double,
        focal_y -> Double,
        variants -> Text,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_categories (article_id, category_id) {
        article_id -> BigInt,
        category_id -> BigInt,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        author_name -> Text,
        author_email -> Text,
        author_url -> Nullable<Text>,
        body -> Text,
        status -> Text,
        visible -> Bool,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        body_hash -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        family -> Text,
        expires_at -> Timestamp,
        spent_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    content_changes (id) {
        id -> BigInt,
        scopes -> Text,
        created_at -> Timestamp,
        writer_txid -> BigInt,
    }
}

diesel::table! {
    /// The counts of the shared limits (see `db::limits`).
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    /// Stored files being removed, by content key (see `db::media`).
    media_removals (token) {
        token -> Text,
        file_key -> Text,
        started_at -> Timestamp,
    }
}

diesel::table! {
    /// When each periodic background job is next due (see `db::jobs`).
    job_runs (name) {
        name -> Text,
        due_at -> Timestamp,
        claimed_at -> Timestamp,
    }
}

diesel::table! {
    /// Flat labels of articles (see `db::tags`).
    tags (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
        name_key -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    /// Old addresses that keep working (see `db::redirects`).
    redirects (id) {
        id -> BigInt,
        source_type -> Text,
        source -> Text,
        status -> Integer,
        target_type -> Nullable<Text>,
        target_id -> Nullable<BigInt>,
        url -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// What an article was after each create and update (see `db::revisions`).
    revisions (id) {
        id -> BigInt,
        article_id -> BigInt,
        slug -> Text,
        title -> Text,
        excerpt -> Text,
        body -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        category_ids -> Text,
        tag_ids -> Text,
        featured_image_url -> Nullable<Text>,
        featured_image_alt -> Nullable<Text>,
        source_name -> Nullable<Text>,
        source_url -> Nullable<Text>,
        language -> Text,
        comment_status -> Text,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        author_id -> BigInt,
        author_name -> Text,
        author_slug -> Text,
        author_bio -> Text,
        created_at -> Timestamp,
        featured_image_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Who did what, when and from where (see `db::audit`).
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        request_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        summary -> Text,
    }
}

diesel::table! {
    /// One-time tokens with which staff set their own password (see `db::invites`).
    invites (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Endpoints that hear of changes (see `db::webhooks`).
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        description -> Text,
        events -> Text,
        active -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_success_at -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        last_failure_reason -> Nullable<Text>,
        consecutive_failures -> BigInt,
        failing_since -> Nullable<Timestamp>,
        lane_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The outbox: events written with the changes that cause them.
    webhook_events (id) {
        id -> BigInt,
        message_id -> Text,
        kind -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One event to one endpoint, and how its attempts went.
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        response_status -> Nullable<BigInt>,
        response_ms -> Nullable<BigInt>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Draft preview tokens, by hash (see `db::previews`).
    preview_tokens (id) {
        id -> BigInt,
        article_id -> BigInt,
        token_hash -> Text,
        created_by -> Nullable<BigInt>,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// API tokens of users, by hash (see `db::api_tokens`).
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        scopes -> Text,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Articles whose publication time is still to come, announced when it comes.
    scheduled_publications (article_id) {
        article_id -> BigInt,
        due_at -> Timestamp,
    }
}

diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_categories -> articles (article_id));
diesel::joinable!(article_categories -> categories (category_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(comments -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(revisions -> articles (article_id));
diesel::joinable!(invites -> users (user_id));
diesel::joinable!(articles -> media (featured_image_id));
diesel::joinable!(media -> users (uploaded_by));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    categories,
    articles,
    article_categories,
    tags,
    article_tags,
    comments,
    refresh_tokens,
    revisions,
    invites,
    media,
    webhooks,
    webhook_events,
    webhook_deliveries,
    api_tokens,
);
