#!/usr/bin/env node
// A tiny server for the example frontend: `public/` at `/`, the compiled
// TypeScript (`dist/`) at `/js/`, and `/config.js`, generated from the
// environment so that one build runs against any Warta server. Besides, as a
// server-rendering frontend would: `/artikel/<slug>`, an article rendered here
// and cached until a Warta webhook names it, and `POST /api/revalidate`, the
// webhook receiver that checks the signature and forgets what `cache_tags` name.
//
//   WARTA_API_URL         where the Warta API lives (default http://127.0.0.1:8080)
//   WARTA_WEBHOOK_SECRET  the endpoint's `whsec_...` secret (the receiver is off without it)
//   PORT                  port to listen on (default 5173; 0 picks a free one)
//   HOST                  address to listen on (default 127.0.0.1)
//
// It prints one line, "frontend listening on http://HOST:PORT", once it listens.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { refusal, secretKey, SeenIds, TaggedCache } from "./webhook.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const roots = [
  { prefix: "/js/", dir: join(here, "dist") },
  { prefix: "/", dir: join(here, "public") },
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

function fail(message) {
  console.error(`serve.mjs: ${message}`);
  process.exit(2);
}

const apiUrlText = process.env.WARTA_API_URL || "http://127.0.0.1:8080";
let apiUrl;
try {
  apiUrl = new URL(apiUrlText);
} catch {
  fail(`WARTA_API_URL is not a URL: ${apiUrlText}`);
}
if (apiUrl.protocol !== "http:" && apiUrl.protocol !== "https:") {
  fail(`WARTA_API_URL must be http(s): ${apiUrlText}`);
}
const portText = process.env.PORT ?? "5173";
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT is not a port number: ${portText}`);
const host = process.env.HOST || "127.0.0.1";

const webhookSecret = process.env.WARTA_WEBHOOK_SECRET || "";
let webhookKey = null;
if (webhookSecret !== "") {
  try {
    webhookKey = secretKey(webhookSecret);
  } catch (error) {
    fail(`WARTA_WEBHOOK_SECRET: ${error.message}`);
  }
}
/** Server-rendered article pages, until a delivery names them. */
const pages = new TaggedCache(500);
const seen = new SeenIds();
/** The largest delivery body read: Warta's events are a few KiB. */
const MAX_DELIVERY_BYTES = 1024 * 1024;

const config = `window.WARTA_CONFIG = Object.freeze(${JSON.stringify({
  apiUrl: apiUrl.href.replace(/\/+$/, ""),
})});\n`;

const securityHeaders = {
  "Content-Security-Policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: http: data:",
    `connect-src 'self' ${apiUrl.origin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Cache-Control": "no-cache",
};

