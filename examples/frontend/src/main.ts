// Kabar Harapan: a small news front page on top of the Warta API.
//
// Routes (in the URL fragment, so any static file server can host the page):
//   #/                       latest articles            (?page=N)
//   #/kategori/<slug>        articles of a category     (?page=N)
//   #/tag/<slug>             articles with a tag        (?page=N)
//   #/cari?q=<text>          search                     (&page=N)
//   #/artikel/<slug>         one article with its comments
//   #/pratinjau/<token>      a draft, through a preview token (WARTA_PREVIEW_URL)

import { WartaClient } from "./api.js";
import type { Article, ArticlePage, Category, FeaturedImage, ListArticlesQuery, Result } from "./api.js";
import { commentSection } from "./comments.js";
import { h, replaceChildren, required, safeHttpUrl } from "./dom.js";
import { commentCount, formatDate, setLanguage } from "./format.js";

declare global {
  interface Window {
    /** Written by `/config.js` (see serve.mjs): where the Warta API lives. */
    WARTA_CONFIG?: { apiUrl?: string };
  }
}

const PER_PAGE = 5;
const DEFAULT_API_URL = "http://127.0.0.1:8080";

const client = new WartaClient(window.WARTA_CONFIG?.apiUrl ?? DEFAULT_API_URL);
const main = required("#content", HTMLElement);
const nav = required("#category-nav", HTMLElement);
const searchForm = required("#search-form", HTMLFormElement);
const searchInput = required("#search-input", HTMLInputElement);
const siteTitle = required("#site-title", HTMLAnchorElement);
const siteDescription = required("#site-description", HTMLElement);

let siteName = "Kabar Harapan";
let categories: Category[] = [];
let categoriesLoaded = false;
/** Settles (never rejects) once the category menu is known: category headings need the names. */
const categoriesReady: Promise<void> = loadCategories();
/** Bumped on every navigation so that a slow answer cannot overwrite a newer page. */
let generation = 0;

type Route =
  | { name: "home"; page: number }
  | { name: "category"; slug: string; page: number }
  | { name: "tag"; slug: string; page: number }
  | { name: "search"; query: string; page: number }
  | { name: "article"; slug: string }
  | { name: "preview"; token: string }
  | { name: "unknown" };

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function parseRoute(hash: string): Route {
  // Fragments that are not routes (the skip link's #content) show the front page.
  const target = new URL(hash.startsWith("#/") ? hash.slice(1) : "/", "http://route.invalid");
  const parts = target.pathname.split("/").filter((p) => p !== "").map(decodePart);
  const pageParam = Number.parseInt(target.searchParams.get("page") ?? "1", 10);
  const page = Number.isFinite(pageParam) && pageParam >= 1 ? pageParam : 1;
  const [first, second] = parts;
  if (first === undefined) return { name: "home", page };
  if (first === "kategori" && second !== undefined && parts.length === 2) return { name: "category", slug: second, page };
  if (first === "tag" && second !== undefined && parts.length === 2) return { name: "tag", slug: second, page };
  if (first === "cari" && parts.length === 1) return { name: "search", query: target.searchParams.get("q") ?? "", page };
  if (first === "artikel" && second !== undefined && parts.length === 2) return { name: "article", slug: second };
  if (first === "pratinjau" && second !== undefined && parts.length === 2) return { name: "preview", token: second };
  return { name: "unknown" };
}

function listHref(route: Route, page: number): string {
  const params = new URLSearchParams();
  let path = "/";
  if (route.name === "category") path = `/kategori/${encodeURIComponent(route.slug)}`;
  if (route.name === "tag") path = `/tag/${encodeURIComponent(route.slug)}`;
  if (route.name === "search") {
    path = "/cari";
    params.set("q", route.query);
  }
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return `#${path}${query === "" ? "" : `?${query}`}`;
}

const articleHref = (slug: string): string => `#/artikel/${encodeURIComponent(slug)}`;
const categoryHref = (slug: string): string => `#/kategori/${encodeURIComponent(slug)}`;
const tagHref = (slug: string): string => `#/tag/${encodeURIComponent(slug)}`;

/** The fragment being shown; with `data-state` it tells tests (and styles) when a page is complete. */
let shownHash = "";

function setState(state: "loading" | "ready" | "error", route: Route): void {
  main.dataset["state"] = state;
  main.dataset["route"] = route.name;
  main.dataset["hash"] = shownHash;
  main.setAttribute("aria-busy", state === "loading" ? "true" : "false");
}

