//! Reader search input turned into safe full-text queries: every word is quoted, so that
//! quotes, `*`, `-`, `NEAR`, `AND`, parentheses or SQL in the input are searched as text and
//! can never break the query; the last word matches as a prefix for search-as-you-type, once
//! it has two characters (a one-letter prefix matches nearly every article: a scan of the
//! whole index that helps no reader).
//!
//! Relevance comes in two tiers: articles whose title holds one of the words come first,
//! the rest after them, each tier ordered by bm25 (title > excerpt > body). That is what
//! "a title match outranks a body match" means to a reader, and it lets a page of results
//! be ranked from the (small) title tier alone when that tier fills the page.

use unicode_segmentation::UnicodeSegmentation;

/// The longest search text accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most words a search uses.
pub const MAX_TERMS: usize = 12;
/// The shortest last word that matches as a prefix.
pub const MIN_PREFIX_CHARS: usize = 2;
/// The most matches a search lists, as search engines do: its count stops there (`meta.total`
/// at most this, `meta.total_exact` false when there are more) and pages past them are empty,
/// so that a word found in every article costs what a page costs, not what the archive does.
pub const MAX_RESULTS: i64 = 1_000;

/// Which matches of a search a statement reads: the two relevance tiers, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Every match.
    All,
    /// Matches with one of the words in the title.
    Title,
    /// The other matches.
    Body,
}

/// A reader's search, as words: all must match, the last as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    words: Vec<String>,
}

/// The words of `input`: runs of letters and digits of any script, with the marks that belong
/// to them (a virama or vowel sign attaches to the letter before it, by Unicode's grapheme
/// rules), so that "हिन्दी" is one word, as both indexes see it, not the pieces between its
/// signs. Everything else separates words, as it does in the indexed text (PostgreSQL's
/// `warta_search_text` and FTS5's tokenizer): `kompas.com` is `kompas` and `com`, and no word
/// holds a quote or backslash. Marks at the start of a piece have nothing to attach to and are
/// dropped; a piece of marks alone is no word (it would be a word that one backend ignores and
/// the other requires, so that the whole search matches nothing there).
///
/// Not UAX #29's word boundaries: they keep `3.5` and `kompas.com` whole and cut a run of
/// ideographs into single characters, where both indexes do the opposite.
fn words(input: &str) -> impl Iterator<Item = &str> {
    input
        .split(|c: char| !(c.is_alphanumeric() || attaches_to_previous(c)))
        .map(|piece| piece.trim_start_matches(attaches_to_previous))
        .filter(|word| !word.is_empty())
}

/// Whether `c` joins the character before it into one grapheme (a combining mark, a vowel
/// sign, a joiner), by the grapheme rules of UAX #29 (unicode-segmentation's tables).
fn attaches_to_previous(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    // `a` and `c` side by side, on the stack: this runs for every non-ASCII character searched.
    let mut pair = [0u8; 5];
    pair[0] = b'a';
    let len = 1 + c.encode_utf8(&mut pair[1..]).len();
    std::str::from_utf8(&pair[..len]).is_ok_and(|pair| pair.graphemes(true).nth(1).is_none())
}

impl SearchQuery {
    /// Reads search input, or says why it is refused. Input without a word (only punctuation,
    /// or marks with nothing to attach to) gives a query without words, which matches nothing.
    pub fn parse(input: &str) -> Result<SearchQuery, String> {
        if input.chars().count() > MAX_SEARCH_CHARS {
            return Err(format!("must be at most {MAX_SEARCH_CHARS} characters"));
        }
        let words = words(input).take(MAX_TERMS).map(str::to_owned).collect();
        Ok(SearchQuery { words })
    }

