// The typed client of the Warta API.
//
// Every type below is derived from `src/generated/api.d.ts`, which
// `openapi-typescript` generates from the server's OpenAPI document
// (`npm run gen`). When the API changes (a field is renamed, a parameter
// disappears, a response changes shape), `tsc --noEmit` fails here or where
// the pages use these types, before any reader sees a broken page.

import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];

export type Article = Schemas["ArticleResponse"];
export type ArticlePage = Schemas["Paginated_ArticleResponse"];
export type FeaturedImage = Schemas["FeaturedImageResponse"];
export type Category = Schemas["CategoryResponse"];
export type CategoryPage = Schemas["Paginated_CategoryResponse"];
export type CategoryRef = Schemas["CategoryRefResponse"];
export type Comment = Schemas["PublicCommentResponse"];
export type CommentPage = Schemas["Paginated_PublicCommentResponse"];
export type NewComment = Schemas["CreateCommentRequest"];
export type PageMeta = Schemas["PageMeta"];
export type Problem = Schemas["Problem"];
export type Site = Schemas["SiteResponse"];
export type Tag = Schemas["TagResponse"];

// Operations, addressed by path and method as the document names them.
type ListArticles = paths["/api/v1/articles"]["get"];
type GetArticle = paths["/api/v1/articles/{id_or_slug}"]["get"];
type ArticleComments = paths["/api/v1/articles/{id_or_slug}/comments"];
type ListComments = ArticleComments["get"];
type CreateComment = ArticleComments["post"];
type ListCategories = paths["/api/v1/categories"]["get"];
type GetTag = paths["/api/v1/tags/{id_or_slug}"]["get"];
type GetSite = paths["/api/v1/site"]["get"];
type GetPreview = paths["/api/v1/preview/{token}"]["get"];

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;

export type ListArticlesQuery = NonNullable<ListArticles["parameters"]["query"]>;
export type ListCommentsQuery = NonNullable<ListComments["parameters"]["query"]>;
export type ListCategoriesQuery = NonNullable<ListCategories["parameters"]["query"]>;
type ArticleSlug = GetArticle["parameters"]["path"]["id_or_slug"];
type TagSlug = GetTag["parameters"]["path"]["id_or_slug"];
type PreviewToken = GetPreview["parameters"]["path"]["token"];
type CommentArticleSlug = CreateComment["parameters"]["path"]["id_or_slug"];
type CreateCommentBody = JsonOf<CreateComment["requestBody"]>;

// The pages rely on these being exactly the shared schemas: if the document
// ever gives an operation its own shape, these assertions stop compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<JsonOf<ListArticles["responses"][200]>, ArticlePage>,
  Same<JsonOf<GetArticle["responses"][200]>, Article>,
  Same<JsonOf<ListComments["responses"][200]>, CommentPage>,
  Same<JsonOf<CreateComment["responses"][201]>, Comment>,
  Same<JsonOf<ListCategories["responses"][200]>, CategoryPage>,
  Same<JsonOf<GetSite["responses"][200]>, Site>,
  Same<JsonOf<GetTag["responses"][200]>, Tag>,
  Same<JsonOf<GetPreview["responses"][200]>, Article>,
  Same<CreateCommentBody, NewComment>,
] = [true, true, true, true, true, true, true, true, true];
void sameShapes;

/** What a call gives back: the data, or why there is none. */
export type Result<T> =
  | { ok: true; data: T }
  | { ok: false; kind: "problem"; status: number; problem: Problem; retryAfter: number | null }
  | { ok: false; kind: "network"; message: string };

type QueryValue = string | number | boolean | null | undefined;

function queryString(query: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record["status"] === "number" && typeof record["title"] === "string";
}

export class WartaClient {
  readonly #base: string;

  /** `baseUrl` is the server's origin (and any prefix), without `/api/v1`. */
  constructor(baseUrl: string) {
    this.#base = `${baseUrl.replace(/\/+$/, "")}/api/v1`;
  }

  listArticles(query: ListArticlesQuery): Promise<Result<ArticlePage>> {
    return this.#request(`/articles${queryString(query)}`);
  }

  getArticle(slug: ArticleSlug): Promise<Result<Article>> {
    return this.#request(`/articles/${encodeURIComponent(slug)}`);
  }

  listComments(slug: ArticleSlug, query: ListCommentsQuery): Promise<Result<CommentPage>> {
    return this.#request(`/articles/${encodeURIComponent(slug)}/comments${queryString(query)}`);
  }

  createComment(slug: CommentArticleSlug, body: CreateCommentBody): Promise<Result<Comment>> {
    return this.#request(`/articles/${encodeURIComponent(slug)}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  listCategories(query: ListCategoriesQuery): Promise<Result<CategoryPage>> {
    return this.#request(`/categories${queryString(query)}`);
  }

  getTag(slug: TagSlug): Promise<Result<Tag>> {
    return this.#request(`/tags/${encodeURIComponent(slug)}`);
  }

  /** The article a preview token shows, as it is now (a draft too). */
  getPreview(token: PreviewToken): Promise<Result<Article>> {
    return this.#request(`/preview/${encodeURIComponent(token)}`);
  }

  getSite(): Promise<Result<Site>> {
    return this.#request("/site");
  }

  async #request<T>(path: string, init: RequestInit = {}): Promise<Result<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        ...init,
        headers: { Accept: "application/json, application/problem+json", ...init.headers },
      });
    } catch (error: unknown) {
      // Network failures and CORS refusals both land here.
      return { ok: false, kind: "network", message: error instanceof Error ? error.message : String(error) };
    }
    let payload: unknown = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    if (response.ok) {
      return { ok: true, data: payload as T };
    }
    const retry = response.headers.get("Retry-After");
    const retrySeconds = retry === null ? Number.NaN : Number.parseInt(retry, 10);
    const problem: Problem = isProblem(payload)
      ? payload
      : {
          type: "about:blank",
          title: response.statusText || "Error",
          status: response.status,
          detail: `HTTP ${response.status}`,
        };
    return {
      ok: false,
      kind: "problem",
      status: response.status,
      problem,
      retryAfter: Number.isFinite(retrySeconds) ? retrySeconds : null,
    };
  }
}
