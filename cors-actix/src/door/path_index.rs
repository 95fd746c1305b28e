//! The door's index: which declarations a path can concern, found by walking the path's
//! segments down a tree of the static segments the patterns start with. Its cost grows with
//! the depth of the path, not with the number of routes.
//!
//! Hand-written rather than a router crate: it must return *every* declaration a path can
//! concern, in registration order, for actix-web's own matching (`ResourceDef`) to decide
//! among them, which is not what routers (matchit, path-tree) answer.

use std::collections::HashMap;

use foldhash::fast::RandomState;

/// Deeper static segments are not indexed: patterns that share their first 16 segments share
/// a node.
const MAX_DEPTH: usize = 16;

/// Entries (registration numbers) by the static segments their patterns start with.
#[derive(Default)]
pub(crate) struct PathIndex {
    root: Node,
}

#[derive(Default)]
struct Node {
    children: HashMap<Box<str>, Node, RandomState>,
    /// Registration numbers, ascending.
    entries: Vec<u32>,
}

/// The static segments a pattern starts with: those before the first dynamic one.
fn static_segments(pattern: &str) -> impl Iterator<Item = &str> {
    segments(pattern).take_while(|s| !s.contains('{'))
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .take(MAX_DEPTH)
}

/// The first segment of `rest` (a path without its leading slash) and what follows its slash.
fn split_first(rest: &str) -> (&str, Option<&str>) {
    match rest.as_bytes().iter().position(|&b| b == b'/') {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    }
}

impl PathIndex {
    /// Indexes entry `number` (registration numbers must be inserted in ascending order) under
    /// the static segments `pattern` starts with.
    pub(crate) fn insert(&mut self, pattern: &str, number: u32) {
        let mut node = &mut self.root;
        // The empty pattern (`web::scope("")`, which takes every path) has no segment at all.
        let segments = (!pattern.is_empty()).then(|| static_segments(pattern));
        for segment in segments.into_iter().flatten() {
            node = node.children.entry(segment.into()).or_default();
        }
        node.entries.push(number);
    }

    /// The entries that may concern `path`, in registration order: those of every node the
    /// path's segments lead through. Allocates nothing.
    pub(crate) fn visit(&self, path: &str) -> Visit<'_> {
        let mut lists: [&[u32]; MAX_DEPTH + 1] = [&[]; MAX_DEPTH + 1];
        let mut len = 0;
        let mut node = &self.root;
        lists[len] = &node.entries;
        len += 1;
        let mut rest = Some(path.strip_prefix('/').unwrap_or(path));
        while let (Some(remaining), true) = (rest, len <= MAX_DEPTH) {
            if node.children.is_empty() {
                break;
            }
            let (segment, next) = split_first(remaining);
            match node.children.get(segment) {
                Some(child) => {
                    node = child;
                    if !node.entries.is_empty() {
                        lists[len] = &node.entries;
                        len += 1;
                    }
                    rest = next;
                }
                None => break,
            }
        }
        Visit { lists, len }
    }
}

/// The entries of the visited nodes, merged in ascending order.
pub(crate) struct Visit<'a> {
    lists: [&'a [u32]; MAX_DEPTH + 1],
    len: usize,
}

impl Iterator for Visit<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.len == 1 {
            let (first, rest) = self.lists[0].split_first()?;
            self.lists[0] = rest;
            return Some(*first);
        }
        let lists = &mut self.lists[..self.len];
        let (at, _) = lists
            .iter()
            .enumerate()
            .filter_map(|(i, list)| list.first().map(|first| (i, *first)))
            .min_by_key(|(_, first)| *first)?;
        let (first, rest) = lists[at].split_first()?;
        lists[at] = rest;
        Some(*first)
    }
}

#[cfg(test)]
mod tests {
    use super::PathIndex;

    #[test]
    fn a_path_visits_the_entries_of_every_static_prefix_in_order() {
        let mut index = PathIndex::default();
        for (number, pattern) in [
            "/api/items",
            "/{any}",
            "/api/items/{id}",
            "/api",
            "/other",
            "/api/users",
        ]
        .iter()
        .enumerate()
        {
            index.insert(pattern, number as u32);
        }
        let visit = |path| index.visit(path).collect::<Vec<_>>();
        assert_eq!(visit("/api/items/7"), [0, 1, 2, 3]);
        assert_eq!(visit("/api/users"), [1, 3, 5]);
        assert_eq!(visit("/nothing"), [1]);
        assert_eq!(visit("/other/deeper"), [1, 4]);
        index.insert("", 6);
        assert_eq!(
            index.visit("/nothing").collect::<Vec<_>>(),
            [1, 6],
            "the empty pattern concerns every path"
        );
    }
}
