#!/usr/bin/env node
// A tiny static server for the example frontend: `public/` at `/`, the compiled
// TypeScript (`dist/`) at `/js/`, and `/config.js`, generated from the
// environment so that one build runs against any Warta server.
//
//   WARTA_API_URL  where the Warta API lives (default http://127.0.0.1:8080)
//   PORT           port to listen on (default 5173; 0 picks a free one)
//   HOST           address to listen on (default 127.0.0.1)
//
// It prints one line, "frontend listening on http://HOST:PORT", once it listens.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

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

const server = createServer(async (request, response) => {
  const head = request.method === "HEAD";
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
  console.log(`frontend listening on http://${host}:${actual} (API: ${apiUrl.origin})`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
