//! Department continuity: the short forms people use for departments, and the
//! machinery-of-government changes that renamed, merged or split them.
//!
//! Parliament's written-questions API names the answering body as it was called when the
//! question was tabled: questions to the housing department are under "Department for
//! Levelling Up, Housing and Communities" until December 2023 and under "Ministry of
//! Housing, Communities and Local Government" from July 2024. A count over one name alone
//! would show a department appear from nothing, or vanish. [`CHANGES`] lists the changes
//! since 2008; [`lineage`] follows them from one name, and [`current_name`] says under which
//! name a lineage's counts are merged (`--follow-renames`, `--merge-renames`).
//!
//! Which changes are followed: a **rename** (one department, a new name) and a **merge**
//! (several departments became one, each handing over its whole remit) join names into one
//! lineage. A **split** (one department's remit shared among several) is never followed,
//! because no successor answers for the whole of the old department: counting every BEIS
//! question as DESNZ's would credit DESNZ with DBT's and DSIT's questions. [`lineage`]
//! reports the splits it did not follow, so that a front end can say so.
//!
//! Sources: the Institute for Government's "Machinery of government changes" explainers and
//! the departments' own announcements on GOV.UK (dates are when the change took effect);
//! the names are the API's `answeringBodyName` values. The corpus itself shows one change,
//! DLUHC to MHCLG: the last question to the old name was tabled on 2023-12-19, the first to
//! the new one on 2024-07-17 (there are none in between).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::date::Date;

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The same department under a new name.
    Rename,
    /// The whole of each old department went into the new one.
    Merge,
    /// Parts of the old department went to each new one.
    Split,
}

/// One machinery-of-government change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The names before the change.
    pub from: &'static [&'static str],
    /// The names after it.
    pub to: &'static [&'static str],
    /// When it took effect, `YYYY-MM-DD`.
    pub date: &'static str,
}

impl Change {
    pub fn date(&self) -> Date {
        self.date.parse().expect("the table's dates are valid")
    }

    /// Whether the change joins its names into one lineage.
    pub fn is_followed(&self) -> bool {
        self.kind != ChangeKind::Split
    }

    /// "A → B (rename, 2024-07-08)".
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            ChangeKind::Rename => "renamed",
            ChangeKind::Merge => "merged",
            ChangeKind::Split => "split",
        };
        format!(
            "{} → {} ({kind} {})",
            self.from.join(" + "),
            self.to.join(" + "),
            self.date
        )
    }
}

const BIS: &str = "Department for Business, Innovation and Skills";
const DECC: &str = "Department of Energy and Climate Change";
const BEIS: &str = "Department for Business, Energy and Industrial Strategy";
const DESNZ: &str = "Department for Energy Security and Net Zero";
const DSIT: &str = "Department for Science, Innovation and Technology";
const DBT: &str = "Department for Business and Trade";
const DIT: &str = "Department for International Trade";
const DCMS: &str = "Department for Culture, Media and Sport";
const DDCMS: &str = "Department for Digital, Culture, Media and Sport";
const FCO: &str = "Foreign and Commonwealth Office";
const DFID: &str = "Department for International Development";
const FCDO: &str = "Foreign, Commonwealth and Development Office";
const DH: &str = "Department of Health";
const DHSC: &str = "Department of Health and Social Care";
const DCLG: &str = "Department for Communities and Local Government";
const MHCLG: &str = "Ministry of Housing, Communities and Local Government";
const DLUHC: &str = "Department for Levelling Up, Housing and Communities";
const DCSF: &str = "Department for Children, Schools and Families";
const DFE: &str = "Department for Education";

