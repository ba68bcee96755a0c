// End-to-end test of the example frontend in headless Chromium.
//
// Starts Warta (WARTA_BIN serve --demo, fresh database), the frontend (serve.mjs)
// on another port, and a third "foreign" site whose origin Warta does not allow,
// then drives the real pages with playwright-core.
//
//   WARTA_BIN=/path/to/warta node --test --test-reporter=spec test/e2e.test.mjs
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium).

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import {
  deadline, freePort, killEverything, onInterrupt, requireExecutable, sleep, startProcess, stopProcess, tempDir, waitForHttp,
} from "./harness.mjs";
import { secretKey, sign } from "../webhook.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const frontendDir = join(here, "..");
const resultsDir = join(frontendDir, "test-results");

const EDITOR = { email: "bayu.prasetyo@kabarharapan.example", password: "warta-demo-2026" };
const ADMIN = { email: "rina.kartikasari@kabarharapan.example", password: "warta-demo-2026" };
const PER_PAGE = 5; // the frontend's page size
const COMMENT_ARTICLE = "dprd-sepakati-rancangan-perda-pengelolaan-sampah-pesisir";
const CATEGORY = "luar-negeri";
const TAG = "kuliner"; // on "Festival Kuliner di São Paulo..." and "Rp 5 Triliun – Kredit Lunak..."
const SEARCH_WORD = "voli"; // from "Liga Voli Antarkampus Pecahkan Rekor Penonton"
const SEARCH_HIT = "liga-voli-antarkampus-pecahkan-rekor-penonton";
const STEP_MS = 15_000; // any single wait in the browser

deadline(170_000);

const stack = {
  /** @type {string} */ api: "",
  /** @type {string} */ frontend: "",
  /** @type {string} */ foreign: "",
  warta: undefined,
  web: undefined,
  foreignServer: undefined,
  context: undefined,
};

// ------------------------------------------------------------------ set-up

async function startStack() {
  const wartaBin = requireExecutable(process.env.WARTA_BIN, "WARTA_BIN");
  const chromiumPath = requireExecutable(process.env.CHROMIUM_PATH || "/usr/bin/chromium", "CHROMIUM_PATH");

  // Variables of the surrounding shell must not change what Warta does here.
  const baseEnv = Object.fromEntries(Object.entries(process.env)
    .filter(([key]) => !key.startsWith("WARTA_") && key !== "DATABASE_URL" && key !== "PORT" && key !== "HOST"));

  // The frontend needs the API's address and the API needs the frontend's origin:
  // pick the API port first, let the frontend choose its own, then start Warta.
  for (let attempt = 1; ; attempt += 1) {
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const web = startProcess("frontend", process.execPath, [join(frontendDir, "serve.mjs")], {
      cwd: frontendDir,
      env: { ...baseEnv, PORT: "0", HOST: "127.0.0.1", WARTA_API_URL: api },
    });
    const line = await web.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/, 10_000);
    const frontend = line.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0] ?? "";

    const dataDir = tempDir("warta-e2e-db-");
    const warta = startProcess("warta", wartaBin, ["serve", "--demo"], {
      cwd: dataDir, // no stray .env from elsewhere
      env: {
        ...baseEnv,
        DATABASE_URL: join(dataDir, "warta.db"),
        WARTA_BIND: `127.0.0.1:${apiPort}`,
        WARTA_CORS_ORIGINS: frontend,
        WARTA_COMMENT_RATE_PER_MINUTE: "100",
        // Draft links open the frontend's preview page; webhooks may reach this machine.
        WARTA_PREVIEW_URL: `${frontend}/#/pratinjau/{token}`,
        WARTA_WEBHOOK_ALLOW_PRIVATE: "true",
        RUST_LOG: "warn",
      },
    });
    try {
      await waitForHttp(`${api}/ready`, warta, 30_000);
      Object.assign(stack, { api, frontend, warta, web });
      break;
    } catch (error) {
      await stopProcess(warta);
      await stopProcess(web);
      // Someone took the port between probing and binding: try another one.
      if (attempt >= 3) throw error;
      console.error(`e2e: Warta did not start (attempt ${attempt}), retrying on another port`);
    }
  }

  // The foreign site: a page whose script tries to read the API from an origin
  // that is not in WARTA_CORS_ORIGINS.
  stack.foreignServer = createServer((request, response) => {
    if (request.url !== "/") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    response.end(foreignPage(stack.api));
  });
  await new Promise((resolve, reject) => {
    stack.foreignServer.once("error", reject);
    stack.foreignServer.listen(0, "127.0.0.1", resolve);
  });
  stack.foreign = `http://127.0.0.1:${stack.foreignServer.address().port}`;

  const profile = tempDir("warta-e2e-chromium-");
  stack.context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
      // Nothing leaves the machine (demo images point at images.example.com): every other
      // host name fails to resolve at once. Not page.route(): Playwright's request
      // interception answers CORS preflights itself, which would hide what this test checks.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  onInterrupt(() => stack.context?.close());
  stack.context.setDefaultTimeout(STEP_MS);
}

