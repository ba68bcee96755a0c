// Unit test of the webhook receiver's checks: the Standard Webhooks specification's own
// test vector, tampering, staleness, rotation, and the tagged cache.
//
//   node --test test/webhook.test.mjs

import assert from "node:assert/strict";
import { test } from "node:test";
import { refusal, secretKey, sign, SeenIds, TaggedCache, TOLERANCE_SECONDS } from "../webhook.mjs";

// From the Standard Webhooks specification.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

const headers = (signature, timestamp = String(TIMESTAMP), id = ID) => ({
  "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature,
});

test("the specification's test vector signs and verifies", () => {
  const key = secretKey(SECRET);
  assert.equal(sign(key, ID, TIMESTAMP, BODY), SIGNATURE);
  assert.equal(refusal(key, headers(SIGNATURE), Buffer.from(BODY), TIMESTAMP), null);
});

test("a changed body, id or timestamp, another secret or a missing header is refused", () => {
  const key = secretKey(SECRET);
  assert.match(refusal(key, headers(SIGNATURE), Buffer.from('{"test": 2432232315}'), TIMESTAMP), /no signature/);
  assert.match(refusal(key, headers(SIGNATURE, String(TIMESTAMP), "msg_other"), Buffer.from(BODY), TIMESTAMP), /no signature/);
  assert.match(refusal(key, headers(SIGNATURE, String(TIMESTAMP + 1)), Buffer.from(BODY), TIMESTAMP), /no signature/);
  const other = secretKey("whsec_" + Buffer.alloc(24, 7).toString("base64"));
  assert.match(refusal(other, headers(SIGNATURE), Buffer.from(BODY), TIMESTAMP), /no signature/);
  assert.match(refusal(key, { "webhook-id": ID }, Buffer.from(BODY), TIMESTAMP), /required/);
  assert.throws(() => secretKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), /whsec_/);
});

test("a delivery outside the tolerance is refused even when well signed", () => {
  const key = secretKey(SECRET);
  const late = TIMESTAMP + TOLERANCE_SECONDS + 1;
  assert.match(refusal(key, headers(SIGNATURE), Buffer.from(BODY), late), /too old/);
  assert.equal(refusal(key, headers(SIGNATURE), Buffer.from(BODY), TIMESTAMP + TOLERANCE_SECONDS), null);
  assert.match(refusal(key, headers(SIGNATURE, "soon"), Buffer.from(BODY), TIMESTAMP), /Unix seconds/);
});

test("after a rotation either of two signatures is enough", () => {
  const key = secretKey(SECRET);
  const both = `v1,${Buffer.alloc(32).toString("base64")} ${SIGNATURE}`;
  assert.equal(refusal(key, headers(both), Buffer.from(BODY), TIMESTAMP), null);
});

test("the cache forgets what a tag names, and only that", () => {
  const cache = new TaggedCache(2);
  cache.set("/artikel/a", "A", ["article:1", "article:a"]);
  cache.set("/artikel/b", "B", ["article:2", "article:b"]);
  assert.equal(cache.purge(["article:a", "category:x"]), 1);
  assert.equal(cache.get("/artikel/a"), undefined);
  assert.equal(cache.get("/artikel/b"), "B");
  cache.set("/artikel/c", "C", ["article:3"]);
  cache.set("/artikel/d", "D", ["article:4"]);
  assert.equal(cache.get("/artikel/b"), undefined, "the oldest page goes when it is full");
  const seen = new SeenIds(2);
  assert.equal(seen.repeat("x"), false);
  assert.equal(seen.repeat("x"), true);
});
