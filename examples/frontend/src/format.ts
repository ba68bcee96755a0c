// Dates and counts in the site's language.

let language = "id";

export function setLanguage(tag: string): void {
  try {
    // Throws a RangeError for a tag the browser cannot use.
    new Intl.DateTimeFormat(tag);
    language = tag;
  } catch {
    language = "id";
  }
}

export function formatDate(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(language, { dateStyle: "long", timeStyle: "short" }).format(date);
}

export function commentCount(count: number): string {
  return count === 0 ? "Belum ada komentar" : `${count} komentar`;
}
