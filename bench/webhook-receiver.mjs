#!/usr/bin/env node
// The receiving end of bench/webhooks.sh: answers every delivery at once (204) after checking
// its Standard Webhooks signature, except on /hang, where it answers nothing for 15 s (Warta
// gives up after 10). GET /stats reports what came, per path.
//
//   PORT=0 WEBHOOK_SECRETS=whsec_a,whsec_b node bench/webhook-receiver.mjs
// Prints "receiver listening on PORT" once it listens. It listens on 127.0.0.1 only.

import { createServer } from "node:http";
import { refusal, secretKey } from "../examples/frontend/webhook.mjs";

const keys = (process.env.WEBHOOK_SECRETS || "").split(",").filter((s) => s !== "").map(secretKey);
const stats = new Map();

function statsOf(path) {
  if (!stats.has(path)) stats.set(path, { count: 0, distinct: new Set(), bad: 0, first: 0, last: 0 });
  return stats.get(path);
}

const server = createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (request.method === "GET" && path === "/stats") {
    const report = {};
    for (const [p, s] of stats) {
      report[p] = { count: s.count, distinct: s.distinct.size, bad_signatures: s.bad, first_ms: s.first, last_ms: s.last };
    }
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(report));
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const s = statsOf(path);
    const now = performance.timeOrigin + performance.now();
    const body = Buffer.concat(chunks);
    if (keys.length > 0 && keys.every((key) => refusal(key, request.headers, body) !== null)) s.bad += 1;
    if (path === "/hang") {
      s.count += 1;
      setTimeout(() => response.writeHead(204).end(), 15_000).unref();
      return;
    }
    s.count += 1;
    s.distinct.add(request.headers["webhook-id"]);
    if (s.first === 0) s.first = now;
    s.last = now;
    response.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`receiver listening on ${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
