//! Three Warta processes on one PostgreSQL database behind haproxy, driven through it as a
//! newsroom's clients would be: a write answered by one instance is read back through the
//! others within a second (response caches included), the limits hold across them, a SIGKILL
//! under write load loses no acknowledged write and fails only the requests in flight on the
//! killed instance, and a rolling restart under read load fails no request.
//!
//! They run when the suite runs on PostgreSQL and `haproxy` is on PATH; otherwise they say why
//! they did not run, and fail when `WARTA_REQUIRE_HAPROXY=1` (as CI's PostgreSQL run sets it).

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::{free_port, on_postgres, Process, TestDb};

/// Set to 1 where these tests must run (CI's PostgreSQL run): a missing haproxy then fails.
const REQUIRE: &str = "WARTA_REQUIRE_HAPROXY";
const INSTANCES: usize = 3;
const ADMIN_EMAIL: &str = "redaksi@kabarharapan.example";
const ADMIN_PASSWORD: &str = "kopi-tubruk-pagi-hari";
/// What API.md promises: another instance shows a write within a second.
const VISIBLE_WITHIN: Duration = Duration::from_secs(1);
/// Seconds an instance answers /ready with 503 after SIGTERM while still serving: many times
/// what haproxy needs below (one failed check, every 100 ms) to take it out of rotation.
const GRACE_SECS: &str = "2";