function failure(result: Exclude<Result<unknown>, { ok: true }>, what: string): HTMLElement {
  const reason = result.kind === "network"
    ? "server berita tidak dapat dihubungi."
    : `${result.problem.title} (${result.status}): ${result.problem.detail}`;
  return h("div", { class: "error", role: "alert", "data-testid": "load-error" },
    h("p", {}, `Gagal memuat ${what}: ${reason}`),
    h("p", {}, h("a", { href: "#/" }, "Kembali ke beranda")));
}

// ---------------------------------------------------------------- chrome

async function loadSite(): Promise<void> {
  const result = await client.getSite();
  if (!result.ok) return;
  siteName = result.data.title;
  siteTitle.textContent = result.data.title;
  siteDescription.textContent = result.data.description;
  document.documentElement.lang = result.data.language;
  setLanguage(result.data.language);
}

async function loadCategories(): Promise<void> {
  const result = await client.listCategories({ per_page: 100 });
  if (!result.ok) {
    replaceChildren(nav, h("p", { class: "muted" }, "Kategori tidak dapat dimuat."));
    return;
  }
  categories = result.data.data;
  categoriesLoaded = true;
  renderNav(parseRoute(location.hash));
}

function renderNav(route: Route): void {
  const current = route.name === "category" ? route.slug : null;
  const link = (category: Category): HTMLAnchorElement =>
    h("a", {
      href: categoryHref(category.slug),
      "data-testid": "category-link",
      "data-slug": category.slug,
      "aria-current": category.slug === current ? "page" : null,
    }, category.name);
  const top = categories.filter((c) => c.parent_id === null || c.parent_id === undefined
    || !categories.some((p) => p.id === c.parent_id));
  const items = top.map((category) => {
    const children = categories.filter((c) => c.parent_id === category.id);
    return h("li", {}, link(category),
      children.length === 0 ? null : h("ul", {}, ...children.map((child) => h("li", {}, link(child)))));
  });
  replaceChildren(nav, h("ul", { class: "category-menu" },
    h("li", {}, h("a", { href: "#/", "data-testid": "home-link", "aria-current": route.name === "home" ? "page" : null }, "Terbaru")),
    ...items));
}

// ---------------------------------------------------------------- lists

/**
 * An <img> of Warta media: every variant (and the original) in `srcset`, so the browser fetches
 * the narrowest file that fills `sizes`, and the focal point kept in view when CSS crops it (set
 * through the CSSOM: the page's CSP refuses style attributes). Null when a URL is not http(s).
 */
function responsiveImage(image: FeaturedImage, sizes: string, attributes: Record<string, string>): HTMLImageElement | null {
  const original = safeHttpUrl(image.url);
  if (original === null) return null;
  const candidates = [...image.variants.map((v) => [safeHttpUrl(v.url), v.width] as const), [original, image.width] as const]
    .filter((c): c is readonly [string, number] => c[0] !== null);
  const img = h("img", {
    ...attributes,
    src: candidates[0]?.[0] ?? original,
    srcset: candidates.map(([url, width]) => `${url} ${width}w`).join(", "),
    sizes,
    width: image.width,
    height: image.height,
    alt: image.alt,
  });
  const { x, y } = image.focal_point;
  img.style.objectPosition = `${Math.round(x * 100)}% ${Math.round(y * 100)}%`;
  return img;
}

function articleCard(article: Article): HTMLElement {
  const featured = article.featured_image
    ? responsiveImage(article.featured_image, "160px", { loading: "lazy", class: "thumb", "data-testid": "card-image" })
    : null;
  const image = safeHttpUrl(article.featured_image_url);
  return h("article", { class: "card", "data-testid": "article-card", "data-slug": article.slug },
    featured !== null
      ? featured
      : image === null ? null : h("img", {
        src: image, alt: article.featured_image_alt ?? "", loading: "lazy", width: 160, height: 100, class: "thumb",
      }),
    h("div", { class: "card-text" },
      categoryLinks(article),
      h("h2", {}, h("a", { href: articleHref(article.slug), "data-testid": "article-link" }, article.title)),
      h("p", { class: "meta" },
        h("time", { datetime: article.published_at ?? "" }, formatDate(article.published_at)),
        " · ", article.author.display_name, " · ", commentCount(article.comment_count)),
      h("p", { class: "excerpt" }, article.excerpt)));
}

/** The lead image with its caption and credit, responsive when it is Warta media. */
function leadFigure(article: Article, url: string | null): HTMLElement | null {
  const featured = article.featured_image
    ? responsiveImage(article.featured_image, "(max-width: 760px) 100vw, 760px", { class: "lead", "data-testid": "lead-image" })
    : null;
  if (featured !== null && article.featured_image) {
    const { caption, credit } = article.featured_image;
    const text = [caption, credit].filter((t) => t !== "").join(" · ");
    return h("figure", {},
      featured,
      text === "" ? null : h("figcaption", {}, text));
  }
  if (url === null) return null;
  return h("figure", {},
    h("img", { src: url, alt: article.featured_image_alt ?? "", class: "lead" }),
    article.featured_image_alt ? h("figcaption", {}, article.featured_image_alt) : null);
}