/// The machinery-of-government changes since 2008 between answering bodies, oldest first.
pub const CHANGES: &[Change] = &[
    Change {
        kind: ChangeKind::Rename,
        from: &[DCSF],
        to: &[DFE],
        date: "2010-05-12",
    },
    Change {
        kind: ChangeKind::Merge,
        from: &[BIS, DECC],
        to: &[BEIS],
        date: "2016-07-14",
    },
    Change {
        kind: ChangeKind::Rename,
        from: &[DCMS],
        to: &[DDCMS],
        date: "2017-07-03",
    },
    Change {
        kind: ChangeKind::Rename,
        from: &[DH],
        to: &[DHSC],
        date: "2018-01-08",
    },
    Change {
        kind: ChangeKind::Rename,
        from: &[DCLG],
        to: &[MHCLG],
        date: "2018-01-08",
    },
    Change {
        kind: ChangeKind::Merge,
        from: &[FCO, DFID],
        to: &[FCDO],
        date: "2020-09-02",
    },
    Change {
        kind: ChangeKind::Rename,
        from: &[MHCLG],
        to: &[DLUHC],
        date: "2021-09-19",
    },
    Change {
        kind: ChangeKind::Split,
        from: &[BEIS],
        to: &[DESNZ, DSIT, DBT],
        date: "2023-02-07",
    },
    // DIT's whole remit went into DBT, with the business half of BEIS.
    Change {
        kind: ChangeKind::Merge,
        from: &[DIT],
        to: &[DBT],
        date: "2023-02-07",
    },
    // Digital policy went to DSIT; the rest of the department kept going under its old name.
    Change {
        kind: ChangeKind::Rename,
        from: &[DDCMS],
        to: &[DCMS],
        date: "2023-02-07",
    },
    Change {
        kind: ChangeKind::Rename,
        from: &[DLUHC],
        to: &[MHCLG],
        date: "2024-07-08",
    },
];

/// A name's department across renames and merges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lineage {
    /// Every name of the lineage, the one asked about included, sorted.
    pub names: Vec<String>,
    /// The name its counts are merged under: the newest.
    pub current: String,
    /// The renames and merges that join the names, oldest first.
    pub followed: Vec<Change>,
    /// Splits that touch the lineage and were not followed.
    pub splits: Vec<Change>,
}

/// The names joined to `name` by renames and merges, in either direction.
pub fn lineage(name: &str) -> Lineage {
    let mut names: BTreeSet<&str> = BTreeSet::new();
    let mut todo = vec![name];
    while let Some(n) = todo.pop() {
        if !names.insert(n) {
            continue;
        }
        for c in CHANGES.iter().filter(|c| c.is_followed()) {
            if c.from.iter().chain(c.to).any(|m| *m == n) {
                todo.extend(c.from.iter().chain(c.to).copied());
            }
        }
    }
    let touches = |c: &&Change| c.from.iter().chain(c.to).any(|m| names.contains(m));
    let followed: Vec<Change> = CHANGES
        .iter()
        .filter(|c| c.is_followed())
        .filter(touches)
        .copied()
        .collect();
    let splits = CHANGES
        .iter()
        .filter(|c| !c.is_followed())
        .filter(touches)
        .copied()
        .collect();
    let current = followed.last().map_or(name, |c| c.to[0]).to_string();
    Lineage {
        names: names.into_iter().map(str::to_string).collect(),
        current,
        followed,
        splits,
    }
}

/// The name a department's counts are merged under: the newest name of its lineage.
pub fn current_name(name: &str) -> String {
    lineage(name).current
}

/// Short forms that the initials of a name do not give, each with the names it may mean, in
/// order of preference: the first one the index holds is taken. ("FCO" is the old Foreign
/// and Commonwealth Office where an index holds it, and its successor otherwise.)
const SHORT_FORMS: &[(&[&str], &[&str])] = &[
    (&["hmt", "hm treasury", "the treasury"], &["Treasury"]),
    (&["foreign office", "fco"], &[FCO, FCDO]),
    (&["health"], &[DHSC, DH]),
    (&["dh"], &[DH, DHSC]),
    (&["ho"], &["Home Office"]),
    (&["co"], &["Cabinet Office"]),
    (
        &["ago", "attorney general's office", "law officers"],
        &["Attorney General"],
    ),
    (
        &["geo", "equalities", "government equalities office"],
        &["Women and Equalities"],
    ),
    (
        &[
            "no 10",
            "no. 10",
            "number 10",
            "pm",
            "downing street",
            "prime minister's office",
        ],
        &["Prime Minister"],
    ),
    (&["dcms"], &[DCMS, DDCMS]),
    (&["scotland office", "oss"], &["Scotland Office"]),
    (&["wales office", "osw"], &["Wales Office"]),
];

