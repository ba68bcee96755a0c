// The comment section of an article: approved comments as threads, and the
// public comment form with its honeypot and the server's field messages.

import type { Article, Comment, NewComment, WartaClient } from "./api.js";
import { h, replaceChildren, safeHttpUrl } from "./dom.js";
import { formatDate } from "./format.js";

const COMMENTS_PER_PAGE = 50;

/** The fields a reader fills in, in the order of the form. */
const FIELDS = [
  { name: "body", label: "Komentar", required: true },
  { name: "author_name", label: "Nama", required: true },
  { name: "author_email", label: "Email", required: true },
  { name: "author_url", label: "Situs web", required: false },
] as const satisfies ReadonlyArray<{ name: keyof NewComment; label: string; required: boolean }>;

type FieldName = (typeof FIELDS)[number]["name"];

export function commentSection(client: WartaClient, article: Article): HTMLElement {
  const heading = h("h2", { id: "comments-heading", "data-testid": "comments-heading" }, "Komentar");
  const list = h("ol", { class: "comment-list", "data-testid": "comment-list" });
  const empty = h("p", { class: "muted", "data-testid": "comments-empty", hidden: true }, "Belum ada komentar.");
  const status = h("p", { class: "muted", role: "status", "data-testid": "comments-status" }, "Memuat komentar…");
  const more = h("button", { type: "button", class: "secondary", "data-testid": "comments-more", hidden: true },
    "Muat komentar lainnya");
  const section = h("section", { class: "comments", "aria-labelledby": "comments-heading", "data-testid": "comments" },
    heading, status, list, empty, more);

  const loaded: Comment[] = [];
  let page = 0;

  const form = article.comment_status === "open" ? commentForm(client, article) : null;

  async function loadMore(): Promise<void> {
    more.disabled = true;
    const result = await client.listComments(article.slug, { page: page + 1, per_page: COMMENTS_PER_PAGE });
    more.disabled = false;
    if (!result.ok) {
      status.textContent = result.kind === "network"
        ? "Komentar tidak dapat dimuat: server tidak terjangkau."
        : `Komentar tidak dapat dimuat: ${result.problem.detail}`;
      status.hidden = false;
      return;
    }
    page = result.data.meta.page;
    loaded.push(...result.data.data);
    status.hidden = true;
    const total = result.data.meta.total;
    heading.textContent = total === 0 ? "Komentar" : `${total} Komentar`;
    empty.hidden = total !== 0;
    more.hidden = page >= result.data.meta.total_pages;
    renderThreads(list, loaded, form === null ? null : (comment) => {
      form.startReply({ id: comment.id, name: comment.author_name });
    });
  }

  more.addEventListener("click", () => { void loadMore(); });
  void loadMore();

  if (form === null) {
    section.append(h("p", { class: "notice", "data-testid": "comments-closed" }, "Komentar untuk artikel ini ditutup."));
  } else {
    section.append(form.element);
  }
  return section;
}

function renderThreads(list: HTMLOListElement, comments: readonly Comment[], onReply: ((c: Comment) => void) | null): void {
  const byId = new Map<number, Comment>(comments.map((c) => [c.id, c]));
  const children = new Map<number | null, Comment[]>();
  for (const comment of comments) {
    // A reply whose parent is not on the loaded pages is shown at the top level.
    const parent = comment.parent_id !== null && comment.parent_id !== undefined && byId.has(comment.parent_id)
      ? comment.parent_id
      : null;
    const siblings = children.get(parent) ?? [];
    siblings.push(comment);
    children.set(parent, siblings);
  }

  const renderLevel = (parent: number | null): HTMLLIElement[] =>
    (children.get(parent) ?? []).map((comment) => {
      const item = commentItem(comment, onReply);
      const replies = renderLevel(comment.id);
      if (replies.length > 0) {
        item.append(h("ol", { class: "replies" }, ...replies));
      }
      return item;
    });

  replaceChildren(list, ...renderLevel(null));
}

function commentItem(comment: Comment, onReply: ((c: Comment) => void) | null): HTMLLIElement {
  const website = safeHttpUrl(comment.author_url);
  // author_name and body are plain text written by readers: text nodes only.
  const name = website === null
    ? h("strong", { "data-testid": "comment-author" }, comment.author_name)
    : h("strong", { "data-testid": "comment-author" },
        h("a", { href: website, rel: "nofollow ugc noopener noreferrer", target: "_blank" }, comment.author_name));
  const body = h("p", { class: "comment-body", "data-testid": "comment-text" });
  body.textContent = comment.body;
  const replyButton = onReply === null
    ? null
    : h("button", { type: "button", class: "link", "data-testid": "comment-reply" }, "Balas");
  replyButton?.addEventListener("click", () => onReply?.(comment));
  return h("li", { "data-testid": "comment", "data-comment-id": comment.id },
    h("article", { class: "comment" },
      h("header", {}, name, " ", h("time", { datetime: comment.created_at, class: "muted" }, formatDate(comment.created_at))),
      body,
      replyButton));
}

interface ReplyTarget { id: number; name: string }

interface CommentForm {
  element: HTMLElement;
  startReply(target: ReplyTarget): void;
}

