//! Every column a pass reads back from a query result, defined once: the SQL writer names it with
//! [`Col::alias`] and the reader finds it by the same value, so a misspelt alias cannot become a
//! silently wrong count — reading a column the result lacks is an error naming it.

use std::fmt;

/// A result column of one of the passes (`j`: segment index, `k`: field index inside the segment or
/// the subject, `g`: segmentation index, `a`: strata attribute index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Col {
    /// `COUNT(*)` of the pass (or of a group).
    Rows,
    /// The profile aggregate's result.
    Profiles,
    /// Profile pass: rows where condition `c` (an `applies_when`, contract §10) is FALSE.
    NotApplicable(usize),
    /// Profile pass: rows registered again under another key (contract §10).
    DuplicateIdentities,
    /// Fused pass: usable rows of subject column `k` in the group.
    FieldUsable(usize),
    /// Fused pass: the attribute index of the group's grouping set.
    By,
    /// Fused pass: strata attribute `a`'s value as text (NULL for the missing group).
    Stratum(usize),
    /// Fused pass: the `i`th key of packed truth values.
    Truths(usize),
    /// Segment `j`'s population / rule truth value for a row (rule tests).
    PopulationTruth(usize),
    RuleTruth(usize),
    /// A column of the data itself, by its exact name.
    Data(String),
    /// A sample of values (init).
    Sample,
    /// Init: values of integer-looking column `k` that start with a zero then a digit (`08123`).
    LeadingZeros(usize),
    /// Init: texts of number-candidate column `k` of one of `sql::NUMBER_SHAPES` (`int`, `comma`, …).
    NumberTexts(usize, &'static str),
    /// Init: low-cardinality attribute `a`'s typed value in a group (`''` for missing).
    ValueOf(usize),
    /// Init: rows of the group where field `k` is present.
    PresentIn(usize),
    /// Assign: rows of segment `j` with a status (`member`, `outside`, …).
    StatusCount(usize, &'static str),
    /// Assign: rows of segmentation `g` with a value (`exactly_one`, `none`, …).
    SegmentationCount(usize, &'static str),
    /// Assign: a `to_collect` list (the worklist groups by it).
    FieldList,
    /// Assign history: a transition's segmentation index, previous and current value.
    SegmentationIndex,
    From,
    To,
    /// Assign history: membership rows open, opened and closed by the run.
    Open,
    Opened,
    Closed,
    /// Assign history: keys, keys that repeat, the rows holding them, rows with no key.
    Keys,
    DuplicateKeys,
    DuplicateRows,
    NullKeyRows,
    /// Link pass (contract §10): rows of the `from` side, those with no value, those whose value no
    /// `to` row has; rows of the `to` side, those whose value no `from` row has.
    LinkFromRows,
    LinkFromMissing,
    LinkOrphans,
    LinkToRows,
    LinkToUnmatched,
}

impl Col {
    /// The alias the SQL writes and the reader looks up.
    pub fn alias(&self) -> String {
        match self {
            Col::Rows => "rows".into(),
            Col::Profiles => "profiles".into(),
            Col::NotApplicable(c) => format!("not_applicable_{c}"),
            Col::DuplicateIdentities => "duplicate_identities".into(),
            Col::FieldUsable(k) => format!("field_usable_{k}"),
            Col::By => "by".into(),
            Col::Stratum(a) => format!("__a{a}"),
            Col::Truths(i) => format!("__t{i}"),
            Col::PopulationTruth(j) => format!("__p{j}"),
            Col::RuleTruth(j) => format!("__r{j}"),
            Col::Data(name) => name.clone(),
            Col::Sample => "v".into(),
            Col::LeadingZeros(k) => format!("lz_{k}"),
            Col::NumberTexts(k, shape) => format!("n{k}_{shape}"),
            Col::ValueOf(a) => format!("__v{a}"),
            Col::PresentIn(k) => format!("present_{k}"),
            Col::StatusCount(j, status) => format!("s{j}_{status}"),
            Col::SegmentationCount(g, what) => format!("g{g}_{what}"),
            Col::FieldList => "fields".into(),
            Col::SegmentationIndex => "g".into(),
            Col::From => "from".into(),
            Col::To => "to".into(),
            Col::Open => "open".into(),
            Col::Opened => "opened".into(),
            Col::Closed => "closed".into(),
            Col::Keys => "keys".into(),
            Col::DuplicateKeys => "duplicate_keys".into(),
            Col::DuplicateRows => "duplicate_rows".into(),
            Col::NullKeyRows => "null_key_rows".into(),
            Col::LinkFromRows => "from_rows".into(),
            Col::LinkFromMissing => "from_missing".into(),
            Col::LinkOrphans => "orphans".into(),
            Col::LinkToRows => "to_rows".into(),
            Col::LinkToUnmatched => "to_unmatched".into(),
        }
    }

    /// What the column holds, so the reader can refuse a column of the wrong kind.
    pub fn kind(&self) -> Kind {
        match self {
            Col::Profiles | Col::Stratum(_) | Col::Data(_) | Col::Sample | Col::FieldList | Col::From | Col::To => {
                Kind::Text
            }
            Col::ValueOf(_) => Kind::Text,
            Col::PopulationTruth(_) | Col::RuleTruth(_) => Kind::Truth,
            _ => Kind::Count,
        }
    }
}

impl fmt::Display for Col {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.alias())
    }
}

/// The kinds of result column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A non-negative integer (`COUNT`, an index).
    Count,
    /// Text (or a value read as text).
    Text,
    /// A three-valued boolean.
    Truth,
}
