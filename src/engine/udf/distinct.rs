//! The exact count of every distinct text of one column, packed for millions of distinct values:
//! the texts live end to end in one buffer (Arrow's large-string layout), the hash table holds
//! indexes, so a new text costs no allocation of its own and the partial state is moved out, not copied.

use std::hash::BuildHasher;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, LargeStringArray, UInt64Array};
use datafusion::arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::error::ArrowError;
use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};

#[derive(Debug, Default)]
pub struct DistinctTexts {
    /// Every distinct text, end to end, in order of first sight.
    bytes: Vec<u8>,
    /// `offsets[i]..offsets[i + 1]` is text `i` in `bytes`; starts with 0.
    offsets: Vec<i64>,
    /// How many times text `i` was seen.
    counts: Vec<u64>,
    /// Text indexes, found by the hash of the text's bytes.
    table: HashTable<usize>,
    hasher: DefaultHashBuilder,
}

impl DistinctTexts {
    /// Counts `text` `n` more times.
    pub fn add(&mut self, text: &str, n: u64) {
        let Self {
            bytes,
            offsets,
            counts,
            table,
            hasher,
        } = self;
        if offsets.is_empty() {
            offsets.push(0);
        }
        let hash = hasher.hash_one(text.as_bytes());
        let entry = table.entry(
            hash,
            |&i| text_at(bytes, offsets, i) == text.as_bytes(),
            |&i| hasher.hash_one(text_at(bytes, offsets, i)),
        );
        match entry {
            Entry::Occupied(seen) => {
                if let Some(count) = counts.get_mut(*seen.get()) {
                    *count += n;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(counts.len());
                bytes.extend_from_slice(text.as_bytes());
                offsets.push(bytes.len() as i64);
                counts.push(n);
            }
        }
    }

    /// Counts `text` `n` more times if it is already held; false (nothing counted) otherwise.
    pub fn add_if_present(&mut self, text: &str, n: u64) -> bool {
        match self.index_of(text).and_then(|i| self.counts.get_mut(i)) {
            Some(count) => {
                *count += n;
                true
            }
            None => false,
        }
    }

    /// Makes room for `texts` more distinct texts of `bytes` bytes in all, so a merge of a large
    /// partial state grows the table once instead of doubling (and re-hashing) step by step.
    pub fn reserve(&mut self, texts: usize, bytes: usize) {
        let Self {
            bytes: buffer,
            offsets,
            counts,
            table,
            hasher,
        } = self;
        buffer.reserve(bytes);
        offsets.reserve(texts + 1);
        counts.reserve(texts);
        table.reserve(texts, |&i| hasher.hash_one(text_at(buffer, offsets, i)));
    }

    /// Number of distinct texts.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether `text` was seen.
    pub fn contains(&self, text: &str) -> bool {
        self.index_of(text).is_some()
    }

    /// How many times `text` was seen, if at all.
    pub fn count(&self, text: &str) -> Option<u64> {
        self.index_of(text).and_then(|i| self.counts.get(i).copied())
    }

    /// Where `text` is held, if it is.
    fn index_of(&self, text: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(text.as_bytes());
        self.table
            .find(hash, |&i| text_at(&self.bytes, &self.offsets, i) == text.as_bytes())
            .copied()
    }

    /// Every distinct text with its count, in order of first sight.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        (0..self.len()).map(|i| {
            let text = std::str::from_utf8(text_at(&self.bytes, &self.offsets, i)).unwrap_or_default();
            (text, self.counts.get(i).copied().unwrap_or_default())
        })
    }

    /// Bytes held, for DataFusion's memory accounting (capacities, as its pool expects).
    pub fn allocated(&self) -> usize {
        self.bytes.capacity()
            + self.offsets.capacity() * size_of::<i64>()
            + self.counts.capacity() * size_of::<u64>()
            + self.table.capacity() * (size_of::<usize>() + 1)
    }

    /// Moves the texts and counts out as two arrays (the partial state), leaving the table empty.
    /// An array Arrow refuses is an error, never a silently empty state (its counts would be lost).
    pub fn take_arrays(&mut self) -> Result<(ArrayRef, ArrayRef), ArrowError> {
        let taken = std::mem::take(self);
        let offsets = if taken.offsets.is_empty() {
            vec![0]
        } else {
            taken.offsets
        };
        let texts = LargeStringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(taken.bytes),
            None,
        )?;
        let counts: ArrayRef = Arc::new(UInt64Array::from(taken.counts));
        Ok((Arc::new(texts), counts))
    }
}

fn text_at<'a>(bytes: &'a [u8], offsets: &[i64], i: usize) -> &'a [u8] {
    match (offsets.get(i), offsets.get(i + 1)) {
        (Some(&start), Some(&end)) => bytes.get(start as usize..end as usize).unwrap_or_default(),
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};

    #[test]
    fn counts_each_distinct_text_in_order_of_first_sight() {
        let mut texts = DistinctTexts::default();
        for text in ["b", "a", "", "b", "é", "a", "b"] {
            texts.add(text, 1);
        }
        texts.add("a", 10);
        let seen: Vec<(&str, u64)> = texts.iter().collect();
        assert_eq!(seen, vec![("b", 3), ("a", 12), ("", 1), ("é", 1)]);
        assert!(texts.contains("é") && texts.contains("") && !texts.contains("c"));
    }

    #[test]
    fn survives_growth_and_moves_out_as_arrays() {
        let mut texts = DistinctTexts::default();
        for i in 0..10_000u64 {
            texts.add(&(i % 2_500).to_string(), 1);
        }
        assert_eq!(texts.len(), 2_500);
        assert!(texts.iter().all(|(_, n)| n == 4));
        let moved = texts.take_arrays().map(|(strings, counts)| {
            (
                strings.len(),
                counts.len(),
                strings.as_string::<i64>().value(7).to_string(),
            )
        });
        assert_eq!(moved.ok(), Some((2_500, 2_500, "7".to_string())));
        assert_eq!(texts.len(), 0);
        let empty = texts.take_arrays().map(|(strings, _)| strings.len());
        assert_eq!(empty.ok(), Some(0));
    }
}