fn haproxy_on_path() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("haproxy")).find(|candidate| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Whether the cluster can be built here; says why not, and fails when it is required.
fn cluster_can_run() -> bool {
    let missing = if !on_postgres() {
        Some("the run is on SQLite (several instances need PostgreSQL: set WARTA_TEST_POSTGRES)")
    } else if haproxy_on_path().is_none() {
        Some("haproxy is not on PATH (apt-get install haproxy)")
    } else {
        None
    };
    match missing {
        None => true,
        Some(why) if std::env::var(REQUIRE).is_ok_and(|v| v == "1") => panic!("{REQUIRE}=1, but {why}"),
        Some(why) => {
            eprintln!("skipped: {why}");
            false
        }
    }
}

/// haproxy as the newsroom would run it, on loopback: round robin over the instances, health
/// checks on `/ready` every 100 ms (one failure takes an instance out, two successes bring it
/// back), a retry on another instance only when the connection failed (the request never
/// reached an instance, so even a POST is safe to resend); no retry of a request that was
/// sent (`retry-on conn-failure` only), so whatever failed reaches the client and is counted.
/// Every response names the instance that answered it.
fn haproxy_config(front: u16, stats: u16, ports: &[u16]) -> String {
    let servers: String =
        ports.iter().enumerate().map(|(i, port)| format!("    server w{i} 127.0.0.1:{port} check\n")).collect();
    format!(
        "global
    maxconn 1024

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch 1
    retry-on conn-failure
    # A connection per request to the instances: none is left idle on an instance that stops.
    option http-server-close
    option forwardfor

frontend warta
    bind 127.0.0.1:{front}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /ready
    http-check expect status 200
    default-server inter 100ms fastinter 100ms downinter 100ms fall 1 rise 2
    http-response set-header X-Warta-Instance %s
{servers}
listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
"
    )
}

/// A child process killed with the guard (haproxy).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One row of haproxy's statistics for a server.
type ServerStats = HashMap<String, String>;

/// Three instances on one fresh PostgreSQL database, and haproxy in front of them.
struct Cluster {
    // Dropped first: the balancer, then the instances, then the database.
    _haproxy: Killed,
    instances: Vec<Option<Process>>,
    ports: Vec<u16>,
    front: String,
    stats: String,
    client: Client,
    haproxy_log: std::path::PathBuf,
    db: TestDb,
}

impl Cluster {
    async fn start() -> Cluster {
        let db = TestDb::new();
        let ports: Vec<u16> = (0..INSTANCES).map(|_| free_port()).collect();
        // The first migrates and creates the admin; the others then start together.
        let mut instances = vec![Some(Process::start_on(ports[0], &db.url, &[], &instance_vars()).await)];
        let vars = instance_vars();
        let rest =
            futures_util::future::join_all(ports[1..].iter().map(|&port| Process::start_on(port, &db.url, &[], &vars)));
        instances.extend(rest.await.into_iter().map(Some));

        let (front, stats) = (free_port(), free_port());
        let config_path = db._dir.path().join("haproxy.cfg");
        std::fs::write(&config_path, haproxy_config(front, stats, &ports)).unwrap();
        let haproxy_log = db._dir.path().join("haproxy.log");
        let haproxy = Command::new(haproxy_on_path().unwrap())
            .arg("-db")
            .arg("-f")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&haproxy_log).unwrap())
            .spawn()
            .expect("haproxy starts");
        let cluster = Cluster {
            _haproxy: Killed(haproxy),
            instances,
            ports,
            front: format!("http://127.0.0.1:{front}"),
            stats: format!("http://127.0.0.1:{stats}/stats;csv"),
            client: {
                crate::helpers::tls_provider();
                Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
            },
            haproxy_log,
            db,
        };
        for i in 0..INSTANCES {
            cluster.wait_for_state(i, "UP").await;
        }
        cluster
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.front)
    }

    /// haproxy's statistics of the instances, by server name (`w0`...).
    async fn server_stats(&self) -> HashMap<String, ServerStats> {
        self.try_server_stats().await.expect("haproxy's statistics")
    }

    async fn try_server_stats(&self) -> Result<HashMap<String, ServerStats>, reqwest::Error> {
        let csv = self.client.get(&self.stats).send().await?.text().await?;
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().trim_start_matches("# ").split(',').collect();
        Ok(lines
            .map(|line| {
                header.iter().map(|h| h.to_string()).zip(line.split(',').map(str::to_owned)).collect::<ServerStats>()
            })
            .filter(|row| row.get("pxname").is_some_and(|p| p == "instances") && row["svname"].starts_with('w'))
            .map(|row| (row["svname"].clone(), row))
            .collect())
    }

    /// Waits (at most 10 s) until haproxy counts instance `i` as `state` (`UP`, `DOWN`).
    async fn wait_for_state(&self, i: usize, state: &str) {
        let name = format!("w{i}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // Until haproxy listens (at start), there is no answer yet.
            let status = match self.try_server_stats().await {
                Ok(stats) => stats.get(&name).map(|row| row["status"].clone()).unwrap_or_default(),
                Err(e) => format!("unknown ({e})"),
            };
            if status == state {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "haproxy still has {name} {status}, not {state}: {}",
                std::fs::read_to_string(&self.haproxy_log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The sum of one statistic over the instances.
    async fn total(&self, statistic: &str) -> u64 {
        self.server_stats().await.values().map(|row| row[statistic].parse::<u64>().unwrap_or(0)).sum()
    }

    async fn send(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the balancer answers")
    }

    async fn login(&self, email: &str, password: &str) -> Response {
        self.send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": email, "password": password})),
        )
        .await
    }

    async fn admin_token(&self) -> String {
        let r = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
    }

    /// Publishes an article titled `title` through the balancer; its slug.
    async fn publish(&self, token: &str, title: &str) -> String {
        let body =
            json!({"title": title, "body": format!("Jakarta (Kabar Harapan) – {title}."), "status": "published"});
        let r = self.send(reqwest::Method::POST, "/api/v1/articles", Some(token), Some(&body)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["slug"].as_str().unwrap().to_owned()
    }

    /// A counter of instance `i`'s own `/metrics`, read beside the balancer.
    async fn metric(&self, i: usize, name: &str) -> u64 {
        let address = &self.instances[i].as_ref().unwrap().address;
        let text = self.client.get(format!("{address}/metrics")).send().await.unwrap().text().await.unwrap();
        text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).unwrap().trim().parse().unwrap()
    }

    /// Reads `path` through the balancer until every instance has answered it so that `shows`
    /// holds, and returns when each did, from now; fails past [`VISIBLE_WITHIN`] (plus the
    /// round trips of one last request per instance).
    async fn until_every_instance_shows(
        &self,
        path: &str,
        shows: impl Fn(u16, &Value) -> bool,
    ) -> BTreeMap<String, Duration> {
        let started = Instant::now();
        let mut seen = BTreeMap::new();
        while seen.len() < INSTANCES {
            let r = self.send(reqwest::Method::GET, path, None, None).await;
            let instance = served_by(&r);
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let elapsed = started.elapsed();
            if shows(status, &body) {
                seen.entry(instance).or_insert(elapsed);
            } else {
                assert!(
                    elapsed < VISIBLE_WITHIN,
                    "{instance} still answers {path} with {status} {body} after {elapsed:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        seen
    }
}

fn instance_vars() -> Vec<(&'static str, &'static str)> {
    vec![
        // One secret for all: a token issued by one instance is honoured by the others.
        ("WARTA_JWT_SECRET", "a-secret-that-every-instance-shares-0123456789"),
        ("WARTA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("WARTA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        // The balancer's X-Forwarded-For names the client.
        ("WARTA_TRUSTED_PROXIES", "127.0.0.1"),
        ("WARTA_COMMENT_RATE_PER_MINUTE", "5"),
        ("WARTA_SHUTDOWN_GRACE_SECS", GRACE_SECS),
        ("WARTA_DB_POOL_SIZE", "4"),
    ]
}

/// The instance that answered, as haproxy names it (`-` for an answer of haproxy's own).
fn served_by(response: &Response) -> String {
    response.headers().get("x-warta-instance").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
}

fn slugs(list: &Value) -> Vec<&str> {
    list["data"].as_array().map(|a| a.iter().filter_map(|x| x["slug"].as_str()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_write_through_the_balancer_reaches_every_instance_within_a_second_cached_reads_included() {
    if !cluster_can_run() {
        return;
    }
    let cluster = Cluster::start().await;
    let token = cluster.admin_token().await;
    cluster.publish(&token, "Berita Pertama").await;
    let slug = "kabar-dari-tiga-instans";
    let (list, article) = ("/api/v1/articles?per_page=5".to_owned(), format!("/api/v1/articles/{slug}"));

    // Every instance has the list and the (missing) article in its response cache.
    let hits_before: Vec<u64> =
        futures_util::future::join_all((0..INSTANCES).map(|i| cluster.metric(i, "warta_cache_hits_total"))).await;
    for _ in 0..INSTANCES * 3 {
        let r = cluster.send(reqwest::Method::GET, &list, None, None).await;
        assert_eq!(slugs(&r.json().await.unwrap()), ["berita-pertama"]);
        let r = cluster.send(reqwest::Method::GET, &article, None, None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    for (i, before) in hits_before.iter().enumerate() {
        let hits = cluster.metric(i, "warta_cache_hits_total").await;
        assert!(hits > *before, "w{i} answered from its cache ({before} -> {hits} hits)");
    }

    // A new article through one instance...
    let body = json!({"title": "Kabar dari Tiga Instans", "slug": slug, "body": "Isi berita.", "status": "published"});
    let created = cluster.send(reqwest::Method::POST, "/api/v1/articles", Some(&token), Some(&body)).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let writer = served_by(&created);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // ...is in every instance's cached list and article within the second.
    let in_lists = cluster.until_every_instance_shows(&list, |_, body| slugs(body).first() == Some(&slug)).await;
    let as_articles = cluster.until_every_instance_shows(&article, |status, _| status == 200).await;
    eprintln!("created through {writer}; listed after {in_lists:?}; readable after {as_articles:?}");

    // An edit through one instance reaches the others' cached copies too, and so does a delete.
    let r = cluster
        .client
        .patch(cluster.url(&format!("/api/v1/articles/{id}")))
        .bearer_auth(&token)
        .header("If-Match", etag)
        .json(&json!({"title": "Kabar yang Diperbarui"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let edited = cluster.until_every_instance_shows(&article, |_, body| body["title"] == "Kabar yang Diperbarui").await;
    let r = cluster.send(reqwest::Method::DELETE, &format!("/api/v1/articles/{id}"), Some(&token), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let deleted = cluster.until_every_instance_shows(&list, |_, body| slugs(body) == ["berita-pertama"]).await;
    let gone = cluster.until_every_instance_shows(&article, |status, _| status == 404).await;
    eprintln!("edited after {edited:?}; unlisted after {deleted:?}; gone after {gone:?}");
}

#[tokio::test]
async fn the_login_throttle_and_the_comment_limit_hold_across_the_instances() {
    if !cluster_can_run() {
        return;
    }
    let cluster = Cluster::start().await;
    let token = cluster.admin_token().await;
    let user = json!({"email": "dewi@kabarharapan.example", "display_name": "Dewi", "password": "teh-manis-sore-hari", "role": "author"});
    let r = cluster.send(reqwest::Method::POST, "/api/v1/users", Some(&token), Some(&user)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let slug = cluster.publish(&token, "Kopi Pagi").await;

    // Five failures for the account, spread by the balancer over every instance...
    let mut failed_on = BTreeSet::new();
    for _ in 0..5 {
        let r = cluster.login("dewi@kabarharapan.example", "salah-sandi-123").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        failed_on.insert(served_by(&r));
    }
    assert_eq!(failed_on.len(), INSTANCES, "the failures were spread: {failed_on:?}");
    // ...and every instance refuses the sixth attempt, the right password included.
    let mut refused_on = BTreeSet::new();
    for _ in 0..INSTANCES {
        let r = cluster.login("dewi@kabarharapan.example", "teh-manis-sore-hari").await;
        refused_on.insert(served_by(&r));
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "on {}", served_by(&r));
        assert!(r.headers().contains_key("retry-after"));
    }
    assert_eq!(refused_on.len(), INSTANCES, "{refused_on:?}");

    // Five comments a minute from one reader's address, whichever instance takes them.
    let comment = |i: usize, address: &str| {
        cluster
            .client
            .post(cluster.url(&format!("/api/v1/articles/{slug}/comments")))
            .header("X-Forwarded-For", address)
            .json(&json!({"author_name": "Siti", "author_email": "siti@example.com", "body": format!("Komentar {i}")}))
            .send()
    };
    let mut accepted_on = BTreeSet::new();
    for i in 0..5 {
        let r = comment(i, "198.51.100.23").await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        accepted_on.insert(served_by(&r));
    }
    assert_eq!(accepted_on.len(), INSTANCES, "{accepted_on:?}");
    for i in 5..5 + INSTANCES {
        let r = comment(i, "198.51.100.23").await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "on {}", served_by(&r));
    }
    let other = comment(99, "198.51.100.24").await.unwrap();
    assert_eq!(other.status(), StatusCode::CREATED, "another reader has a budget of their own");
}

/// What one request of a load came to.
#[derive(Debug, Clone)]
struct Outcome {
    started: Instant,
    /// 2xx: the id written (writes) or 0 (reads), and the instance that answered.
    answer: Result<(i64, String), String>,
}

#[tokio::test]
async fn a_sigkill_under_write_load_loses_no_acknowledged_write_and_fails_only_what_was_in_flight() {
    if !cluster_can_run() {
        return;
    }
    let mut cluster = Cluster::start().await;
    let token = cluster.admin_token().await;
    let slug = cluster.publish(&token, "Kopi Pagi").await;
    let url = cluster.url(&format!("/api/v1/articles/{slug}/comments"));

    const WRITERS: usize = 6;
    let stop = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (client, url, token) = (cluster.client.clone(), url.clone(), token.clone());
            let (stop, outcomes) = (stop.clone(), outcomes.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) && i < 2_000 {
                    i += 1;
                    let body = json!({"author_name": "Redaksi", "author_email": "redaksi@example.com", "body": format!("tulis {w}-{i}")});
                    let started = Instant::now();
                    let answer = match client.post(&url).bearer_auth(&token).json(&body).send().await {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            let by = served_by(&r);
                            match r.json::<Value>().await {
                                Ok(v) => Ok((v["id"].as_i64().unwrap(), by)),
                                Err(e) => Err(format!("{by}: a cut body: {e}")),
                            }
                        }
                        Ok(r) => Err(format!("{} from {}: {}", r.status(), served_by(&r), r.text().await.unwrap_or_default())),
                        Err(e) => Err(format!("no answer: {e}")),
                    };
                    outcomes.lock().unwrap().push(Outcome { started, answer });
                }
            })
        })
        .collect();
    let acknowledged_by = |outcomes: &[Outcome], instance: &str| {
        outcomes.iter().filter(|o| o.answer.as_ref().is_ok_and(|(_, by)| by == instance)).count()
    };
    // Load on every instance, then the plug is pulled on w1.
    let deadline = Instant::now() + Duration::from_secs(20);
    while (0..INSTANCES).any(|i| acknowledged_by(&outcomes.lock().unwrap(), &format!("w{i}")) < 20) {
        assert!(Instant::now() < deadline, "the load did not reach every instance");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut victim = cluster.instances[1].take().unwrap();
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();
    let killed_at = Instant::now();
    cluster.wait_for_state(1, "DOWN").await;
    // The load goes on through the two others.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let after = outcomes.lock().unwrap().iter().filter(|o| o.started > killed_at && o.answer.is_ok()).count();
        if after >= 300 {
            break;
        }
        assert!(Instant::now() < deadline, "{after} writes after the kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let outcomes = outcomes.lock().unwrap().clone();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.answer.is_err()).collect();
    // A failure is a request that was on w1 when it died: started before it was gone, and no
    // more of them than there were requests at a time.
    assert!(failed.len() <= WRITERS, "{} failed: {failed:?}", failed.len());
    for outcome in &failed {
        assert!(outcome.started < killed_at, "a request sent after the kill failed: {outcome:?}");
    }
    let after: Vec<&Outcome> = outcomes.iter().filter(|o| o.started > killed_at).collect();
    assert!(
        after.iter().all(|o| o.answer.as_ref().is_ok_and(|(_, by)| by != "w1")),
        "only w0 and w2 answer after the kill"
    );
    // Every acknowledged write is in the database.
    let acknowledged: BTreeSet<i64> =
        outcomes.iter().filter_map(|o| o.answer.as_ref().ok().map(|(id, _)| *id)).collect();
    let stored: BTreeSet<i64> = {
        use diesel::prelude::*;
        use warta::db::schema::comments;
        let mut conn = warta::db::Conn::establish(&cluster.db.url).unwrap();
        comments::table.select(comments::id).load::<i64>(&mut conn).unwrap().into_iter().collect()
    };
    let lost: Vec<&i64> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    eprintln!(
        "{} writes acknowledged ({} after the kill), {} failed in flight {:?}, {} redispatched by haproxy",
        acknowledged.len(),
        after.len(),
        failed.len(),
        failed.iter().map(|o| o.answer.as_ref().unwrap_err()).collect::<Vec<_>>(),
        cluster.total("wredis").await
    );
}

#[tokio::test]
async fn a_rolling_restart_of_every_instance_under_read_load_fails_no_request() {
    if !cluster_can_run() {
        return;
    }
    let mut cluster = Cluster::start().await;
    let token = cluster.admin_token().await;
    let slug = cluster.publish(&token, "Kopi Pagi").await;
    let paths = Arc::new([
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{slug}"),
        format!("/api/v1/articles/{slug}/comments"),
        "/api/v1/categories".to_owned(),
        "/api/v1/site".to_owned(),
    ]);

    const READERS: usize = 4;
    let stop = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (client, front, paths) = (cluster.client.clone(), cluster.front.clone(), paths.clone());
            let (stop, outcomes) = (stop.clone(), outcomes.clone());
            tokio::spawn(async move {
                let mut i = r;
                // Paced: about 400 requests a second in all, a few thousand over the restarts.
                while !stop.load(Ordering::Relaxed) && i < 20_000 {
                    let started = Instant::now();
                    let answer = match client.get(format!("{front}{}", paths[i % paths.len()])).send().await {
                        Ok(r) if r.status() == StatusCode::OK => {
                            let by = served_by(&r);
                            r.bytes().await.map(|_| (0, by.clone())).map_err(|e| format!("{by}: a cut body: {e}"))
                        }
                        Ok(r) => Err(format!("{} from {}", r.status(), served_by(&r))),
                        Err(e) => Err(format!("no answer: {e}")),
                    };
                    outcomes.lock().unwrap().push(Outcome { started, answer });
                    i += READERS;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(300)).await;
    let retries_before = cluster.total("wretr").await;
    let started = Instant::now();
    for i in 0..INSTANCES {
        let mut old = cluster.instances[i].take().unwrap();
        let signalled = Instant::now();
        old.signal("TERM");
        // The balancer takes it out while it still runs: its /ready says it is going.
        cluster.wait_for_state(i, "DOWN").await;
        assert!(old.child.try_wait().unwrap().is_none(), "w{i} was out of rotation before it stopped");
        let ready = cluster.client.get(format!("{}/ready", old.address)).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE, "draining");
        let out_after = signalled.elapsed();
        let status = old.exit_within(Duration::from_secs(15)).await;
        assert!(status.success(), "w{i} exited with {status:?}: {}", old.logs());
        assert!(old.logs().contains("draining"), "{}", old.logs());
        let stopped_after = signalled.elapsed();
        cluster.instances[i] = Some(Process::start_on(cluster.ports[i], &cluster.db.url, &[], &instance_vars()).await);
        cluster.wait_for_state(i, "UP").await;
        eprintln!(
            "w{i}: out of rotation {out_after:?} after SIGTERM, stopped after {stopped_after:?}, back after {:?}",
            signalled.elapsed()
        );
    }
    let restarts_took = started.elapsed();
    // Load on the new instances too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }

    let outcomes = outcomes.lock().unwrap().clone();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.answer.is_err()).collect();
    assert!(failed.is_empty(), "{} of {} reads failed: {failed:?}", failed.len(), outcomes.len());
    assert!(outcomes.len() >= 500, "the load ran: {} reads", outcomes.len());
    let retries = cluster.total("wretr").await - retries_before;
    assert_eq!(retries, 0, "no request was even sent to a stopped instance (haproxy retried {retries})");
    let served: BTreeSet<String> =
        outcomes.iter().filter_map(|o| o.answer.as_ref().ok().map(|(_, by)| by.clone())).collect();
    assert_eq!(served.len(), INSTANCES, "{served:?}");
    eprintln!("{} reads over {restarts_took:?} of restarts, none failed", outcomes.len());
}
