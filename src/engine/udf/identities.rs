//! `segaudit_identities(key, id_1, …, id_n)`: customers registered twice under different keys
//! (contract §10), counted inside the profile pass. Rows whose identity values are all present (the
//! SQL passes NULL for a value that is not usable) are grouped on them; the result is Σ over groups
//! holding two or more distinct keys of (rows in the group − 1).
//!
//! A group is kept as 64-bit hashes (identity → first key, whether another key was seen, rows), not
//! as its texts: 25 bytes a group, so ten million customers stay within a few hundred MiB. Two
//! different identities share a hash with a probability near n²/2⁶⁵ (3·10⁻⁶ at ten million).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

pub const IDENTITIES: &str = "segaudit_identities";

/// One group of rows sharing an identity.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// Hash of the first non-missing key seen; 0 while none was.
    key: u64,
    /// Another, different key was seen.
    several: bool,
    rows: u64,
}

impl Group {
    fn absorb(&mut self, other: Group) {
        if self.key == 0 {
            self.key = other.key;
        } else if other.key != 0 && other.key != self.key {
            self.several = true;
        }
        self.several |= other.several;
        self.rows += other.rows;
    }
}

/// Bytes per group in the partial state: identity hash, key hash, several, rows.
const GROUP_BYTES: usize = 8 + 8 + 1 + 8;

#[derive(Debug, PartialEq, Eq, Hash)]
struct IdentitiesUdaf {
    signature: Signature,
}

pub fn identities_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(IdentitiesUdaf {
        signature: Signature::variadic_any(Volatility::Immutable),
    })
}

impl AggregateUDFImpl for IdentitiesUdaf {
    fn name(&self) -> &str {
        IDENTITIES
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::UInt64)
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        Ok(Box::new(IdentitiesAccumulator::default()))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[groups]", args.name),
            DataType::Binary,
            true,
        ))])
    }
}

#[derive(Debug, Default)]
struct IdentitiesAccumulator {
    groups: HashMap<u64, Group>,
}

fn as_text(array: &ArrayRef) -> DfResult<ArrayRef> {
    Ok(match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => array.clone(),
        _ => cast(array, &DataType::Utf8)?,
    })
}

fn text_at(array: &ArrayRef, row: usize) -> Option<&str> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        DataType::Utf8View => array.as_string_view().value(row),
        _ => array.as_string::<i32>().value(row),
    })
}

/// A hash that is never 0 (0 marks "no key yet").
fn nonzero(hasher: DefaultHasher) -> u64 {
    hasher.finish().max(1)
}

impl Accumulator for IdentitiesAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        let Some((key, identity)) = values.split_first() else {
            return Ok(());
        };
        let key = as_text(key)?;
        let identity: Vec<ArrayRef> = identity.iter().map(as_text).collect::<DfResult<_>>()?;
        'rows: for row in 0..key.len() {
            let mut hasher = DefaultHasher::new();
            for column in &identity {
                let Some(text) = text_at(column, row) else {
                    continue 'rows;
                };
                // Length first, so ("ab", "c") and ("a", "bc") differ.
                text.len().hash(&mut hasher);
                text.hash(&mut hasher);
            }
            let key_hash = match text_at(&key, row).map(str::trim).filter(|k| !k.is_empty()) {
                Some(k) => {
                    let mut h = DefaultHasher::new();
                    k.hash(&mut h);
                    nonzero(h)
                }
                None => 0,
            };
            self.groups
                .entry(nonzero(hasher))
                .or_insert(Group {
                    key: 0,
                    several: false,
                    rows: 0,
                })
                .absorb(Group {
                    key: key_hash,
                    several: false,
                    rows: 1,
                });
        }
        Ok(())
    }

    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        let duplicates: u64 = self.groups.values().filter(|g| g.several).map(|g| g.rows - 1).sum();
        Ok(ScalarValue::UInt64(Some(duplicates)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.groups.capacity() * (8 + std::mem::size_of::<Group>() + 1)
    }

    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        let mut bytes = Vec::with_capacity(self.groups.len() * GROUP_BYTES);
        for (identity, group) in self.groups.drain() {
            bytes.extend_from_slice(&identity.to_le_bytes());
            bytes.extend_from_slice(&group.key.to_le_bytes());
            bytes.push(u8::from(group.several));
            bytes.extend_from_slice(&group.rows.to_le_bytes());
        }
        Ok(vec![ScalarValue::Binary(Some(bytes))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let Some(states) = states.first() else { return Ok(()) };
        let states = states.as_binary::<i32>();
        for bytes in states.iter().flatten() {
            for chunk in bytes.chunks_exact(GROUP_BYTES) {
                let word = |at: usize| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&chunk[at..at + 8]);
                    u64::from_le_bytes(b)
                };
                let group = Group {
                    key: word(8),
                    several: chunk[16] != 0,
                    rows: word(17),
                };
                self.groups
                    .entry(word(0))
                    .or_insert(Group {
                        key: 0,
                        several: false,
                        rows: 0,
                    })
                    .absorb(group);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringArray;

    fn texts(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    #[test]
    fn counts_rows_beyond_the_first_in_groups_with_several_keys() -> DfResult<()> {
        let mut acc = IdentitiesAccumulator::default();
        // ("kone", "1990") under keys 1, 2, "2 " → 3 rows, 2 keys (trimmed) → 2; ("traore", "1985")
        // under 3, 3 → one key → 0; a row with a missing identity value is not grouped.
        acc.update_batch(&[
            texts(&[Some("1"), Some("2"), Some("2 "), Some("3"), Some("3"), Some("4")]),
            texts(&[
                Some("kone"),
                Some("kone"),
                Some("kone"),
                Some("traore"),
                Some("traore"),
                None,
            ]),
            texts(&[
                Some("1990"),
                Some("1990"),
                Some("1990"),
                Some("1985"),
                Some("1985"),
                Some("1990"),
            ]),
        ])?;
        assert_eq!(acc.evaluate()?, ScalarValue::UInt64(Some(2)));
        Ok(())
    }

    #[test]
    fn partial_states_merge_to_the_same_count() -> DfResult<()> {
        let batch = |keys: &[Option<&str>], names: &[Option<&str>]| vec![texts(keys), texts(names)];
        let mut left = IdentitiesAccumulator::default();
        left.update_batch(&batch(&[Some("1"), None], &[Some("a"), Some("b")]))?;
        let mut right = IdentitiesAccumulator::default();
        right.update_batch(&batch(&[Some("2"), Some("9")], &[Some("a"), Some("b")]))?;
        let mut total = IdentitiesAccumulator::default();
        for mut part in [left, right] {
            let state = part.state()?;
            let arrays = state.iter().map(ScalarValue::to_array).collect::<DfResult<Vec<_>>>()?;
            total.merge_batch(&arrays)?;
        }
        // "a": keys 1 and 2 → 1; "b": a missing key and 9 → one key → 0.
        assert_eq!(total.evaluate()?, ScalarValue::UInt64(Some(1)));
        Ok(())
    }
}
