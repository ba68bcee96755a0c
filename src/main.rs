//! The `warta` command: reads `.env` and the environment, sets up logging, runs a subcommand.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use warta::config::Config;
use warta::domain::Role;
use warta::startup::{Application, StartOptions};

/// Warta, a headless CMS for news publishers.
#[derive(Parser)]
#[command(name = "warta", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve the API (the default).
    Serve {
        /// Seed an empty database with a sample newsroom first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document to stdout.
    Openapi,
    /// Write a consistent copy of the live database to PATH (restore: stop Warta and put
    /// the copy in place of the database file).
    Backup {
        /// Where to write the copy; it must not exist yet.
        path: std::path::PathBuf,
    },
    /// Fill an empty database with synthetic newsroom content (for benchmarks).
    Generate {
        /// How many articles.
        #[arg(long, default_value_t = 1000)]
        articles: usize,
        /// How many comments, spread over the public articles.
        #[arg(long, default_value_t = 10_000)]
        comments: usize,
        /// Seed of the random content (the same seed gives the same content).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Copy a whole Warta database into an empty one, of either backend (a SQLite file to
    /// PostgreSQL, or back), migrating the target first and checking the counts at the end.
    Copy {
        /// The database to copy: a SQLite file or a postgres:// URL (read only).
        #[arg(long)]
        from: String,
        /// The empty database to fill: a SQLite file (created if missing) or a postgres:// URL.
        #[arg(long)]
        to: String,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the media library.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
}

#[derive(Subcommand)]
enum MediaCommand {
    /// Remake the WebP variants of every image (after the widths changed). Images whose variants
    /// are current are skipped, so an interrupted run continues where it stopped.
    Regenerate {
        /// Remake every image's variants, current or not.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account. The password is read from standard input (one line) unless
    /// --password-env names a variable holding it.
    Create {
        /// Login email.
        #[arg(long)]
        email: String,
        /// admin, editor, author or contributor.
        #[arg(long)]
        role: String,
        /// Name shown in bylines (default: the part of the email before @).
        #[arg(long)]
        display_name: Option<String>,
        /// The environment variable that holds the password.
        #[arg(long)]
        password_env: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warta: cannot read .env: {e}");
            return ExitCode::FAILURE;
        }
    }
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,actix_server=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if warta::config::log_json(std::env::var("WARTA_LOG_FORMAT").ok().as_deref()).unwrap_or(false) {
        logs.json().with_current_span(true).init();
    } else {
        logs.init();
    }
    match run(cli.command.unwrap_or(Command::Serve { demo: false })) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warta: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Openapi => {
            print!("{}", warta::api::openapi::document_json());
            Ok(())
        }
        Command::Media { command: MediaCommand::Regenerate { force } } => {
            use std::io::{IsTerminal, Write};
            let config = Config::from_env()?;
            let (pool, _) = warta::db::connect(&config.database_url, 1)?;
            let mut conn = pool.get()?;
            warta::db::migrate(&mut conn)?;
            let store = warta::media::store::open(&config.media.store)
                .with_context(|| format!("cannot open {}", config.media.store.describe()))?;
            let terminal = std::io::stderr().is_terminal();
            let mut shown = std::time::Instant::now();
            let mut progress = |done: usize, total: usize| {
                if terminal && (shown.elapsed().as_millis() >= 200 || done == total) {
                    shown = std::time::Instant::now();
                    let _ = write!(std::io::stderr(), "\rimages: {done}/{total}   ");
                }
            };
            let widths = warta::media::VARIANT_WIDTHS;
            let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.bind));
            let urls = warta::media::MediaUrls::new(config.media.base_url.as_deref(), &public_url);
            let changed =
                |conn: &mut warta::db::Conn, key: &str| warta::api::events::media_files_changed(conn, &urls, key);
            let done = warta::media::regenerate::regenerate(
                store.as_ref(),
                &mut conn,
                widths,
                force,
                &mut progress,
                &changed,
            )?;
            if terminal {
                eprintln!();
            }
            for (key, why) in &done.failed {
                eprintln!("{key}: {why}");
            }
            println!("remade the variants of {} image(s); {} were current", done.remade, done.current);
            if !done.failed.is_empty() {
                anyhow::bail!("{} image(s) could not be remade (listed above)", done.failed.len());
            }
            Ok(())
        }
        Command::Migrate => {
            let config = Config::from_env()?;
            let (pool, _) = warta::db::connect(&config.database_url, 1)?;
            let mut conn = pool.get()?;
            let applied = warta::db::migrate(&mut conn)?;
            println!("applied {applied} migration(s) to {}", warta::db::describe(&config.database_url));
            Ok(())
        }
        Command::User { command: UserCommand::Create { email, role, display_name, password_env } } => {
            let config = Config::from_env()?;
            let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            if !email.contains('@') || email.trim().len() > 254 {
                anyhow::bail!("--email: `{email}` is not an email address");
            }
            let password = match password_env {
                Some(var) => std::env::var(&var).map_err(|_| anyhow::anyhow!("--password-env: {var} is not set"))?,
                None => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            if password.chars().count() < 10 {
                anyhow::bail!("the password must be at least 10 characters");
            }
            let display_name = display_name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let (pool, _) = warta::db::connect(&config.database_url, 1)?;
            let mut conn = pool.get()?;
            warta::db::migrate(&mut conn)?;
            let new = warta::db::users::NewUser {
                email: email.clone(),
                display_name,
                password_hash: warta::auth::hash_password(&password)?,
                role,
                bio: String::new(),
            };
            let id = warta::db::users::create(&mut conn, &new, warta::domain::now())?;
            println!("created {role} {} with id {id}", email.trim().to_lowercase());
            Ok(())
        }
        Command::Generate { articles, comments, seed } => {
            let config = Config::from_env()?;
            let (pool, _) = warta::db::connect(&config.database_url, 1)?;
            let mut conn = pool.get()?;
            warta::db::migrate(&mut conn)?;
            let started = std::time::Instant::now();
            let plan = warta::generate::Plan { articles, comments, seed };
            warta::generate::run(&mut conn, plan, warta::domain::now())?;
            println!(
                "generated {articles} articles and {comments} comments into {} in {:.1?}",
                warta::db::describe(&config.database_url),
                started.elapsed()
            );
            Ok(())
        }
        Command::Copy { from, to } => {
            use std::io::IsTerminal;
            let progress = if std::io::stderr().is_terminal() {
                warta::db::copy::Progress::Terminal
            } else {
                warta::db::copy::Progress::Lines
            };
            let copied = warta::db::copy::run(&from, &to, progress)?;
            println!(
                "copied {} rows in {} tables from {} to {} in {:.1?}; every count matches",
                copied.rows(),
                copied.tables.len(),
                warta::db::describe(&from),
                warta::db::describe(&to),
                copied.elapsed
            );
            Ok(())
        }
        Command::Backup { path } => {
            let config = Config::from_env()?;
            if warta::db::Kind::of(&config.database_url) == warta::db::Kind::Postgres {
                anyhow::bail!(
                    "`warta backup` copies a SQLite file; on PostgreSQL use its own tool, pg_dump \
                     (for instance `pg_dump --format=custom --file=warta.dump \"$DATABASE_URL\"`, \
                     restored with pg_restore), or `warta copy --from \"$DATABASE_URL\" --to backup.db` for a SQLite copy"
                );
            }
            if path.exists() {
                anyhow::bail!("{} exists already: choose a new file", path.display());
            }
            if !std::path::Path::new(&config.database_url).exists() {
                anyhow::bail!("no database at {}", config.database_url);
            }
            let target = path.to_str().ok_or_else(|| anyhow::anyhow!("the path is not valid UTF-8"))?;
            let (pool, _) = warta::db::connect(&config.database_url, 1)?;
            let started = std::time::Instant::now();
            let mut conn = pool.get()?;
            warta::db::backup(&mut conn, target)?;
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            println!(
                "backed up {} to {} ({bytes} bytes) in {:.1?}",
                config.database_url,
                path.display(),
                started.elapsed()
            );
            Ok(())
        }
        Command::Serve { demo } => {
            let config = Config::from_env()?;
            if config.jwt_secret.is_none() {
                tracing::warn!("WARTA_JWT_SECRET is not set: a random secret is used and tokens die with the process");
            }
            actix_web::rt::System::new().block_on(async move {
                let app = Application::build(config.clone(), StartOptions { demo }).await?;
                tracing::info!("Warta listens on http://{}:{}", config.bind.ip(), app.port());
                app.run_until_stopped().await?;
                Ok(())
            })
        }
    }
}