/// The department a short form names, among the names the index holds (`known`).
pub fn short_form(wanted: &str, known: &BTreeSet<String>) -> Option<String> {
    let w = wanted.trim().to_lowercase();
    let w = w.replace('\u{2019}', "'");
    SHORT_FORMS
        .iter()
        .find(|(forms, _)| forms.contains(&w.as_str()))
        .and_then(|(_, names)| names.iter().find(|n| known.contains(**n)))
        .map(|n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        let mut last = "";
        for c in CHANGES {
            assert!(!c.from.is_empty() && !c.to.is_empty());
            assert!(c.date >= last, "{c:?} is out of order");
            last = c.date;
            c.date();
            match c.kind {
                ChangeKind::Rename => assert!(c.from.len() == 1 && c.to.len() == 1),
                ChangeKind::Merge => assert_eq!(c.to.len(), 1),
                ChangeKind::Split => assert!(c.to.len() > 1),
            }
        }
    }

    #[test]
    fn housing_is_one_lineage_under_its_newest_name() {
        for name in [MHCLG, DLUHC, DCLG] {
            let l = lineage(name);
            assert_eq!(l.names, vec![DCLG, DLUHC, MHCLG], "{name}");
            assert_eq!(l.current, MHCLG);
            assert!(l.splits.is_empty());
            assert_eq!(l.followed.last().unwrap().date, "2024-07-08");
        }
    }

    #[test]
    fn merges_are_followed_and_splits_are_not() {
        let fcdo = lineage(FCDO);
        assert_eq!(fcdo.names, vec![DFID, FCO, FCDO]);
        assert_eq!(current_name(FCO), FCDO);
        let desnz = lineage(DESNZ);
        assert_eq!(desnz.names, vec![DESNZ]);
        assert_eq!(desnz.splits.len(), 1);
        let beis = lineage(BEIS);
        assert_eq!(beis.names, vec![BEIS, BIS, DECC]);
        assert_eq!(beis.current, BEIS);
        assert_eq!(lineage(DBT).names, vec![DBT, DIT]);
        assert_eq!(current_name(DDCMS), DCMS);
        assert_eq!(current_name(DH), DHSC);
        assert_eq!(current_name(DCSF), DFE);
        // A name with no history is its own lineage.
        let ho = lineage("Home Office");
        assert_eq!(ho.names, vec!["Home Office"]);
        assert_eq!(ho.current, "Home Office");
        assert!(ho.followed.is_empty());
    }

    #[test]
    fn short_forms_prefer_what_the_index_holds() {
        let known: BTreeSet<String> = [FCDO, "Treasury", "Prime Minister", DHSC]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(short_form("Foreign Office", &known).as_deref(), Some(FCDO));
        assert_eq!(short_form(" FCO ", &known).as_deref(), Some(FCDO));
        assert_eq!(
            short_form("No 10", &known).as_deref(),
            Some("Prime Minister")
        );
        assert_eq!(
            short_form("HM Treasury", &known).as_deref(),
            Some("Treasury")
        );
        assert_eq!(short_form("health", &known).as_deref(), Some(DHSC));
        assert_eq!(short_form("Home Office", &known), None);
        let mut old = known.clone();
        old.insert(FCO.to_string());
        assert_eq!(short_form("FCO", &old).as_deref(), Some(FCO));
    }
}