function foreignPage(api) {
  const target = JSON.stringify(api);
  const slug = JSON.stringify(COMMENT_ARTICLE);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not an allowed origin</title></head>
<body>
<h1>A site Warta does not trust</h1>
<pre id="result">running…</pre>
<script>
(async () => {
  const api = ${target};
  const outcome = {};
  try {
    const response = await fetch(api + "/api/v1/articles?per_page=1");
    const body = await response.json();
    outcome.read = "read " + body.data.length + " article(s)";
  } catch (error) {
    outcome.read = "blocked: " + error.name;
  }
  try {
    // An opaque request does reach the server: proof that CORS, not the network, refuses the read.
    const response = await fetch(api + "/api/v1/site", { mode: "no-cors" });
    outcome.opaque = response.type;
  } catch (error) {
    outcome.opaque = "error: " + error.name;
  }
  try {
    const response = await fetch(api + "/api/v1/articles/" + ${slug} + "/comments", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ author_name: "Foreign", author_email: "foreign@example.com", body: "foreign-origin comment" }),
    });
    outcome.post = "sent: HTTP " + response.status;
  } catch (error) {
    outcome.post = "blocked: " + error.name;
  }
  const result = document.getElementById("result");
  result.textContent = JSON.stringify(outcome);
  result.dataset.done = "true";
})();
</script>
</body></html>`;
}

before(async () => {
  await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stack.context?.close().catch(() => {});
  await new Promise((resolve) => (stack.foreignServer ? stack.foreignServer.close(resolve) : resolve()));
  await stopProcess(stack.web);
  await stopProcess(stack.warta);
  killEverything();
});

// ------------------------------------------------------------------ helpers

async function apiJson(path, init = {}) {
  const response = await fetch(`${stack.api}/api/v1${path}`, { ...init, signal: AbortSignal.timeout(STEP_MS) });
  const text = await response.text();
  assert.ok(response.ok, `${init.method ?? "GET"} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

async function editorToken(who = EDITOR) {
  const login = await apiJson("/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(who),
  });
  return login.access_token;
}