    /// True when there is nothing to search for (the query matches nothing).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words as FTS5 phrases: quoted (a word holds no quote or backslash, so quoting needs no escaping),
    /// the last with the prefix star outside the quotes, where FTS5 reads it as "starts with".
    fn phrases(&self) -> impl Iterator<Item = String> + '_ {
        let last = self.words.len().saturating_sub(1);
        self.words.iter().enumerate().map(move |(i, w)| {
            if i == last && w.chars().count() >= MIN_PREFIX_CHARS {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
    }

    /// The FTS5 expression of the matches of `tier`.
    pub fn fts5(&self, tier: Tier) -> String {
        match tier {
            Tier::All => self.all_words(),
            Tier::Title => self.title_tier(),
            Tier::Body => self.body_tier(),
        }
    }

    /// The PostgreSQL tsquery of the matches of `tier`.
    pub fn tsquery(&self, tier: Tier) -> String {
        match tier {
            Tier::All => self.ts_all_words(),
            Tier::Title => self.ts_title_tier(),
            Tier::Body => self.ts_body_tier(),
        }
    }

    /// The FTS5 expression every result matches: all words, in any column.
    pub fn all_words(&self) -> String {
        self.phrases().collect::<Vec<_>>().join(" ")
    }

    /// The FTS5 expression of the first tier: all words, and one of them in the title.
    pub fn title_tier(&self) -> String {
        format!("({}) AND ({})", self.all_words(), self.in_title())
    }

    /// The FTS5 expression of the second tier: all words, none in the title.
    pub fn body_tier(&self) -> String {
        format!("({}) NOT ({})", self.all_words(), self.in_title())
    }

    fn in_title(&self) -> String {
        format!("{{title}}: ({})", self.phrases().collect::<Vec<_>>().join(" OR "))
    }

    /// The words as PostgreSQL tsquery lexemes, each restricted to `weights` (`""`: any):
    /// quoted (a word holds no quote or backslash, so quoting needs no escaping), the last with `:*` for
    /// "starts with" under the same rule as [`SearchQuery::all_words`].
    fn lexemes<'a>(&'a self, weights: &'a str) -> impl Iterator<Item = String> + 'a {
        let last = self.words.len().saturating_sub(1);
        self.words.iter().enumerate().map(move |(i, w)| {
            let prefix = if i == last && w.chars().count() >= MIN_PREFIX_CHARS { "*" } else { "" };
            if prefix.is_empty() && weights.is_empty() {
                format!("'{w}'")
            } else {
                format!("'{w}':{prefix}{weights}")
            }
        })
    }

    /// The tsquery every result matches: all words, anywhere (title A, excerpt B, body D).
    pub fn ts_all_words(&self) -> String {
        self.lexemes("").collect::<Vec<_>>().join(" & ")
    }

    /// The tsquery of the first tier: all words, and one of them in the title.
    pub fn ts_title_tier(&self) -> String {
        format!("({}) & ({})", self.ts_all_words(), self.ts_in_title())
    }

    /// The tsquery of the second tier: all words, none in the title.
    pub fn ts_body_tier(&self) -> String {
        format!("({}) & !({})", self.ts_all_words(), self.ts_in_title())
    }

    fn ts_in_title(&self) -> String {
        self.lexemes("A").collect::<Vec<_>>().join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> String {
        SearchQuery::parse(input).unwrap().all_words()
    }

    #[test]
    fn words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(all("harga kopi"), r#""harga" "kopi"*"#);
        assert_eq!(all("  Kafé "), r#""Kafé"*"#);
    }

    #[test]
    fn a_one_letter_last_word_is_a_whole_word_not_a_prefix() {
        assert_eq!(all("vitamin c"), r#""vitamin" "c""#);
        assert_eq!(all("é"), r#""é""#);
        assert_eq!(all("ab"), r#""ab"*"#);
    }

    #[test]
    fn tiers_split_on_the_title() {
        let q = SearchQuery::parse("harga kopi").unwrap();
        assert_eq!(q.title_tier(), r#"("harga" "kopi"*) AND ({title}: ("harga" OR "kopi"*))"#);
        assert_eq!(q.body_tier(), r#"("harga" "kopi"*) NOT ({title}: ("harga" OR "kopi"*))"#);
    }

    #[test]
    fn postgresql_tiers_split_on_the_title_weight() {
        let q = SearchQuery::parse("harga kopi").unwrap();
        assert_eq!(q.ts_all_words(), "'harga' & 'kopi':*");
        assert_eq!(q.ts_title_tier(), "('harga' & 'kopi':*) & ('harga':A | 'kopi':*A)");
        assert_eq!(q.ts_body_tier(), "('harga' & 'kopi':*) & !('harga':A | 'kopi':*A)");
        assert_eq!(SearchQuery::parse("vitamin c").unwrap().ts_all_words(), "'vitamin' & 'c'");
    }

    #[test]
    fn hostile_syntax_becomes_plain_words() {
        assert_eq!(all(r#""unterminated"#), r#""unterminated"*"#);
        assert_eq!(all("kopi NEAR(teh) AND -susu*"), r#""kopi" "NEAR" "teh" "AND" "susu"*"#);
        assert_eq!(all("'; DROP TABLE articles; --"), r#""DROP" "TABLE" "articles"*"#);
        assert!(SearchQuery::parse("(((").unwrap().is_empty());
    }

    #[test]
    fn words_keep_the_marks_of_every_script() {
        // Devanagari: the vowel signs and the virama belong to the word.
        assert_eq!(all("berita हिन्दी"), "\"berita\" \"हिन्दी\"*");
        // Hangul, a run of ideographs, and Latin with a decomposed accent stay whole.
        assert_eq!(all("한국어 中文新闻 cafe\u{301}"), "\"한국어\" \"中文新闻\" \"cafe\u{301}\"*");
        // A mark with nothing before it is no word, alone or beside others.
        assert!(SearchQuery::parse("\u{93F}").unwrap().is_empty());
        assert!(SearchQuery::parse("\u{301}\u{301}").unwrap().is_empty());
        assert_eq!(all("harga \u{93F}"), "\"harga\"*");
        assert_eq!(all("\u{301}harga"), "\"harga\"*");
    }

    #[test]
    fn punctuation_inside_words_splits_them_as_the_indexes_do() {
        assert_eq!(all("don't"), "\"don\" \"t\"");
        assert_eq!(all("don\u{2019}t"), "\"don\" \"t\"");
        assert_eq!(SearchQuery::parse("jum'at").unwrap().ts_all_words(), "'jum' & 'at':*");
        assert_eq!(all("3.14 kompas.com _harga"), "\"3\" \"14\" \"kompas\" \"com\" \"harga\"*");
    }

    #[test]
    fn long_input_is_refused_and_many_words_are_capped() {
        assert!(SearchQuery::parse(&"a".repeat(201)).is_err());
        let many = all(&"kata ".repeat(30));
        assert_eq!(many.matches("\"kata\"").count(), MAX_TERMS);
    }
}
