//! What changed between two texts, line by line, for the revision diff. The diff itself is
//! the `similar` crate's (Myers', with a deadline so that no body pair costs more than it).

use similar::{Algorithm, ChangeTag, TextDiff};
use std::time::Duration;

/// How long a diff may search for the shortest edit before it settles for a longer one that
/// is still correct (two 1 MiB bodies of unrelated lines would otherwise take seconds).
const DEADLINE: Duration = Duration::from_millis(300);

/// What a run of lines does between the old text and the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOp {
    Equal,
    Insert,
    Delete,
}

impl LineOp {
    pub fn as_str(self) -> &'static str {
        match self {
            LineOp::Equal => "equal",
            LineOp::Insert => "insert",
            LineOp::Delete => "delete",
        }
    }
}

/// Consecutive lines with the same fate, each with its line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub op: LineOp,
    pub text: String,
}

/// The line diff from `old` to `new`: runs that, read in order, give `old` from the equal and
/// deleted ones and `new` from the equal and inserted ones.
pub fn lines(old: &str, new: &str) -> Vec<Run> {
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).timeout(DEADLINE).diff_lines(old, new);
    let mut runs: Vec<Run> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => LineOp::Equal,
            ChangeTag::Insert => LineOp::Insert,
            ChangeTag::Delete => LineOp::Delete,
        };
        match runs.last_mut() {
            Some(run) if run.op == op => run.text.push_str(change.value()),
            _ => runs.push(Run { op, text: change.value().to_owned() }),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(runs: &[Run], keep: LineOp) -> String {
        runs.iter().filter(|r| r.op == LineOp::Equal || r.op == keep).map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn runs_rebuild_both_texts_and_group_lines() {
        let old = "Teheran (Kabar Harapan)\nHarga kopi naik.\nSumber: Anadolu\n";
        let new = "Teheran (Kabar Harapan)\nHarga kopi turun.\nKata pedagang.\nSumber: Anadolu";
        let runs = lines(old, new);
        assert_eq!(side(&runs, LineOp::Delete), old);
        assert_eq!(side(&runs, LineOp::Insert), new);
        assert!(runs.iter().any(|r| r.op == LineOp::Delete && r.text.contains("Harga kopi naik.\n")));
        assert_eq!(runs[0], Run { op: LineOp::Equal, text: "Teheran (Kabar Harapan)\n".into() });
        assert!(runs.iter().any(|r| r.op == LineOp::Insert && r.text.contains("Harga kopi turun.\nKata pedagang.\n")));
    }

    #[test]
    fn equal_texts_are_one_run_and_empty_ones_none() {
        assert_eq!(lines("a\nb\n", "a\nb\n"), vec![Run { op: LineOp::Equal, text: "a\nb\n".into() }]);
        assert!(lines("", "").is_empty());
        assert_eq!(lines("", "baru\n"), vec![Run { op: LineOp::Insert, text: "baru\n".into() }]);
    }

    #[test]
    fn unrelated_large_texts_still_rebuild_within_the_deadline() {
        let old: String = (0..20_000).map(|i| format!("baris lama {i}\n")).collect();
        let new: String = (0..20_000).map(|i| format!("baris baru {}\n", i * 7)).collect();
        let runs = lines(&old, &new);
        assert_eq!(side(&runs, LineOp::Delete), old);
        assert_eq!(side(&runs, LineOp::Insert), new);
    }
}
