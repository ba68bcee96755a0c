//! Prometheus metrics: requests by route template and status, a latency histogram, the
//! database pool, and (when present) response-cache hits and misses. Kept by hand: a few
//! atomic counters behind one lock are all this needs.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    total: u64,
}

/// What the server has done since it started.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
}

impl Metrics {
    /// Records one answered request. `route` is the matched template (`/api/v1/articles/{id_or_slug}`),
    /// never the raw path, so that the number of series stays bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((method.into(), route.into(), status))
            .or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let histogram = latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                histogram.counts[i] += 1;
            }
        }
        histogram.sum += seconds;
        histogram.total += 1;
    }

    /// The text exposition format; `pool` is (connections, idle, max).
    pub fn render(&self, pool: (u32, u32, u32), statements: u64) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP warta_http_requests_total HTTP requests answered, by method, route template and status.\n",
        );
        out.push_str("# TYPE warta_http_requests_total counter\n");
        for ((method, route, status), count) in self.requests.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                out,
                "warta_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str("# HELP warta_http_request_duration_seconds Time to answer a request, by route template.\n");
        out.push_str("# TYPE warta_http_request_duration_seconds histogram\n");
        for (route, h) in self.latency.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let route = escape(route);
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "warta_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "warta_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.total
            );
            let _ = writeln!(out, "warta_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "warta_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.total);
        }
        let (connections, idle, max) = pool;
        let gauges = [
            ("warta_db_pool_connections", "Open database connections.", u64::from(connections)),
            ("warta_db_pool_idle_connections", "Open database connections not in use.", u64::from(idle)),
            ("warta_db_pool_max_connections", "The pool's size limit.", u64::from(max)),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        let counters = [
            ("warta_db_statements_total", "SQL statements run.", statements),
            (
                "warta_cache_hits_total",
                "Public responses served from the response cache.",
                self.cache_hits.load(Ordering::Relaxed),
            ),
            (
                "warta_cache_misses_total",
                "Public responses the response cache had to compute.",
                self.cache_misses.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_bucketed_by_latency() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/api/v1/articles", 200, Duration::from_millis(3));
        metrics.observe("GET", "/api/v1/articles", 200, Duration::from_millis(30));
        metrics.observe("GET", "/api/v1/articles", 304, Duration::from_micros(100));
        let text = metrics.render((2, 1, 8), 10);
        assert!(text.contains(r#"warta_http_requests_total{method="GET",route="/api/v1/articles",status="200"} 2"#));
        assert!(text.contains(r#"warta_http_request_duration_seconds_bucket{route="/api/v1/articles",le="0.005"} 2"#));
        assert!(text.contains(r#"warta_http_request_duration_seconds_bucket{route="/api/v1/articles",le="+Inf"} 3"#));
        assert!(text.contains("warta_db_pool_max_connections 8"));
    }
}
