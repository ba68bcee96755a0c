//! How deeply an article body nests, measured in time proportional to its length, so that a
//! body too deep to render in bounded time is refused before it is rendered.
//!
//! Markdown parsing (pulldown-cmark) is linear. The sanitizer's HTML parser (html5ever,
//! inside ammonia) is not: every block element's start tag scans the stack of open
//! elements, so its time grows with the length times the depth. Measured on a debug build:
//! 16,000 nested quotes took 2 s to sanitize, 16,000 nested ordered lists 8.6 s, 16,000 raw
//! `<div>`s 2 s; quadrupling the depth costs sixteen times as much.

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, Tracer, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, Attribute, QualName};
use pulldown_cmark::{Event, Tag, TagEnd};
use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};

/// How deeply a body's Markdown may nest: quotes, lists, emphasis and links inside each other
/// (a list's items are the list's own level). Real articles use a few levels.
pub const MAX_NESTING: usize = 32;

/// How many elements the sanitizer's HTML parser may hold at once (its stack of open
/// elements and its list of active formatting elements together). Markdown within
/// [`MAX_NESTING`] stays well below it; only raw HTML in a body can reach it.
pub const MAX_OPEN_ELEMENTS: usize = 128;

/// How many attributes one tag of raw HTML may carry. The HTML tokenizer compares each new
/// attribute with every earlier one of its tag (duplicates are dropped), so one tag with a
/// quarter of a million attributes would take minutes; real markup uses a handful.
pub const MAX_ATTRIBUTES: usize = 256;

/// A body that nests too deeply to be rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooDeep {
    /// The Markdown nests deeper than [`MAX_NESTING`].
    #[error("nests deeper than {MAX_NESTING} levels (quotes, lists, emphasis or links inside each other)")]
    Markdown,
    /// Raw HTML in the body nests deeper than [`MAX_OPEN_ELEMENTS`].
    #[error("has HTML that nests deeper than {MAX_OPEN_ELEMENTS} elements")]
    Html,
    /// A tag of raw HTML carries more than [`MAX_ATTRIBUTES`] attributes.
    #[error("has an HTML tag with more than {MAX_ATTRIBUTES} attributes")]
    Attributes,
}

/// The nesting of the Markdown events seen so far.
#[derive(Debug, Default)]
pub struct Nesting {
    depth: usize,
    raw_html: bool,
}

impl Nesting {
    /// Takes the next event into account: an error once the nesting is too deep.
    pub fn observe(&mut self, event: &Event<'_>) -> Result<(), TooDeep> {
        match event {
            Event::Start(Tag::Item) | Event::End(TagEnd::Item) => {}
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(TooDeep::Markdown);
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::Html(_) | Event::InlineHtml(_) => self.raw_html = true,
            _ => {}
        }
        Ok(())
    }

    /// Whether raw HTML passed by, whose nesting only an HTML parser can tell
    /// ([`check_html`]).
    pub fn saw_raw_html(&self) -> bool {
        self.raw_html
    }
}

/// Refuses Markdown that nests deeper than [`MAX_NESTING`]: one parse, no rendering.
pub fn check_markdown(markdown: &str) -> Result<(), TooDeep> {
    let mut nesting = Nesting::default();
    super::content::markdown_parser(markdown).try_for_each(|event| nesting.observe(&event))
}

/// Refuses an HTML fragment that makes the sanitizer's parser hold more than
/// [`MAX_OPEN_ELEMENTS`] elements. Only the parser itself can tell (misnested tags, tables and
/// formatting elements move elements around), so this runs the same parser as ammonia does,
/// on the same fragment, a piece at a time, and stops as soon as the count is over: the work
/// stays proportional to the length.
pub fn check_html(html: &str) -> Result<(), TooDeep> {
    check_attributes(html)?;
    // A piece bounds how far past the limit the parser gets before the count is taken.
    const PIECE: usize = 4096;
    let mut parser = html5ever::parse_fragment(
        Skeleton::default(),
        html5ever::ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    );
    let mut rest = html;
    while !rest.is_empty() {
        let mut end = rest.len().min(PIECE);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (piece, after) = rest.split_at(end);
        parser.process(StrTendril::from_slice(piece));
        let held = Count(Cell::new(0));
        parser.tokenizer.sink.trace_handles(&held);
        if held.0.get() > MAX_OPEN_ELEMENTS {
            return Err(TooDeep::Html);
        }
        rest = after;
    }
    Ok(())
}

/// Where [`check_attributes`] is in the markup, after the states of HTML's tokenizer that
/// decide where a tag and each of its attributes begin and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    Data,
    TagName,
    BeforeName,
    Name,
    AfterName,
    BeforeValue,
    Quoted(u8),
    Unquoted,
    Comment,
}

