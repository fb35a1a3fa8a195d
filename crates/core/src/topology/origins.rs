//! Where the values of a topology came from.

use crate::error::{Field, Origin};
use crate::text::TextEncoding;

/// Where the values of a topology came from: a line of its file, or a label the caller gives
/// (the `picert` binary gives flags' names).
///
/// Two `Origins` are equal when they give every value the same origin and name the same
/// converted files, whatever order the origins were recorded in. A [`Topology`](crate::Topology)'s
/// own equality leaves its origins out.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// At most one entry per field and index (`set` and `overlay` keep it so).
    entries: Vec<(Field, Option<usize>, Origin)>,
    /// Files read from UTF-16 text, for a note.
    converted: Vec<(String, TextEncoding)>,
}

impl PartialEq for Origins {
    fn eq(&self, other: &Origins) -> bool {
        // With one entry per field and index on each side, the same number of entries, each
        // found on the other side, is the same map.
        self.converted == other.converted
            && self.entries.len() == other.entries.len()
            && self
                .entries
                .iter()
                .all(|entry| other.entries.contains(entry))
    }
}

impl Eq for Origins {}

impl Origins {
    /// Records that `field` (item `index` of a list, or the whole field) came from `origin`.
    pub fn set(&mut self, field: Field, index: Option<usize>, origin: Origin) {
        self.entries
            .retain(|(f, i, _)| !(*f == field && *i == index));
        self.entries.push((field, index, origin));
    }

    /// Where `field` (item `index` of a list) came from: the item's own origin, else the
    /// field's.
    pub fn of(&self, field: Field, index: Option<usize>) -> Option<&Origin> {
        let find = |i: Option<usize>| {
            self.entries
                .iter()
                .find(|(f, j, _)| *f == field && *j == i)
                .map(|(_, _, o)| o)
        };
        find(index).or_else(|| index.and_then(|_| find(None)))
    }

    /// Records that the file `path` was read from `encoding`, when that is a conversion.
    pub(super) fn converted(&mut self, path: &str, encoding: TextEncoding) {
        if encoding.is_converted() {
            self.converted.push((path.to_string(), encoding));
        }
    }

    /// The files read from converted text, in the order they were read.
    pub(super) fn converted_files(&self) -> &[(String, TextEncoding)] {
        &self.converted
    }

    /// These origins with `over`'s over them: for each field of `set` (the fields `over`'s
    /// topology sets), `over`'s origins of it replace these; the converted files of both.
    pub(super) fn overlay(&self, over: &Origins, set: &[Field]) -> Origins {
        let mut origins = self.clone();
        origins.converted.extend(over.converted.iter().cloned());
        for &field in set {
            origins.take(field, over);
        }
        origins
    }

    fn take(&mut self, field: Field, from: &Origins) {
        self.entries.retain(|(f, _, _)| *f != field);
        self.entries
            .extend(from.entries.iter().filter(|(f, _, _)| *f == field).cloned());
    }
}
