// Warta's webhooks, on the receiving side: Standard Webhooks signature checks and a page
// cache that forgets what a delivery's `cache_tags` name.
//
// A delivery is a POST whose headers are `webhook-id` (the same at every attempt),
// `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
// (space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
// base64-decoded part of the `whsec_...` secret; two signatures for 24 hours after a rotation).

import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a delivery's timestamp may be from now, in seconds (replays older than this fail). */
export const TOLERANCE_SECONDS = 5 * 60;

/** The key bytes of a `whsec_...` secret; throws on anything else. */
export function secretKey(secret) {
  if (typeof secret !== "string" || !secret.startsWith("whsec_")) {
    throw new Error("a webhook secret starts with whsec_");
  }
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  if (key.length < 16) throw new Error("the webhook secret is too short");
  return key;
}

/** The `v1,...` signature of `body` (a Buffer or string) with `key`. */
export function sign(key, id, timestamp, body) {
  const mac = createHmac("sha256", key);
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest("base64")}`;
}

/**
 * Why a delivery must be refused, or null when its signature is good and fresh. `headers` is
 * a Node request's (lower-case names), `body` the raw bytes as received.
 */
export function refusal(key, headers, body, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") {
    return "the webhook-id, webhook-timestamp and webhook-signature headers are required";
  }
  if (!/^\d{1,12}$/.test(timestamp)) return "webhook-timestamp is not Unix seconds";
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return "webhook-timestamp is too old or too new";
  const expected = Buffer.from(sign(key, id, timestamp, body));
  for (const candidate of signatures.split(" ")) {
    const given = Buffer.from(candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return "no signature matches";
}

/**
 * Rendered pages, each filed under the cache tags of what it shows, forgotten when a delivery
 * names one of them. At most `capacity` pages: the oldest goes first.
 */
export class TaggedCache {
  #pages = new Map();
  #capacity;

  constructor(capacity = 500) {
    this.#capacity = capacity;
  }

  get(key) {
    return this.#pages.get(key)?.value;
  }

  set(key, value, tags) {
    this.#pages.delete(key);
    this.#pages.set(key, { value, tags: new Set(tags) });
    while (this.#pages.size > this.#capacity) {
      this.#pages.delete(this.#pages.keys().next().value);
    }
  }

  /** Forgets every page filed under one of `tags`; returns how many. */
  purge(tags) {
    let purged = 0;
    for (const [key, page] of this.#pages) {
      if (tags.some((tag) => page.tags.has(tag))) {
        this.#pages.delete(key);
        purged += 1;
      }
    }
    return purged;
  }
}

/** Remembers the last `capacity` delivery ids, to act on each event once. */
export class SeenIds {
  #ids = new Set();
  #capacity;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Whether `id` was seen before; remembers it. */
  repeat(id) {
    if (this.#ids.has(id)) return true;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value);
    return false;
  }
}