/// Refuses HTML with a tag (start or end) of more than [`MAX_ATTRIBUTES`] attributes, in one
/// pass over the bytes, before any HTML parser sees it. It follows the tokenizer's rules for
/// names and quoted or unquoted values, so a `>` inside a quoted value does not end the tag.
/// Text that only looks like a tag (inside `<script>`, say) is counted too: that can refuse a
/// body the tokenizer would find cheap, never pass one it would find costly.
pub fn check_attributes(html: &str) -> Result<(), TooDeep> {
    let bytes = html.as_bytes();
    let mut state = Scan::Data;
    let mut attributes = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let space = b.is_ascii_whitespace();
        state = match state {
            Scan::Data if b == b'<' => {
                let next = bytes.get(i + 1).copied().unwrap_or(0);
                let after = bytes.get(i + 2).copied().unwrap_or(0);
                if bytes[i..].starts_with(b"<!--") {
                    i += 3;
                    Scan::Comment
                } else if next.is_ascii_alphabetic() || (next == b'/' && after.is_ascii_alphabetic()) {
                    attributes = 0;
                    Scan::TagName
                } else {
                    Scan::Data
                }
            }
            Scan::Data => Scan::Data,
            Scan::Comment if bytes[i..].starts_with(b"-->") => {
                i += 2;
                Scan::Data
            }
            Scan::Comment => Scan::Comment,
            _ if b == b'>' && !matches!(state, Scan::Quoted(_)) => Scan::Data,
            Scan::TagName if space || b == b'/' => Scan::BeforeName,
            Scan::TagName => Scan::TagName,
            Scan::BeforeName | Scan::AfterName if space || b == b'/' => {
                if b == b'/' {
                    Scan::BeforeName
                } else {
                    state
                }
            }
            Scan::AfterName if b == b'=' => Scan::BeforeValue,
            Scan::BeforeName | Scan::AfterName => {
                attributes += 1;
                if attributes > MAX_ATTRIBUTES {
                    return Err(TooDeep::Attributes);
                }
                Scan::Name
            }
            Scan::Name if space => Scan::AfterName,
            Scan::Name if b == b'/' => Scan::BeforeName,
            Scan::Name if b == b'=' => Scan::BeforeValue,
            Scan::Name => Scan::Name,
            Scan::BeforeValue if space => Scan::BeforeValue,
            Scan::BeforeValue if b == b'"' || b == b'\'' => Scan::Quoted(b),
            Scan::BeforeValue => Scan::Unquoted,
            Scan::Quoted(quote) if b == quote => Scan::BeforeName,
            Scan::Quoted(quote) => Scan::Quoted(quote),
            Scan::Unquoted if space => Scan::BeforeName,
            Scan::Unquoted => Scan::Unquoted,
        };
        i += 1;
    }
    Ok(())
}

/// Counts the handles the tree builder holds.
struct Count(Cell<usize>);

impl Tracer for Count {
    type Handle = usize;

    fn trace_handle(&self, _node: &usize) {
        self.0.set(self.0.get() + 1);
    }
}

/// A tree sink that keeps what the tree builder asks about (each node's name, template
/// contents, MathML integration points) and no tree: the builder's stack of open elements,
/// which is what is measured, does not depend on it.
#[derive(Default)]
struct Skeleton {
    nodes: RefCell<Vec<Node>>,
}

struct Node {
    name: QualName,
    template_contents: Option<usize>,
    integration_point: bool,
}

impl Skeleton {
    fn add(&self, name: QualName) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node { name, template_contents: None, integration_point: false });
        nodes.len() - 1
    }

    fn unnamed(&self) -> usize {
        self.add(QualName::new(None, ns!(), local_name!("")))
    }
}