function categoryLinks(article: Article): HTMLElement | null {
  if (article.categories.length === 0) return null;
  return h("ul", { class: "tags", "aria-label": "Kategori" },
    ...article.categories.map((c) =>
      h("li", {}, h("a", { href: categoryHref(c.slug), "data-testid": "card-category", "data-slug": c.slug }, c.name))));
}

function tagLinks(article: Article): HTMLElement | null {
  if (article.tags.length === 0) return null;
  return h("ul", { class: "tags topic-tags", "aria-label": "Tag", "data-testid": "article-tags" },
    ...article.tags.map((t) =>
      h("li", {}, h("a", { href: tagHref(t.slug), "data-testid": "article-tag", "data-slug": t.slug }, `#${t.name}`))));
}

function pagination(route: Route, page: ArticlePage): HTMLElement | null {
  const { meta } = page;
  if (meta.total_pages <= 1 && meta.page <= 1) return null;
  return h("nav", { class: "pagination", "aria-label": "Halaman", "data-testid": "pagination" },
    meta.page > 1
      ? h("a", { href: listHref(route, Math.min(meta.page - 1, Math.max(meta.total_pages, 1))), rel: "prev", "data-testid": "pagination-prev" },
        "← Sebelumnya")
      : h("span", { class: "disabled", "aria-hidden": "true" }, "← Sebelumnya"),
    h("span", { "data-testid": "page-indicator" }, `Halaman ${meta.page} dari ${Math.max(meta.total_pages, 1)}`),
    meta.page < meta.total_pages
      ? h("a", { href: listHref(route, meta.page + 1), rel: "next", "data-testid": "pagination-next" }, "Berikutnya →")
      : h("span", { class: "disabled", "aria-hidden": "true" }, "Berikutnya →"));
}

async function showList(route: Extract<Route, { name: "home" | "category" | "tag" | "search" }>, token: number): Promise<void> {
  const query: ListArticlesQuery = { page: route.page, per_page: PER_PAGE };
  let heading = "Berita Terbaru";
  if (route.name === "category") {
    query.category = route.slug;
    await categoriesReady;
    if (token !== generation) return;
    const category = categories.find((c) => c.slug === route.slug);
    heading = category === undefined ? `Kategori: ${route.slug}` : category.name;
  }
  let unknownTag = false;
  if (route.name === "tag") {
    query.tag = route.slug;
    const tag = await client.getTag(route.slug);
    if (token !== generation) return;
    unknownTag = !tag.ok && tag.kind === "problem" && tag.status === 404;
    heading = tag.ok ? `Tag: ${tag.data.name}` : `Tag: ${route.slug}`;
  }
  if (route.name === "search") {
    searchInput.value = route.query;
    if (route.query.trim() === "") {
      document.title = `Cari – ${siteName}`;
      replaceChildren(main, h("h1", { "data-testid": "list-heading" }, "Cari berita"),
        h("p", { "data-testid": "empty" }, "Ketik kata kunci di kotak pencarian."));
      setState("ready", route);
      return;
    }
    query.search = route.query;
    heading = `Hasil pencarian “${route.query}”`;
  }

  const result = await client.listArticles(query);
  if (token !== generation) return;
  document.title = route.name === "home" ? siteName : `${heading} – ${siteName}`;
  if (!result.ok) {
    replaceChildren(main, h("h1", { "data-testid": "list-heading" }, heading), failure(result, "daftar berita"));
    setState("error", route);
    return;
  }
  const { data, meta } = result.data;
  const summary = route.name === "search"
    ? `${meta.total} artikel ditemukan`
    : `${meta.total} artikel`;
  let body: HTMLElement;
  if (data.length === 0) {
    const unknownCategory = route.name === "category" && categoriesLoaded
      && !categories.some((c) => c.slug === route.slug);
    body = h("p", { class: "empty", "data-testid": "empty" },
      unknownCategory ? "Kategori ini tidak ada." : unknownTag ? "Tag ini tidak ada." : route.name === "search"
        ? "Tidak ada artikel yang cocok. Coba kata kunci lain."
        : "Belum ada artikel di halaman ini.");
  } else {
    body = h("ol", { class: "article-list", "data-testid": "article-list" },
      ...data.map((article) => h("li", {}, articleCard(article))));
  }
  replaceChildren(main,
    h("h1", { "data-testid": "list-heading", tabindex: -1 }, heading),
    h("p", { class: "muted", "data-testid": "list-summary" }, summary),
    body,
    pagination(route, result.data));
  setState("ready", route);
}

