//! The members table: who each Parliament member id is, kept beside the index in
//! `pqsearch-members.json`, so that a record known to name member 4828 only by id shows the
//! member's name, party and constituency.
//!
//! The names are copied into the records (the stored record is what `show`, `search` and
//! `export` print, and `asked:`/`--asked-by` search the indexed names), so the table and
//! the records must agree, whatever the order of ingest and wherever a run is killed:
//! - A question put into the index takes its names from the table as it stands. A member
//!   put into the table (new, or changed by a newer members file) is applied to every record
//!   naming its id before the next commit.
//! - The table and the index are two files, so they are written in this order: the records
//!   rewritten for the changed members; the table, marked `applying`; the index's commit;
//!   the table again, unmarked. A run killed before the table is written loses only
//!   uncommitted work (the table on disk still matches the index). A run killed after it
//!   leaves the mark, and the next writer first re-applies the whole table to every record
//!   (see [`crate::update::Updater`]), so no disagreement outlives the next run.
//! - Names from a source (a page, a listing, an API item fetched with member objects) win
//!   over the table; a record lists in `names_looked_up` the roles whose names came from the
//!   table, so that only those follow the table when it changes.
//! - For each id, the table holds the member as last ingested; a member is never removed
//!   (a members file lists the members of its day, and older questions name older members).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::index::IndexError;
use crate::record::Member;

/// The table's file name inside the index directory.
pub const MEMBERS_FILE: &str = "pqsearch-members.json";

/// The table as written to disk.
#[derive(Debug, Default, Serialize, Deserialize)]
struct OnDisk {
    /// Set while the index may hold names that disagree with this table: between writing
    /// the table and the end of the commit that applies it.
    applying: bool,
    /// By id.
    members: Vec<Member>,
}

/// The members known to an index, and what changed since its last commit.
#[derive(Debug, Default)]
pub struct MembersTable {
    members: BTreeMap<u32, Member>,
    /// Members added or changed since the last commit, whose records may need new names.
    changed: BTreeSet<u32>,
    /// A run was killed while applying the table: every record must be checked.
    repair: bool,
}

impl MembersTable {
    /// The table of the index in `dir` (empty when there is none yet). A table that cannot
    /// be read is an error rather than an empty table: forgetting it would strip names from
    /// records whose members files the manifest calls unchanged, and so are not read again.
    pub fn load(dir: &Path) -> Result<MembersTable, IndexError> {
        let path = dir.join(MEMBERS_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(MembersTable::default())
            }
            Err(error) => {
                return Err(IndexError::Io {
                    dir: path.display().to_string(),
                    error,
                })
            }
        };
        let disk: OnDisk = serde_json::from_slice(&bytes).map_err(|e| IndexError::Io {
            dir: path.display().to_string(),
            error: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the members table is damaged ({e}); delete the index and ingest again"),
            ),
        })?;
        Ok(MembersTable {
            members: disk.members.into_iter().map(|m| (m.id, m)).collect(),
            changed: BTreeSet::new(),
            repair: disk.applying,
        })
    }

    /// The member with this id.
    pub fn get(&self, id: u32) -> Option<&Member> {
        self.members.get(&id)
    }

    /// How many members the table knows.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Enters a member; returns whether the table changed (a new member, or new details).
    pub fn put(&mut self, member: Member) -> bool {
        if self.members.get(&member.id) == Some(&member) {
            return false;
        }
        self.changed.insert(member.id);
        self.members.insert(member.id, member);
        true
    }

    /// The members changed since the last commit.
    pub fn changed(&self) -> &BTreeSet<u32> {
        &self.changed
    }

    /// Whether the last run was killed while applying the table, so that every record must
    /// be checked against it.
    pub fn needs_repair(&self) -> bool {
        self.repair
    }

    /// Whether the next commit must write the table.
    pub fn dirty(&self) -> bool {
        self.repair || !self.changed.is_empty()
    }

    /// Writes the table with the mark that the records may not agree with it yet; called
    /// after the records are rewritten and before the commit.
    pub fn save_applying(&self, dir: &Path) -> Result<(), IndexError> {
        self.save(dir, true)
    }

    /// Writes the table unmarked, once the commit that applies it is made, and starts
    /// afresh the list of changes.
    pub fn save_applied(&mut self, dir: &Path) -> Result<(), IndexError> {
        self.save(dir, false)?;
        self.committed();
        Ok(())
    }

    /// Forgets the changes, which the last commit holds (for an index without a directory).
    pub fn committed(&mut self) {
        self.changed.clear();
        self.repair = false;
    }

    /// Writes the table atomically: a temporary file, flushed to disk, renamed over the old.
    fn save(&self, dir: &Path, applying: bool) -> Result<(), IndexError> {
        use std::io::Write;
        let io = |error| IndexError::Io {
            dir: dir.display().to_string(),
            error,
        };
        let disk = OnDisk {
            applying,
            members: self.members.values().cloned().collect(),
        };
        let tmp = dir.join(format!("{MEMBERS_FILE}.tmp"));
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&serde_json::to_vec(&disk).expect("the table serialises"))
            .map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, dir.join(MEMBERS_FILE)).map_err(io)?;
        // The rename itself must reach the disk before the commit that relies on it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// `pqsearch check`'s view of the table: whether every record's looked-up names are the