/** A JSON request to the API with a bearer token. */
function withToken(token, method = "GET", body = undefined) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body === undefined) return { method, headers };
  return { method, headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

async function pendingComments() {
  const token = await editorToken();
  const queue = await apiJson("/comments?status=pending&per_page=100", {
    headers: { Authorization: `Bearer ${token}` },
  });
  return queue.data;
}

/** Runs `body` with a fresh page; on failure keeps a screenshot and the servers' output. */
function browserTest(name, body) {
  test(name, { timeout: 60_000 }, async () => {
    const page = await stack.context.newPage();
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await body(page);
      assert.deepEqual(pageErrors, [], "the page threw errors");
    } catch (error) {
      mkdirSync(resultsDir, { recursive: true });
      const file = join(resultsDir, `${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`--- screenshot: ${file}`);
      console.error(`--- page errors: ${JSON.stringify(pageErrors)}`);
      console.error(`--- warta output:\n${stack.warta?.output() ?? ""}`);
      console.error(`--- frontend output:\n${stack.web?.output() ?? ""}`);
      throw error;
    } finally {
      await page.close().catch(() => {});
    }
  });
}

/** Waits until the page shows what its URL fragment asks for, and checks it loaded. */
async function settled(page) {
  await page.waitForFunction(() => {
    const main = document.querySelector("[data-testid=main]");
    return main instanceof HTMLElement && main.dataset.state !== "loading" && main.dataset.hash === location.hash;
  });
  const main = page.getByTestId("main");
  const state = await main.getAttribute("data-state");
  if (state !== "ready") {
    throw new Error(`page ${page.url()} ended in state ${state}: ${await main.innerText()}`);
  }
}

const cardSlugs = (page) =>
  page.getByTestId("article-card").evaluateAll((cards) => cards.map((card) => card.getAttribute("data-slug")));

// ------------------------------------------------------------------ tests

browserTest("lists the latest articles", async (page) => {
  const expected = await apiJson(`/articles?per_page=${PER_PAGE}`);
  await page.goto(`${stack.frontend}/`);
  await settled(page);

  assert.equal(await page.getByTestId("site-title").innerText(), "Kabar Harapan");
  assert.equal(await page.getByTestId("list-heading").innerText(), "Berita Terbaru");
  assert.deepEqual(await cardSlugs(page), expected.data.map((a) => a.slug));
  const titles = await page.getByTestId("article-link").allInnerTexts();
  assert.deepEqual(titles, expected.data.map((a) => a.title));
  assert.equal(await page.getByTestId("page-indicator").innerText(), `Halaman 1 dari ${expected.meta.total_pages}`);
  assert.equal(await page.getByTestId("pagination-prev").count(), 0, "no previous page on page 1");
  // The category menu comes from the API, children under their parents.
  const menu = await page.getByTestId("category-link").evaluateAll((links) => links.map((l) => l.dataset.slug));
  for (const slug of ["dalam-negeri", "politik", "ekonomi", "luar-negeri", "asia", "timur-tengah", "olahraga", "teknologi"]) {
    assert.ok(menu.includes(slug), `category menu lacks ${slug}: ${menu}`);
  }
});

browserTest("pagination: page 2 shows different articles", async (page) => {
  const second = await apiJson(`/articles?per_page=${PER_PAGE}&page=2`);
  assert.ok(second.data.length > 0, "the demo data has a second page");

  await page.goto(`${stack.frontend}/`);
  await settled(page);
  const firstSlugs = await cardSlugs(page);

  await page.getByTestId("pagination-next").click();
  await settled(page);
  assert.match(page.url(), /#\/\?page=2$/);
  assert.equal(await page.getByTestId("page-indicator").innerText(), `Halaman 2 dari ${second.meta.total_pages}`);
  const secondSlugs = await cardSlugs(page);
  assert.deepEqual(secondSlugs, second.data.map((a) => a.slug));
  assert.equal(secondSlugs.filter((slug) => firstSlugs.includes(slug)).length, 0, "pages overlap");

  await page.getByTestId("pagination-prev").click();
  await settled(page);
  assert.deepEqual(await cardSlugs(page), firstSlugs);

  // The browser's history works too.
  await page.goBack();
  await settled(page);
  assert.deepEqual(await cardSlugs(page), secondSlugs);
});

browserTest("category filter shows only that category's articles", async (page) => {
  const expected = await apiJson(`/articles?category=${CATEGORY}&per_page=100`);
  const everything = await apiJson("/articles?per_page=100");
  assert.ok(expected.data.length > 0 && expected.data.length < everything.data.length);

  await page.goto(`${stack.frontend}/`);
  await settled(page);
  await page.getByTestId("category-nav").locator(`[data-testid=category-link][data-slug=${CATEGORY}]`).click();
  await settled(page);

  assert.equal(await page.getByTestId("list-heading").innerText(), "Luar Negeri");
  assert.equal(await page.locator(`[data-testid=category-link][data-slug=${CATEGORY}]`).getAttribute("aria-current"), "page");
  const slugs = await cardSlugs(page);
  assert.deepEqual(slugs, expected.data.slice(0, PER_PAGE).map((a) => a.slug));
  // Every article shown is filed under the category...
  const cards = page.getByTestId("article-card");
  for (let i = 0; i < (await cards.count()); i += 1) {
    const tags = await cards.nth(i).getByTestId("card-category")
      .evaluateAll((links) => links.map((l) => l.dataset.slug));
    assert.ok(tags.includes(CATEGORY), `${slugs[i]} is filed under ${tags}, not ${CATEGORY}`);
  }
  // ...and none of the others is.
  const others = everything.data.filter((a) => !a.categories.some((c) => c.slug === CATEGORY)).map((a) => a.slug);
  assert.equal(slugs.filter((slug) => others.includes(slug)).length, 0);
});

browserTest("an article shows its tags, and a tag's page lists its articles", async (page) => {
  const tagged = await apiJson(`/articles?tag=${TAG}&per_page=100`);
  const tag = await apiJson(`/tags/${TAG}`);
  assert.ok(tagged.data.length >= 2, "the demo tag is on two stories");
  const first = tagged.data[0];

  await page.goto(`${stack.frontend}/#/artikel/${first.slug}`);
  await settled(page);
  const shown = await page.getByTestId("article-tag").evaluateAll((links) => links.map((l) => l.dataset.slug));
  assert.deepEqual(shown, first.tags.map((t) => t.slug));
  await page.locator(`[data-testid=article-tag][data-slug=${TAG}]`).click();
  await settled(page);
  assert.match(page.url(), new RegExp(`#/tag/${TAG}$`));
  assert.equal(await page.getByTestId("list-heading").innerText(), `Tag: ${tag.name}`);
  assert.deepEqual(await cardSlugs(page), tagged.data.slice(0, PER_PAGE).map((a) => a.slug));

  await page.goto(`${stack.frontend}/#/tag/tidak-ada`);
  await settled(page);
  assert.equal(await page.getByTestId("empty").innerText(), "Tag ini tidak ada.");
});

browserTest("a photo is shown from its variants, with the focal point and credit", async (page) => {
  const list = await apiJson("/articles?per_page=100");
  const article = list.data.find((a) => a.featured_image !== null);
  assert.ok(article, "a demo story leads with a photo");
  const image = article.featured_image;

  await page.goto(`${stack.frontend}/`);
  await settled(page);
  const card = page.locator(`[data-testid=article-card][data-slug=${article.slug}] [data-testid=card-image]`);
  const srcset = await card.getAttribute("srcset");
  for (const variant of image.variants) {
    assert.ok(srcset.includes(`${variant.url} ${variant.width}w`), `srcset lacks ${variant.width}w: ${srcset}`);
  }
  await page.goto(`${stack.frontend}/#/artikel/${article.slug}`);
  await settled(page);
  const lead = page.getByTestId("lead-image");
  await lead.scrollIntoViewIfNeeded();
  const shown = await lead.evaluate(async (img) => {
    await img.decode();
    return { width: img.naturalWidth, current: img.currentSrc, position: getComputedStyle(img).objectPosition };
  });
  assert.ok(shown.width > 0, "the photo loaded");
  assert.ok([image.url, ...image.variants.map((v) => v.url)].includes(shown.current), shown.current);
  assert.equal(shown.position, `${image.focal_point.x * 100}% ${image.focal_point.y * 100}%`);
  assert.equal(await lead.getAttribute("alt"), image.alt);
  assert.match(await page.locator("figure figcaption").innerText(), new RegExp(image.credit));
});

browserTest("an article renders its body_html and approved comments", async (page) => {
  const article = await apiJson(`/articles/${COMMENT_ARTICLE}`);
  const comments = await apiJson(`/articles/${COMMENT_ARTICLE}/comments?per_page=100`);
  const pending = (await pendingComments()).filter((c) => c.article_id === article.id);
  assert.ok(comments.data.length > 0 && pending.length > 0, "the demo article has approved and pending comments");

  await page.goto(`${stack.frontend}/`);
  await settled(page);
  await page.locator(`[data-testid=article-card][data-slug=${COMMENT_ARTICLE}] [data-testid=article-link]`).click();
  await settled(page);

  assert.equal(await page.getByTestId("article-title").innerText(), article.title);
  const body = page.getByTestId("article-body");
  // The same HTML as the API's body_html: compare the text and the markup's elements.
  const same = await body.evaluate((element, html) => {
    const template = document.createElement("template");
    template.innerHTML = html;
    const tags = (root) => [...root.querySelectorAll("*")].map((e) => e.tagName).join(",");
    return {
      text: element.textContent === template.content.textContent,
      tags: tags(element) === tags(template.content),
      count: element.querySelectorAll("*").length,
    };
  }, article.body_html);
  assert.ok(same.text && same.tags && same.count > 3, `article body differs from body_html: ${JSON.stringify(same)}`);
  assert.equal(await body.locator("h2").first().innerText(), "Poin Utama Perda");
  assert.equal(await body.locator("strong").first().innerText(), "bank sampah");
  assert.match(await page.getByTestId("article-source").innerText(), /^Sumber: Kabar Harapan$/);

  // Approved comments, as text; pending ones never.
  await page.getByTestId("comment").first().waitFor();
  const shown = await page.getByTestId("comment-text").allTextContents();
  assert.deepEqual(shown.toSorted(), comments.data.map((c) => c.body).toSorted());
  for (const comment of pending) {
    assert.ok(!shown.includes(comment.body), `pending comment ${comment.id} is shown`);
  }
  assert.equal(await page.getByTestId("comments-heading").innerText(), `${comments.meta.total} Komentar`);
});

browserTest("search finds an article by a word of its title", async (page) => {
  await page.goto(`${stack.frontend}/`);
  await settled(page);
  await page.getByTestId("search-input").fill(SEARCH_WORD);
  await page.getByTestId("search-input").press("Enter");
  await settled(page);

  assert.match(page.url(), new RegExp(`#/cari\\?q=${SEARCH_WORD}$`));
  assert.equal(await page.getByTestId("list-heading").innerText(), `Hasil pencarian “${SEARCH_WORD}”`);
  assert.deepEqual(await cardSlugs(page), [SEARCH_HIT]);
  assert.match(await page.getByTestId("article-link").first().innerText(), /Voli/);

  // A word that is nowhere says so.
  await page.getByTestId("search-input").fill("zzzyyyxxx");
  await page.getByTestId("search-submit").click();
  await settled(page);
  assert.equal(await page.getByTestId("article-card").count(), 0);
  await page.getByTestId("empty").waitFor();
});

browserTest("the comment form shows the server's messages next to the fields", async (page) => {
  await page.goto(`${stack.frontend}/#/artikel/${COMMENT_ARTICLE}`);
  await settled(page);
  const form = page.getByTestId("comment-form");
  assert.match(await form.getByTestId("comment-privacy").innerText(),
    /Alamat email Anda tidak akan dipublikasikan\. Ruas yang wajib ditandai \*/);

  await form.getByTestId("comment-body").fill("Komentar dengan email yang salah.");
  await form.getByTestId("comment-author_email").fill("bukan-alamat-email");
  await form.getByTestId("comment-submit").click();

  const emailError = form.getByTestId("error-author_email");
  await emailError.waitFor({ state: "visible" });
  assert.match(await emailError.innerText(), /email/i);
  await form.getByTestId("error-author_name").waitFor({ state: "visible" });
  assert.equal(await form.getByTestId("comment-author_email").getAttribute("aria-invalid"), "true");
  assert.equal(await form.getByTestId("comment-author_name").getAttribute("aria-invalid"), "true");
  assert.equal(await form.getByTestId("error-body").isVisible(), false, "the body was fine");
  assert.equal(await form.getByTestId("comment-status").isVisible(), false);
});

browserTest("a submitted comment awaits moderation and reaches the moderation queue", async (page) => {
  const text = `Uji e2e ${Date.now()}: semoga perdanya benar-benar dijalankan.`;
  const email = `pembaca.${Date.now()}@example.com`;
  await page.goto(`${stack.frontend}/#/artikel/${COMMENT_ARTICLE}`);
  await settled(page);
  const form = page.getByTestId("comment-form");

  // The honeypot is there for bots but out of people's way.
  const trap = form.getByTestId("comment-website");
  assert.equal(await trap.getAttribute("tabindex"), "-1");
  assert.equal(await trap.getAttribute("autocomplete"), "off");
  assert.equal(await trap.evaluate((e) => e.closest("[aria-hidden=true]") !== null), true);
  const box = await trap.boundingBox();
  assert.ok(box === null || box.x + box.width <= 0, `honeypot is on screen: ${JSON.stringify(box)}`);

  await form.getByTestId("comment-body").fill(text);
  await form.getByTestId("comment-author_name").fill("Pembaca Uji");
  await form.getByTestId("comment-author_email").fill(email);
  await form.getByTestId("comment-submit").click();

  const status = form.getByTestId("comment-status");
  await status.waitFor({ state: "visible" });
  assert.match(await status.innerText(), /menunggu moderasi/);
  assert.equal(await form.getByTestId("comment-form-error").isVisible(), false);
  // Not published: the page does not show it.
  assert.ok(!(await page.getByTestId("comment-text").allTextContents()).includes(text));

  const article = await apiJson(`/articles/${COMMENT_ARTICLE}`);
  const queued = (await pendingComments()).find((c) => c.body === text);
  assert.ok(queued, "the comment is in the moderation queue (status=pending)");
  assert.equal(queued.status, "pending");
  assert.equal(queued.author_email, email);
  assert.equal(queued.author_name, "Pembaca Uji");
  assert.equal(queued.article_id, article.id);
  assert.equal(String(queued.id), await status.getAttribute("data-comment-id"));
});

browserTest("a reply is sent with the comment it answers", async (page) => {
  const comments = await apiJson(`/articles/${COMMENT_ARTICLE}/comments?per_page=100`);
  const parent = comments.data[0];
  const text = `Balasan uji e2e ${Date.now()}`;
  await page.goto(`${stack.frontend}/#/artikel/${COMMENT_ARTICLE}`);
  await settled(page);

  await page.locator(`[data-testid=comment][data-comment-id="${parent.id}"] [data-testid=comment-reply]`).first().click();
  assert.match(await page.getByTestId("comment-replying").innerText(), new RegExp(parent.author_name));
  const form = page.getByTestId("comment-form");
  await form.getByTestId("comment-body").fill(text);
  await form.getByTestId("comment-author_name").fill("Pembaca Uji");
  await form.getByTestId("comment-author_email").fill("balasan@example.com");
  await form.getByTestId("comment-submit").click();
  await form.getByTestId("comment-status").waitFor({ state: "visible" });

  const queued = (await pendingComments()).find((c) => c.body === text);
  assert.ok(queued, "the reply is in the moderation queue");
  assert.equal(queued.parent_id, parent.id);
});

browserTest("a page from an origin not in WARTA_CORS_ORIGINS cannot read the API", async (page) => {
  // What the server says, as a browser would ask.
  const foreign = await fetch(`${stack.api}/api/v1/site`, { headers: { Origin: stack.foreign } });
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  const allowed = await fetch(`${stack.api}/api/v1/site`, { headers: { Origin: stack.frontend } });
  assert.equal(allowed.headers.get("access-control-allow-origin"), stack.frontend);

  await page.goto(`${stack.foreign}/`);
  const result = page.locator("#result[data-done=true]");
  await result.waitFor();
  const outcome = JSON.parse(await result.innerText());
  assert.equal(outcome.read, "blocked: TypeError", `the foreign page read the API: ${JSON.stringify(outcome)}`);
  assert.equal(outcome.opaque, "opaque", "the API was reachable, only the read was refused");
  assert.equal(outcome.post, "blocked: TypeError", "the cross-origin comment was refused");
  assert.ok(!(await pendingComments()).some((c) => c.body === "foreign-origin comment"),
    "the foreign page's comment never reached the server");

  // The same read from the allowed origin works (the frontend's own page).
  const own = await page.goto(`${stack.frontend}/`);
  assert.equal(own?.status(), 200);
  await settled(page);
  assert.equal(await page.getByTestId("article-card").count(), PER_PAGE);
});

browserTest("a draft shows through its preview link, and nowhere else", async (page) => {
  const token = await editorToken();
  const draft = await apiJson("/articles", withToken(token, "POST", {
    title: "Rancangan Anggaran Daerah Masih Dibahas",
    body: "Naskah ini **belum terbit**: redaksi masih memeriksa angka-angkanya.",
  }));
  assert.equal(draft.status, "draft");
  const preview = await apiJson(`/articles/${draft.id}/preview`, withToken(token, "POST", {}));
  assert.ok(preview.url.startsWith(`${stack.frontend}/#/pratinjau/`), preview.url);

  await page.goto(preview.url);
  await settled(page);
  assert.match(await page.getByTestId("preview-banner").innerText(), /belum terbit \(draft\)/);
  assert.equal(await page.getByTestId("article-title").innerText(), draft.title);
  assert.match(await page.getByTestId("article-body").innerHTML(), /<strong>belum terbit<\/strong>/);
  assert.equal(await page.getByTestId("comment-form").count(), 0, "a draft takes no comments");

  // The draft's own address shows nothing, and the front page does not list it.
  await page.goto(`${stack.frontend}/#/artikel/${draft.slug}`);
  await page.getByTestId("not-found").waitFor();
  await page.goto(`${stack.frontend}/`);
  await settled(page);
  assert.ok(!(await cardSlugs(page)).includes(draft.slug));

  // Revoked: the link stops working.
  const revoked = await fetch(`${stack.api}/api/v1/articles/${draft.id}/preview`, withToken(token, "DELETE"));
  assert.equal(revoked.status, 204);
  await page.goto(preview.url);
  await page.getByTestId("not-found").waitFor();
  assert.match(await page.getByTestId("not-found").innerText(), /Pratinjau tidak tersedia/);
});

test("a signed webhook makes the server-rendered page show the edit", { timeout: 60_000 }, async () => {
  // An integration's API token, made by the admin, manages the webhook endpoint.
  const admin = await editorToken(ADMIN);
  const made = await apiJson("/tokens", withToken(admin, "POST", { name: "Frontend revalidation", scopes: ["webhooks:manage"] }));
  assert.match(made.token, /^warta_[0-9A-Za-z]{46}$/);
  const port = await freePort();
  const endpoint = await apiJson("/webhooks", withToken(made.token, "POST", {
    url: `http://127.0.0.1:${port}/api/revalidate`,
    description: "server-rendered pages",
    events: ["article.updated", "article.published", "article.unpublished", "article.deleted"],
  }));
  const edge = startProcess("frontend-edge", process.execPath, [join(frontendDir, "serve.mjs")], {
    cwd: frontendDir,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", WARTA_API_URL: stack.api, WARTA_WEBHOOK_SECRET: endpoint.secret },
  });
  try {
    await edge.waitForLine(/webhook receiver: POST \/api\/revalidate/, 10_000);
    const edgeUrl = `http://127.0.0.1:${port}`;
    const show = async () => {
      const answer = await fetch(`${edgeUrl}/artikel/${COMMENT_ARTICLE}`, { signal: AbortSignal.timeout(STEP_MS) });
      assert.equal(answer.status, 200);
      const html = await answer.text();
      const heading = /data-testid="ssr-title">([^<]*)<\/h1>/.exec(html)?.[1] ?? "";
      return { cache: answer.headers.get("x-cache"), title: heading.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))) };
    };
    const article = await apiJson(`/articles/${COMMENT_ARTICLE}`);
    assert.equal((await show()).cache, "MISS");
    const cached = await show();
    assert.equal(cached.cache, "HIT");
    assert.equal(cached.title, article.title);

    // A forged delivery and a replayed old one are refused and forget nothing.
    const tags = JSON.stringify({ type: "article.updated", cache_tags: [`article:${article.id}`] });
    const forge = async (key, timestamp) => fetch(`${edgeUrl}/api/revalidate`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "webhook-id": "msg_forged",
        "webhook-timestamp": String(timestamp),
        "webhook-signature": sign(key, "msg_forged", timestamp, tags),
      },
      body: tags,
    });
    const wrongKey = secretKey(`whsec_${Buffer.alloc(24, 1).toString("base64")}`);
    assert.equal((await forge(wrongKey, Math.floor(Date.now() / 1000))).status, 401);
    assert.equal((await forge(secretKey(endpoint.secret), Math.floor(Date.now() / 1000) - 3600)).status, 401);
    assert.equal((await show()).cache, "HIT");

    // The editor changes the title: Warta's signed delivery makes the page render afresh.
    const editor = await editorToken();
    const title = `${article.title} (diperbarui)`;
    await apiJson(`/articles/${article.id}`, withToken(editor, "PATCH", { title }));
    const until = Date.now() + STEP_MS;
    let shown = await show();
    while (shown.title !== title && Date.now() < until) {
      await sleep(100);
      shown = await show();
    }
    assert.equal(shown.title, title, `the page still shows the old title: ${edge.output()}`);
    assert.equal(shown.cache, "MISS", "rendered afresh after the delivery");
    assert.match(edge.output(), /webhook article\.updated: forgot 1 page/);
    const log = await apiJson(`/webhooks/${endpoint.id}/deliveries`, withToken(made.token));
    assert.equal(log.data[0].type, "article.updated");
    assert.equal(log.data[0].status, "succeeded");
  } finally {
    await stopProcess(edge);
  }
});