/** The file for a URL path, or null when it is outside the served folders. */
function resolveFile(pathname) {
  for (const { prefix, dir } of roots) {
    if (!pathname.startsWith(prefix)) continue;
    const relative = pathname.slice(prefix.length) || "index.html";
    const file = normalize(join(dir, relative));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

function send(response, status, type, body, head) {
  response.writeHead(status, { ...securityHeaders, "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page of article `slug` with the cache tags it is filed under, rendered from the API. */
async function renderArticle(slug) {
  const answer = await fetch(`${apiUrl.origin}/api/v1/articles/${encodeURIComponent(slug)}`, {
    headers: { Accept: "application/json" },
    signal: AbortSignal.timeout(10_000),
  });
  if (answer.status === 404) {
    // Filed under its slug too: publishing it later names that tag.
    const html = page("Tidak ditemukan", "<h1>Artikel tidak ditemukan</h1>");
    return { status: 404, html, tags: [`article:${slug}`] };
  }
  if (!answer.ok) throw new Error(`the API answered ${answer.status}`);
  const article = await answer.json();
  // body_html is rendered and sanitized by Warta; everything else is escaped here.
  const html = page(article.title, `<article data-testid="ssr-article" data-id="${escapeHtml(article.id)}">
<h1 data-testid="ssr-title">${escapeHtml(article.title)}</h1>
<p class="meta">Oleh <strong>${escapeHtml(article.author.display_name)}</strong> · ${escapeHtml(article.published_at ?? "")}</p>
<div class="article-body">${article.body_html ?? ""}</div>
<p><a href="/#/artikel/${encodeURIComponent(article.slug)}">Baca dengan komentar</a></p>
</article>`);
  const tags = [`article:${article.id}`, `article:${article.slug}`, `article:${slug}`, `author:${article.author.slug}`];
  return { status: 200, html, tags };
}

function page(title, content) {
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>${escapeHtml(title)} – Kabar Harapan</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main id="content">${content}</main></body></html>
`;
}

async function serveArticle(response, slug, head) {
  const key = `/artikel/${slug}`;
  let cached = pages.get(key);
  const hit = cached !== undefined;
  if (!hit) {
    cached = await renderArticle(slug);
    pages.set(key, cached, cached.tags);
  }
  response.setHeader("X-Cache", hit ? "HIT" : "MISS");
  send(response, cached.status, TYPES[".html"], cached.html, head);
}

/** Reads at most `limit` bytes of the request body; null when it is longer. */
async function readBody(request, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The webhook receiver: a good delivery forgets the pages its cache tags name. */
async function receiveDelivery(request, response) {
  const reply = (status, value) => send(response, status, TYPES[".json"], `${JSON.stringify(value)}\n`, false);
  if (webhookKey === null) return reply(404, { error: "the webhook receiver is off: WARTA_WEBHOOK_SECRET is not set" });
  const body = await readBody(request, MAX_DELIVERY_BYTES);
  if (body === null) return reply(413, { error: "the delivery is too large" });
  const why = refusal(webhookKey, request.headers, body);
  if (why !== null) {
    console.error(`webhook refused: ${why}`);
    return reply(401, { error: why });
  }
  let event;
  try {
    event = JSON.parse(body.toString("utf8"));
  } catch {
    return reply(400, { error: "the delivery is not JSON" });
  }
  const tags = Array.isArray(event?.cache_tags) ? event.cache_tags.filter((t) => typeof t === "string") : [];
  // Retries carry the same webhook-id: each event is acted on once.
  if (seen.repeat(request.headers["webhook-id"])) return reply(200, { repeated: true });
  const purged = pages.purge(tags);
  console.log(`webhook ${event?.type}: forgot ${purged} page(s) for ${tags.join(" ")}`);
  return reply(200, { purged });
}

const server = createServer(async (request, response) => {
  const head = request.method === "HEAD";
  let route;
  try {
    route = new URL(request.url ?? "/", "http://localhost").pathname;
  } catch {
    route = "";
  }
  if (route === "/api/revalidate") {
    if (request.method !== "POST") {
      response.setHeader("Allow", "POST");
      send(response, 405, TYPES[".txt"], "method not allowed\n", false);
      return;
    }
    try {
      await receiveDelivery(request, response);
    } catch (error) {
      send(response, 500, TYPES[".txt"], `cannot take the delivery: ${error.message}\n`, false);
    }
    return;
  }
  if (request.method !== "GET" && !head) {
    response.setHeader("Allow", "GET, HEAD");
    send(response, 405, TYPES[".txt"], "method not allowed\n", false);
    return;
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
  } catch {
    send(response, 400, TYPES[".txt"], "bad request\n", head);
    return;
  }
  if (pathname === "/config.js") {
    send(response, 200, TYPES[".js"], config, head);
    return;
  }
  const article = /^\/artikel\/([^/]+)$/.exec(pathname);
  if (article !== null) {
    try {
      await serveArticle(response, article[1], head);
    } catch (error) {
      send(response, 502, TYPES[".txt"], `the API cannot be read: ${error.message}\n`, head);
    }
    return;
  }
  const file = pathname.includes("\0") ? null : resolveFile(pathname);
  if (file === null) {
    send(response, 404, TYPES[".txt"], "not found\n", head);
    return;
  }
  try {
    const body = await readFile(file);
    send(response, 200, TYPES[extname(file)] ?? "application/octet-stream", body, head);
  } catch {
    send(response, 404, TYPES[".txt"], "not found\n", head);
  }
});

server.on("error", (error) => fail(`cannot listen on ${host}:${port}: ${error.message}`));
server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === "object" && address !== null ? address.port : port;
  const receiver = webhookKey === null ? "off" : "POST /api/revalidate";
  console.log(`frontend listening on http://${host}:${actual} (API: ${apiUrl.origin}; webhook receiver: ${receiver})`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