/// table's, and whether the last run left the table being applied.
pub struct Agreement {
    table: Result<MembersTable, String>,
    disagreeing: Vec<String>,
}

impl Agreement {
    pub fn load(dir: &Path) -> Agreement {
        Agreement {
            table: MembersTable::load(dir).map_err(|e| crate::error_chain(&e)),
            disagreeing: Vec::new(),
        }
    }

    /// Notes a record whose names are not what the table gives.
    pub fn see(&mut self, q: &crate::record::Question) {
        if let Ok(table) = &self.table {
            let mut again = q.clone().without_looked_up();
            again.look_up_names(|id| table.get(id).cloned());
            if again != *q {
                self.disagreeing.push(q.id.clone());
            }
        }
    }

    /// What is wrong, if anything.
    pub fn problems(mut self) -> Vec<String> {
        let table = match self.table {
            Err(e) => return vec![format!("the members table cannot be read: {e}")],
            Ok(table) => table,
        };
        let mut out = Vec::new();
        if table.needs_repair() {
            out.push(
                "an ingest stopped while applying the members table: the next ingest brings \
                 the records in line with it"
                    .to_string(),
            );
        }
        if !self.disagreeing.is_empty() {
            self.disagreeing.sort();
            out.push(format!(
                "{} record(s) name members otherwise than the members table (the first: {})",
                self.disagreeing.len(),
                self.disagreeing[0]
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: u32, name: &str) -> Member {
        Member {
            id,
            name: name.into(),
            party: Some("Labour".into()),
            constituency: None,
            house: None,
        }
    }

    #[test]
    fn the_table_survives_a_reload_and_remembers_an_interrupted_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut table = MembersTable::load(dir.path()).unwrap();
        assert!(table.is_empty() && !table.dirty());
        assert!(table.put(member(1, "A")));
        assert!(
            !table.put(member(1, "A")),
            "the same member changes nothing"
        );
        assert!(table.put(member(1, "B")));
        assert_eq!(table.changed().iter().copied().collect::<Vec<_>>(), [1]);

        // Killed between writing the table and the end of the commit.
        table.save_applying(dir.path()).unwrap();
        let reloaded = MembersTable::load(dir.path()).unwrap();
        assert!(reloaded.needs_repair() && reloaded.dirty());
        assert_eq!(reloaded.get(1).unwrap().name, "B");

        table.save_applied(dir.path()).unwrap();
        let reloaded = MembersTable::load(dir.path()).unwrap();
        assert!(!reloaded.dirty());
        assert_eq!(reloaded.len(), 1);

        std::fs::write(dir.path().join(MEMBERS_FILE), b"{broken").unwrap();
        let err = MembersTable::load(dir.path()).unwrap_err();
        assert!(format!("{err:#}").contains(MEMBERS_FILE), "{err:#}");
    }
}
