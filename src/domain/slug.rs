//! Slugs: lowercase ASCII words joined by single hyphens, made from titles by transliteration.

use std::fmt;

/// The longest slug we make from a title; longer titles are cut at a word boundary.
pub const MAX_SLUG_LEN: usize = 120;

/// The slug rule as a JSON Schema pattern (for the OpenAPI document): words of `[a-z0-9]`
/// joined by single hyphens, never one word of digits only (a path's number is an id).
pub const SLUG_PATTERN: &str = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$";

/// A valid slug: `[a-z0-9]+(-[a-z0-9]+)*`, and not only digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Accepts `s` only when it already is a valid slug.
    pub fn parse(s: &str) -> Result<Slug, String> {
        if !is_valid(s) {
            Err("must be lowercase ASCII letters and digits in words joined by single hyphens, e.g. `luar-negeri`"
                .into())
        } else if is_number(s) {
            Err("must not be only digits: a number in a path is an id (`2024-1`, `pemilu-2024` are slugs)".into())
        } else {
            Ok(Slug(s.to_owned()))
        }
    }

    /// Makes a slug from a title by transliteration ("Kafé di São Paulo" -> `kafe-di-sao-paulo`).
    /// A title with nothing to transliterate (only symbols or emoji) gets `fallback`; one of
    /// digits only makes a base that [`Slug::first_free`] always suffixes.
    pub fn from_title(title: &str, fallback: &str) -> Slug {
        let mut made = slug::slugify(title);
        if made.len() > MAX_SLUG_LEN {
            let cut = made[..MAX_SLUG_LEN].rfind('-').unwrap_or(MAX_SLUG_LEN);
            made.truncate(cut);
        }
        // Digits only stay as the base here: `first_free` never hands them out bare.
        if is_slug_shaped(&made) {
            Slug(made)
        } else {
            Slug(fallback.to_owned())
        }
    }

    /// The slug with a numeric suffix, for clashes: `kopi` -> `kopi-2`.
    pub fn with_suffix(&self, n: u32) -> Slug {
        Slug(format!("{}-{n}", self.0))
    }

    /// This slug if no one has it, else the first of `-2`, `-3`... that is free. A title of
    /// digits only ("2024") never gets its bare number, which would read as an id: it starts
    /// at `-1` (`2024-1`, `2024-2`...). `taken` holds the slugs in use that start with this one.
    pub fn first_free(&self, taken: &[String]) -> Slug {
        let is_taken = |candidate: &Slug| taken.iter().any(|s| s == candidate.as_str());
        let number = is_number(&self.0);
        if !number && !is_taken(self) {
            return self.clone();
        }
        // taken.len() + 2 suffixes cannot all be taken: one of them is free.
        (if number { 1 } else { 2 }..=taken.len() as u32 + 2)
            .map(|n| self.with_suffix(n))
            .find(|candidate| !is_taken(candidate))
            .unwrap_or_else(|| self.with_suffix(taken.len() as u32 + 2))
    }

    /// The bounds of the slugs that start with this one and a hyphen, this one included:
    /// every `s` with `low <= s < high`. Slugs hold only `[a-z0-9-]` and `-` is the smallest of
    /// them, so nothing else sorts between (`kopi` <= `kopi-2` < `kopi.` < `kopi0` < `kopia`).
    /// An index answers it as one range, where `LIKE 'kopi-%'` reads the whole index.
    pub fn family_range(&self) -> (String, String) {
        (self.0.clone(), format!("{}.", self.0))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `text` folded as slugs fold it (transliterated, lower-cased words joined by hyphens), to
/// match names whatever their accents and case: "São Paulo" and "sao paulo" both give `sao-paulo`.
pub fn fold(text: &str) -> String {
    slug::slugify(text)
}

/// Whether `s` is one word of digits, which a path reads as an id.
fn is_number(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` matches `[a-z0-9]+(-[a-z0-9]+)*` and is not only digits (see [`SLUG_PATTERN`]).
pub fn is_valid(s: &str) -> bool {
    is_slug_shaped(s) && !is_number(s)
}

/// Whether `s` matches `[a-z0-9]+(-[a-z0-9]+)*`.
fn is_slug_shaped(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_range_holds_the_slug_and_its_hyphenated_kin_only() {
        let (low, high) = Slug::parse("kopi").unwrap().family_range();
        let within = |s: &str| low.as_str() <= s && s < high.as_str();
        assert!(within("kopi") && within("kopi-2") && within("kopi-tubruk") && within("kopi-99-x"));
        assert!(!within("kop") && !within("kopia") && !within("kopi0") && !within("kopj"));
    }

    #[test]
    fn indonesian_titles_become_their_words() {
        let slug = Slug::from_title("Perusahaan Ekspor Kopi Kini Ramai", "article");
        assert_eq!(slug.as_str(), "perusahaan-ekspor-kopi-kini-ramai");
    }

    #[test]
    fn accents_are_transliterated() {
        assert_eq!(
            Slug::from_title("Kafé di São Paulo – Rp 5 Triliun!", "x").as_str(),
            "kafe-di-sao-paulo-rp-5-triliun"
        );
    }

    #[test]
    fn a_title_of_symbols_gets_the_fallback() {
        assert_eq!(Slug::from_title("!!! ??? ***", "article-17").as_str(), "article-17");
    }

    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let slug = Slug::from_title(&"berita ".repeat(40), "x");
        assert!(slug.as_str().len() <= MAX_SLUG_LEN);
        assert!(is_valid(slug.as_str()));
        assert!(slug.as_str().ends_with("berita"));
    }

    #[test]
    fn only_well_formed_slugs_parse() {
        assert!(Slug::parse("dalam-negeri").is_ok());
        assert!(Slug::parse("a1-b2").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é", "../etc"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn a_slug_is_never_only_digits() {
        assert!(Slug::parse("2024").is_err());
        assert!(Slug::parse("2024-1").is_ok() && Slug::parse("pemilu-2024").is_ok() && Slug::parse("g20").is_ok());
        let year = Slug::from_title("2024", "article");
        assert_eq!(year.first_free(&[]).as_str(), "2024-1");
        assert_eq!(year.first_free(&["2024-1".into()]).as_str(), "2024-2");
    }

    #[test]
    fn the_openapi_pattern_and_the_code_agree() {
        let pattern = regex_lite::Regex::new(SLUG_PATTERN).unwrap();
        // Every string of up to four characters over the slug alphabet and one stranger.
        let alphabet = ['a', 'z', '0', '9', '-', 'A'];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> =
                strings.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            strings.extend(longer);
        }
        for s in &strings {
            assert_eq!(pattern.is_match(s), is_valid(s), "{s:?}");
        }
    }

    #[test]
    fn clashes_get_the_first_free_suffix() {
        let kopi = Slug::parse("kopi").unwrap();
        assert_eq!(kopi.first_free(&[]).as_str(), "kopi");
        assert_eq!(kopi.first_free(&["kopi-2".into()]).as_str(), "kopi");
        assert_eq!(kopi.first_free(&["kopi".into()]).as_str(), "kopi-2");
        assert_eq!(kopi.first_free(&["kopi".into(), "kopi-2".into(), "kopi-4".into()]).as_str(), "kopi-3");
    }
}