// ---------------------------------------------------------------- article

async function showArticle(route: Extract<Route, { name: "article" | "preview" }>, token: number): Promise<void> {
  // A preview shows the article as it is now, published or not, to whoever holds the link.
  const preview = route.name === "preview";
  const result = route.name === "preview" ? await client.getPreview(route.token) : await client.getArticle(route.slug);
  if (token !== generation) return;
  if (!result.ok) {
    const notFound = result.kind === "problem" && result.status === 404;
    document.title = `${notFound ? "Tidak ditemukan" : "Galat"} – ${siteName}`;
    replaceChildren(main, notFound
      ? h("div", { "data-testid": "not-found" },
          h("h1", {}, preview ? "Pratinjau tidak tersedia" : "Artikel tidak ditemukan"),
          h("p", {}, preview
            ? "Tautan pratinjau ini sudah kedaluwarsa atau dicabut. "
            : "Mungkin artikel ini sudah dipindahkan atau belum terbit. ", h("a", { href: "#/" }, "Kembali ke beranda")))
      : failure(result, "artikel"));
    setState("error", route);
    return;
  }
  const article = result.data;
  document.title = `${article.meta_title ?? article.title} – ${siteName}`;

  const body = h("div", { class: "article-body", "data-testid": "article-body" });
  // body_html is rendered and sanitized by Warta (no scripts, no handlers, no javascript: URLs).
  body.innerHTML = article.body_html ?? "";

  const image = safeHttpUrl(article.featured_image_url);
  const sourceUrl = safeHttpUrl(article.source_url);
  const source = article.source_name === null || article.source_name === undefined || article.source_name === ""
    ? null
    : h("p", { class: "source", "data-testid": "article-source" }, "Sumber: ",
        sourceUrl === null
          ? article.source_name
          : h("a", { href: sourceUrl, rel: "noopener noreferrer", target: "_blank" }, article.source_name));

  const banner = preview
    ? h("p", { class: "preview-banner", role: "status", "data-testid": "preview-banner" },
        article.status === "published" ? "Pratinjau: versi terkini artikel ini." : `Pratinjau: artikel ini belum terbit (${article.status}).`)
    : null;
  replaceChildren(main,
    banner,
    h("article", { class: "article", "data-testid": "article", "data-slug": article.slug, lang: article.language },
      h("header", {},
        categoryLinks(article),
        h("h1", { "data-testid": "article-title", tabindex: -1 }, article.title),
        h("p", { class: "meta", "data-testid": "article-byline" },
          "Oleh ", h("strong", {}, article.author.display_name), " · ",
          h("time", { datetime: article.published_at ?? "" }, formatDate(article.published_at)))),
      leadFigure(article, image),
      body,
      source,
      tagLinks(article),
      article.author.bio === "" ? null : h("aside", { class: "author-bio", "data-testid": "author-bio" },
        h("p", {}, h("strong", {}, article.author.display_name), " — ", article.author.bio))),
    // A draft takes no comments.
    preview ? null : commentSection(client, article));
  setState("ready", route);
}

// ---------------------------------------------------------------- router

async function render(focus: boolean): Promise<void> {
  const token = ++generation;
  shownHash = location.hash;
  const route = parseRoute(shownHash);
  setState("loading", route);
  if (categoriesLoaded) renderNav(route);
  if (route.name !== "search") searchInput.value = "";
  try {
    switch (route.name) {
      case "home":
      case "category":
      case "tag":
      case "search":
        await showList(route, token);
        break;
      case "article":
      case "preview":
        await showArticle(route, token);
        break;
      case "unknown":
        document.title = `Tidak ditemukan – ${siteName}`;
        replaceChildren(main, h("div", { "data-testid": "not-found" },
          h("h1", {}, "Halaman tidak ditemukan"), h("p", {}, h("a", { href: "#/" }, "Kembali ke beranda"))));
        setState("error", route);
        break;
    }
  } catch (error: unknown) {
    if (token !== generation) return;
    replaceChildren(main, h("div", { class: "error", role: "alert", "data-testid": "load-error" },
      h("p", {}, "Halaman ini tidak dapat ditampilkan."), h("p", {}, h("a", { href: "#/" }, "Kembali ke beranda"))));
    setState("error", route);
    throw error;
  }
  if (focus && token === generation) {
    window.scrollTo(0, 0);
    main.querySelector<HTMLElement>("h1")?.focus();
  }
}

searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = searchInput.value.trim();
  location.hash = listHref({ name: "search", query, page: 1 }, 1);
});

window.addEventListener("hashchange", () => {
  // In-page anchors such as the skip link (#content) are not routes.
  if (location.hash === "" || location.hash.startsWith("#/")) void render(true);
});

void loadSite();
void render(false);
