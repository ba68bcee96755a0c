//! Reader search input turned into a safe full-text query: every word is quoted, so that
//! quotes, `*`, `-`, `NEAR`, `AND`, parentheses or SQL in the input are searched as text and
//! can never break the query; the last word matches as a prefix for search-as-you-type.

/// The longest search text accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most words a search uses.
pub const MAX_TERMS: usize = 12;

/// An FTS5 `MATCH` expression built from `input`, or why there is none. Input without a
/// letter or digit (only punctuation) gives the empty expression, which matches nothing.
pub fn fts_query(input: &str) -> Result<String, String> {
    if input.chars().count() > MAX_SEARCH_CHARS {
        return Err(format!("must be at most {MAX_SEARCH_CHARS} characters"));
    }
    let words: Vec<&str> =
        input.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(MAX_TERMS).collect();
    let Some((last, first)) = words.split_last() else {
        return Ok(String::new());
    };
    // Words are alphanumeric only, so quoting needs no escaping; the prefix star sits
    // outside the quotes, where FTS5 reads it as "starts with".
    let mut query: Vec<String> = first.iter().map(|w| format!("\"{w}\"")).collect();
    query.push(format!("\"{last}\"*"));
    Ok(query.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(fts_query("harga kopi").unwrap(), r#""harga" "kopi"*"#);
        assert_eq!(fts_query("  Kafé ").unwrap(), r#""Kafé"*"#);
    }

    #[test]
    fn hostile_syntax_becomes_plain_words() {
        assert_eq!(fts_query(r#""unterminated"#).unwrap(), r#""unterminated"*"#);
        assert_eq!(fts_query("kopi NEAR(teh) AND -susu*").unwrap(), r#""kopi" "NEAR" "teh" "AND" "susu"*"#);
        assert_eq!(fts_query("'; DROP TABLE articles; --").unwrap(), r#""DROP" "TABLE" "articles"*"#);
        assert_eq!(fts_query("(((").unwrap(), "");
    }

    #[test]
    fn long_input_is_refused_and_many_words_are_capped() {
        assert!(fts_query(&"a".repeat(201)).is_err());
        let many = fts_query(&"kata ".repeat(30)).unwrap();
        assert_eq!(many.matches("\"kata\"").count(), MAX_TERMS);
    }
}