function commentForm(client: WartaClient, article: Article): CommentForm {
  let replyTo: ReplyTarget | null = null;

  const inputs = new Map<FieldName, HTMLInputElement | HTMLTextAreaElement>();
  const errors = new Map<FieldName, HTMLElement>();
  const rows = FIELDS.map((field) => {
    const id = `comment-${field.name}`;
    const errorId = `error-${field.name}`;
    const control = field.name === "body"
      ? h("textarea", { id, name: field.name, rows: 6, maxlength: 5000, required: field.required })
      : h("input", {
          id,
          name: field.name,
          type: field.name === "author_email" ? "email" : field.name === "author_url" ? "url" : "text",
          autocomplete: field.name === "author_name" ? "name" : field.name === "author_email" ? "email" : "url",
          maxlength: field.name === "author_name" ? 100 : field.name === "author_email" ? 254 : 2048,
          required: field.required,
        });
    control.setAttribute("data-testid", id);
    control.setAttribute("aria-describedby", errorId);
    const error = h("span", { id: errorId, class: "field-error", "data-testid": errorId, hidden: true });
    inputs.set(field.name, control);
    errors.set(field.name, error);
    return h("p", { class: "field" },
      h("label", { for: id }, field.label, field.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
      control,
      error);
  });

  // The honeypot: invisible and unreachable for people, tempting for bots.
  const honeypot = h("input", {
    id: "comment-website", name: "website", type: "text", tabindex: -1, autocomplete: "off",
    "data-testid": "comment-website",
  });
  const trap = h("div", { class: "hp", "aria-hidden": "true" },
    h("label", { for: "comment-website" }, "Jangan isi ruas ini"), honeypot);

  const replyNote = h("p", { class: "reply-note", "data-testid": "comment-replying", hidden: true });
  const formError = h("p", { class: "form-error", role: "alert", "data-testid": "comment-form-error", hidden: true });
  const success = h("p", { class: "success", role: "status", "data-testid": "comment-status", hidden: true });
  const submit = h("button", { type: "submit", "data-testid": "comment-submit" }, "Kirim Komentar");

  const form = h("form", { class: "comment-form", "data-testid": "comment-form", novalidate: true, "aria-labelledby": "reply-title" },
    h("h3", { id: "reply-title" }, "Tinggalkan Balasan"),
    h("p", { class: "muted", "data-testid": "comment-privacy" },
      "Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib ditandai *"),
    replyNote,
    ...rows,
    trap,
    formError,
    h("p", {}, submit),
    success);

  function setReply(target: ReplyTarget | null): void {
    replyTo = target;
    if (target === null) {
      replyNote.hidden = true;
      replyNote.replaceChildren();
      return;
    }
    const cancel = h("button", { type: "button", class: "link", "data-testid": "comment-reply-cancel" }, "Batal");
    cancel.addEventListener("click", () => setReply(null));
    replaceChildren(replyNote, `Membalas ${target.name} `, cancel);
    replyNote.hidden = false;
  }

  function clearMessages(): void {
    for (const [name, error] of errors) {
      error.hidden = true;
      error.textContent = "";
      inputs.get(name)?.removeAttribute("aria-invalid");
    }
    formError.hidden = true;
    formError.textContent = "";
    success.hidden = true;
  }

  function value(name: FieldName): string {
    return inputs.get(name)?.value.trim() ?? "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });

  async function send(): Promise<void> {
    clearMessages();
    const request: NewComment = {
      author_name: value("author_name"),
      author_email: value("author_email"),
      body: inputs.get("body")?.value ?? "",
    };
    const url = value("author_url");
    if (url !== "") request.author_url = url;
    if (replyTo !== null) request.parent_id = replyTo.id;
    if (honeypot.value !== "") request.website = honeypot.value;

    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    const result = await client.createComment(article.slug, request);
    submit.disabled = false;
    form.removeAttribute("aria-busy");

    if (result.ok) {
      success.textContent = result.data.status === "approved"
        ? "Terima kasih! Komentar Anda sudah terbit."
        : "Terima kasih! Komentar Anda menunggu moderasi dan akan tampil setelah disetujui redaksi.";
      success.hidden = false;
      success.dataset["commentId"] = String(result.data.id);
      const body = inputs.get("body");
      if (body !== undefined) body.value = "";
      setReply(null);
      return;
    }
    if (result.kind === "network") {
      showFormError("Komentar gagal dikirim: server tidak terjangkau. Coba lagi sebentar lagi.");
      return;
    }
    const { problem } = result;
    if (result.status === 429) {
      const wait = result.retryAfter === null ? "" : ` dalam ${result.retryAfter} detik`;
      showFormError(`Terlalu banyak komentar dari alamat Anda. Coba lagi${wait}.`);
      return;
    }
    if (result.status === 403) {
      showFormError("Komentar untuk artikel ini sudah ditutup.");
      return;
    }
    const unplaced: string[] = [];
    let firstInvalid: HTMLElement | null = null;
    for (const [field, messages] of Object.entries(problem.errors ?? {})) {
      const error = errors.get(field as FieldName);
      const input = inputs.get(field as FieldName);
      if (error === undefined || input === undefined) {
        unplaced.push(`${field}: ${messages.join(", ")}`);
        continue;
      }
      error.textContent = messages.join("; ");
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      firstInvalid ??= input;
    }
    if (unplaced.length > 0 || firstInvalid === null) {
      showFormError(["Komentar belum dapat dikirim.", problem.detail, ...unplaced].join(" "));
    }
    firstInvalid?.focus();
  }

  function showFormError(message: string): void {
    formError.textContent = message;
    formError.hidden = false;
  }

  return {
    element: form,
    startReply(target) {
      setReply(target);
      inputs.get("body")?.focus();
    },
  };
}
