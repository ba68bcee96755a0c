//! A webhook receiver on loopback for the tests: it keeps every request it gets and answers
//! as scripted (a status, or a hang), checking nothing itself.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Holds the request this long before answering 200.
    Hang(Duration),
    /// A 307 to this port of 127.0.0.1 (another receiver, say).
    RedirectTo(u16),
    /// A 200 whose body never ends: 1 KiB every 10 ms until the client goes.
    Endless,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    /// The body exactly as sent.
    pub raw: String,
    pub body: Value,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.body["type"].as_str().unwrap_or("")
    }

    /// Whether `webhook-signature` holds a valid Standard Webhooks signature by `secret` over
    /// this request (computed here, independently of the server's code).
    pub fn signed_by(&self, secret: &str) -> bool {
        let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        let signed = format!("{}.{}.{}", self.header("webhook-id"), self.header("webhook-timestamp"), self.raw);
        mac.update(signed.as_bytes());
        let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
        self.header("webhook-signature").split(' ').any(|s| s == expected)
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    script: VecDeque<Answer>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// A receiver on a free loopback port that answers 204 unless scripted otherwise.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        let shared = Arc::new(Mutex::new(Shared::default()));
        let accepting = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, accepting.clone()));
            }
        });
        Receiver { url, shared, task }
    }

    /// The answers to the next requests, in order (then 204 again).
    pub fn answer_next(&self, answers: &[Answer]) {
        self.shared.lock().unwrap().script.extend(answers.iter().copied());
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Waits until `n` requests came (at most `within`), and returns all received.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "{} of {n} deliveries within {within:?}: {got:#?}", got.len());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        // Headers first, then as much body as Content-Length says.
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let headers: HashMap<String, String> = head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        while buffer.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let raw = String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
        buffer.drain(..head_end + length);
        let answer = {
            let mut shared = shared.lock().unwrap();
            let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
            shared.received.push(Received { headers, raw, body, at: Instant::now() });
            shared.script.pop_front().unwrap_or(Answer::Status(204))
        };
        let head = match answer {
            Answer::Status(code) => format!("HTTP/1.1 {code} Scripted\r\ncontent-length: 0\r\n\r\n"),
            Answer::Hang(pause) => {
                tokio::time::sleep(pause).await;
                "HTTP/1.1 200 Scripted\r\ncontent-length: 0\r\n\r\n".to_owned()
            }
            Answer::RedirectTo(port) => {
                format!("HTTP/1.1 307 Scripted\r\nlocation: http://127.0.0.1:{port}/hook\r\ncontent-length: 0\r\n\r\n")
            }
            Answer::Endless => {
                // No length: the body ends only when the connection does.
                if stream.write_all(b"HTTP/1.1 200 Scripted\r\nconnection: close\r\n\r\n").await.is_err() {
                    return;
                }
                let kib = [b'x'; 1024];
                loop {
                    if stream.write_all(&kib).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
    }
}