impl TreeSink for Skeleton {
    type Handle = usize;
    type Output = ();
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) {}

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        // The document is made on first use; the tree builder asks for it before anything else.
        if self.nodes.borrow().is_empty() {
            self.unnamed();
        }
        0
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> Ref<'a, QualName> {
        Ref::map(self.nodes.borrow(), |nodes| &nodes[*target].name)
    }

    fn create_element(&self, name: QualName, _attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let id = self.add(name);
        let contents = flags.template.then(|| self.unnamed());
        let mut nodes = self.nodes.borrow_mut();
        nodes[id].template_contents = contents;
        nodes[id].integration_point = flags.mathml_annotation_xml_integration_point;
        id
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.unnamed()
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.unnamed()
    }

    fn append(&self, _parent: &usize, _child: NodeOrText<usize>) {}

    fn append_based_on_parent_node(&self, _element: &usize, _prev_element: &usize, _child: NodeOrText<usize>) {}

    fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        let contents = self.nodes.borrow()[*target].template_contents;
        contents.unwrap_or_else(|| self.unnamed())
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, _sibling: &usize, _new_node: NodeOrText<usize>) {}

    fn add_attrs_if_missing(&self, _target: &usize, _attrs: Vec<Attribute>) {}

    fn remove_from_parent(&self, _target: &usize) {}

    fn reparent_children(&self, _node: &usize, _new_parent: &usize) {}

    fn is_mathml_annotation_xml_integration_point(&self, handle: &usize) -> bool {
        self.nodes.borrow()[*handle].integration_point
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag_with(n: usize) -> String {
        let names: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
        format!("<p {}>teks</p>", names.join(" "))
    }

    #[test]
    fn a_tag_with_too_many_attributes_is_refused_in_one_pass() {
        assert_eq!(check_attributes(&tag_with(MAX_ATTRIBUTES)), Ok(()));
        assert_eq!(check_attributes(&tag_with(MAX_ATTRIBUTES + 1)), Err(TooDeep::Attributes));
        assert_eq!(check_html(&tag_with(250_000)), Err(TooDeep::Attributes));
        // End tags carry attributes to the tokenizer too.
        assert_eq!(check_attributes(&tag_with(300).replace("<p ", "</p ")), Err(TooDeep::Attributes));
    }

    #[test]
    fn quoted_values_and_comments_are_read_as_the_tokenizer_reads_them() {
        // A `>` inside a quoted value does not end the tag: the attributes after it count.
        let hidden = format!("<p title=\"x>\" {}>", (0..300).map(|i| format!("b{i}")).collect::<Vec<_>>().join(" "));
        assert_eq!(check_attributes(&hidden), Err(TooDeep::Attributes));
        let values =
            format!("<img {}>", (0..200).map(|i| format!("d{i}='1 2 3' e{i}=v")).collect::<Vec<_>>().join(" "));
        assert_eq!(check_attributes(&values), Err(TooDeep::Attributes), "400 attributes with values");
        let ordinary =
            r#"<a href="https://x.id/?a=1&b=2" title='Kopi "enak"' class=tautan>kopi</a> 3 < 5 <!-- <p a b c> -->"#;
        assert_eq!(check_attributes(ordinary), Ok(()));
        assert_eq!(check_attributes(&format!("<!-- {} -->", tag_with(1000))), Ok(()), "inside a comment");
    }

    #[test]
    fn markdown_up_to_the_limit_is_fine_and_one_level_more_is_refused() {
        // A quote holds a paragraph, which is a level too.
        let quotes = |n: usize| format!("{}Kutipan", "> ".repeat(n));
        assert_eq!(check_markdown(&quotes(MAX_NESTING - 1)), Ok(()));
        assert_eq!(check_markdown(&quotes(MAX_NESTING)), Err(TooDeep::Markdown));
        // A tight list's items hold no paragraph.
        let lists = |n: usize| (0..n).map(|i| format!("{}- tingkat {i}\n", "  ".repeat(i))).collect::<String>();
        assert_eq!(check_markdown(&lists(MAX_NESTING)), Ok(()));
        assert_eq!(check_markdown(&lists(MAX_NESTING + 1)), Err(TooDeep::Markdown));
    }

    #[test]
    fn every_kind_of_markdown_nesting_counts() {
        let bombs = [
            ">".repeat(64_000),
            "1. ".repeat(1_000),
            "- ".repeat(40) + "x",
            format!("{}x{}", "*a _b ".repeat(20), " b_ a*".repeat(20)),
            format!("{}x{}", "![".repeat(1_000), "](https://example.com/a.jpg)".repeat(1_000)),
        ];
        for bomb in bombs {
            assert_eq!(check_markdown(&bomb), Err(TooDeep::Markdown), "{}", &bomb[..20]);
        }
    }

    #[test]
    fn a_few_levels_of_everything_are_fine() {
        let body = "> > > > > dalam\n\n- satu\n  - dua\n    - tiga\n      - empat\n        - ***[lima](https://example.com)***\n\n\
                    | a | b |\n|---|---|\n| *c* | [d](https://example.com) |\n";
        assert_eq!(check_markdown(body), Ok(()));
    }

    #[test]
    fn html_is_measured_by_what_the_parser_holds_open() {
        assert_eq!(check_html(&"<div>".repeat(MAX_OPEN_ELEMENTS * 2)), Err(TooDeep::Html));
        // Misnested tags that the parser keeps open although each is "closed" at once.
        assert_eq!(check_html(&"<b><div></b>".repeat(MAX_OPEN_ELEMENTS)), Err(TooDeep::Html));
        assert_eq!(check_html(&"<table><td><div>".repeat(MAX_OPEN_ELEMENTS)), Err(TooDeep::Html));
        // A table closes the table before it: the parser holds few elements, however many.
        assert_eq!(check_html(&"<div><table></div>".repeat(10_000)), Ok(()));
        assert_eq!(check_html(&format!("<script><!--<script></script>{}", "<div>".repeat(200))), Ok(()), "script text");
        // Many elements, each closed, or closed by its next sibling, are fine however many.
        let figures = "<div><figure><img src=\"a.jpg\"><figcaption>Foto</figcaption></figure></div>\n".repeat(2_000);
        assert_eq!(check_html(&figures), Ok(()));
        assert_eq!(check_html(&"<p>satu<p>dua<li>tiga".repeat(2_000)), Ok(()));
        assert_eq!(check_html(&"<blockquote>".repeat(MAX_OPEN_ELEMENTS / 2)), Ok(()));
    }
}
