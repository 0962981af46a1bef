//! An ordered set that finds its n-th element without walking the ones
//! before it, so that a listing page at any offset costs about the page,
//! not the offset.
//!
//! The elements are kept sorted in chunks of at most [`Ranked::chunk`]
//! elements: an insert or a remove touches one chunk (and splits it or
//! drops it when it gets too large or empty), and finding the n-th element
//! steps over whole chunks by their lengths. For 100,000 routes in chunks
//! of 512 that is at most a few hundred additions per page instead of up to
//! 100,000 steps through a tree.

/// How many elements a chunk holds at most, unless a test asks for fewer.
const CHUNK: usize = 512;

/// An ordered set of unique elements with rank access.
#[derive(Clone, Debug)]
pub(crate) struct Ranked<T> {
    /// Non-empty, sorted, each chunk's elements all below the next chunk's.
    chunks: Vec<Vec<T>>,
    len: usize,
    chunk: usize,
}

impl<T> Default for Ranked<T> {
    fn default() -> Self {
        Ranked {
            chunks: Vec::new(),
            len: 0,
            chunk: CHUNK,
        }
    }
}

impl<T: Ord> Ranked<T> {
    /// An empty set whose chunks hold at most `chunk` elements (at least 2),
    /// for tests that want to see chunks split and emptied.
    #[cfg(test)]
    pub(crate) fn with_chunk(chunk: usize) -> Self {
        Ranked {
            chunk: chunk.max(2),
            ..Ranked::default()
        }
    }

    /// How many elements the set holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk `value` belongs in: the first whose last element is not
    /// below it (the last chunk when `value` is above them all).
    fn chunk_of(&self, value: &T) -> usize {
        let index = self
            .chunks
            .partition_point(|chunk| chunk.last().is_some_and(|last| last < value));
        index.min(self.chunks.len().saturating_sub(1))
    }

    /// Adds `value`; false when the set already held it.
    pub(crate) fn insert(&mut self, value: T) -> bool {
        if self.chunks.is_empty() {
            self.chunks.push(vec![value]);
            self.len = 1;
            return true;
        }
        let index = self.chunk_of(&value);
        let chunk = &mut self.chunks[index];
        let Err(at) = chunk.binary_search(&value) else {
            return false;
        };
        chunk.insert(at, value);
        self.len += 1;
        if chunk.len() > self.chunk {
            let upper = chunk.split_off(chunk.len() / 2);
            self.chunks.insert(index + 1, upper);
        }
        true
    }

    /// Removes `value`; false when the set did not hold it.
    pub(crate) fn remove(&mut self, value: &T) -> bool {
        if self.chunks.is_empty() {
            return false;
        }
        let index = self.chunk_of(value);
        let chunk = &mut self.chunks[index];
        let Ok(at) = chunk.binary_search(value) else {
            return false;
        };
        chunk.remove(at);
        self.len -= 1;
        if chunk.is_empty() {
            self.chunks.remove(index);
        }
        true
    }

    /// The elements from the `offset`-th (0-based) on, in order; nothing
    /// when `offset` is at or past the end.
    pub(crate) fn iter_from(&self, offset: usize) -> impl Iterator<Item = &T> {
        let mut skipped = 0;
        let mut first = self.chunks.len();
        let mut within = 0;
        for (index, chunk) in self.chunks.iter().enumerate() {
            if skipped + chunk.len() > offset {
                first = index;
                within = offset - skipped;
                break;
            }
            skipped += chunk.len();
        }
        self.chunks
            .get(first..)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .flat_map(move |(n, chunk)| chunk[if n == 0 { within } else { 0 }..].iter())
    }

    /// Every element, in order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn an_offset_past_the_end_gives_nothing() {
        let mut set = Ranked::with_chunk(2);
        for n in 0..5 {
            set.insert(n);
        }
        assert_eq!(set.iter_from(5).count(), 0);
        assert_eq!(set.iter_from(usize::MAX).count(), 0);
        assert_eq!(Ranked::<u8>::default().iter_from(0).count(), 0);
    }

    #[test]
    fn a_page_starts_at_its_offset_across_chunks() {
        let mut set = Ranked::with_chunk(3);
        for n in (0..20).rev() {
            set.insert(n);
        }
        let page: Vec<i32> = set.iter_from(7).take(5).copied().collect();
        assert_eq!(page, [7, 8, 9, 10, 11]);
    }

    #[test]
    fn inserting_an_element_twice_keeps_one() {
        let mut set = Ranked::default();
        assert!(set.insert("a"));
        assert!(!set.insert("a"));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn removing_every_element_leaves_an_empty_set() {
        let mut set = Ranked::with_chunk(2);
        for n in 0..9 {
            set.insert(n);
        }
        for n in 0..9 {
            assert!(set.remove(&n));
        }
        assert!(set.is_empty());
        assert!(!set.remove(&3));
        assert!(set.chunks.is_empty());
    }

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u16),
        Remove(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u16..200).prop_map(Op::Insert),
            2 => (0u16..200).prop_map(Op::Remove),
        ]
    }

    proptest! {
        #[test]
        fn any_sequence_of_changes_agrees_with_a_btree_set(
            chunk in 2usize..8,
            ops in prop::collection::vec(op(), 0..300),
            offsets in prop::collection::vec(0usize..220, 1..8),
        ) {
            let mut set = Ranked::with_chunk(chunk);
            let mut oracle = BTreeSet::new();
            for op in &ops {
                match op {
                    Op::Insert(n) => prop_assert_eq!(set.insert(*n), oracle.insert(*n)),
                    Op::Remove(n) => prop_assert_eq!(set.remove(n), oracle.remove(n)),
                }
                prop_assert_eq!(set.len(), oracle.len());
                prop_assert!(set.chunks.iter().all(|c| !c.is_empty() && c.len() <= chunk));
            }
            prop_assert!(set.iter().eq(oracle.iter()));
            for offset in offsets {
                prop_assert!(set.iter_from(offset).eq(oracle.iter().skip(offset)));
            }
        }
    }
}
