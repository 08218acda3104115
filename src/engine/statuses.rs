//! What `assign` writes for a row (contract §8): its status in each segment and its value in each
//! segmentation, spelt once for the SQL that computes them and the summary that counts them.

/// A row's status in one segment (contract §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Member,
    NonMember,
    Undetermined,
    /// Population FALSE.
    Outside,
    /// Population NULL.
    PopulationUndetermined,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Member,
        Status::NonMember,
        Status::Undetermined,
        Status::Outside,
        Status::PopulationUndetermined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Member => "member",
            Status::NonMember => "non_member",
            Status::Undetermined => "undetermined",
            Status::Outside => "outside",
            Status::PopulationUndetermined => "population_undetermined",
        }
    }
}

/// A row's value in a segmentation when it is not the id of its one segment; `Absent` only in
/// transitions (a key missing from one of the two runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    None,
    Several,
    Undetermined,
    Outside,
    Absent,
}

impl Verdict {
    /// The values a segmentation column can hold besides a segment id.
    pub const ALL: [Verdict; 4] = [Verdict::None, Verdict::Several, Verdict::Undetermined, Verdict::Outside];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Several => "several",
            Verdict::Undetermined => "undetermined",
            Verdict::Outside => "outside",
            Verdict::Absent => "absent",
        }
    }
}
