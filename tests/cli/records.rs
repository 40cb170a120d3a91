//! Records analysts can trust (issue 11): member names from the members table in either
//! order of ingest, members known only by id, cut texts flagged and cleared, due dates and
//! overdue questions, official links, grouped questions as ids. Every expected value is
//! computed here from the raw JSON of `../shared/corpus`, never taken from pqsearch.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use pqsearch::record::Question;
use serde_json::Value;

use crate::testenv::{corpus, Ix, TestEnv};

/// Every API item's value, in file order, with its id `<date>/<uin>`.
fn items() -> &'static Vec<(String, Value)> {
    static ITEMS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let mut files: Vec<_> = std::fs::read_dir(corpus().join("api"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            for item in doc["items"].as_array().unwrap() {
                let v = item["value"].clone();
                let id = format!(
                    "{}/{}",
                    &v["dateTabled"].as_str().unwrap()[..10],
                    v["uin"].as_str().unwrap()
                );
                out.push((id, v));
            }
        }
        out
    })
}

/// A member of the members file: name, party, constituency.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMember {
    pub name: String,
    pub party: Option<String>,
    pub constituency: Option<String>,
}

pub fn raw_members() -> &'static HashMap<u64, RawMember> {
    static MEMBERS: OnceLock<HashMap<u64, RawMember>> = OnceLock::new();
    MEMBERS.get_or_init(|| {
        let path = corpus().join("members/commons-2026-06.json");
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let v = &i["value"];
                (
                    v["id"].as_u64().unwrap(),
                    RawMember {
                        name: v["nameDisplayAs"].as_str().unwrap().to_string(),
                        party: v["latestParty"]["name"].as_str().map(str::to_string),
                        constituency: v["latestHouseMembership"]["membershipFrom"]
                            .as_str()
                            .map(str::to_string),
                    },
                )
            })
            .collect()
    })
}

/// The API and the members file ingested members first, and API first; built once.
struct Indexes {
    _env: TestEnv,
    members_first: Ix,
    api_first: Ix,
}

fn indexes() -> &'static Indexes {
    static INDEXES: OnceLock<Indexes> = OnceLock::new();
    INDEXES.get_or_init(|| {
        let env = TestEnv::new();
        let (api, members) = (corpus().join("api"), corpus().join("members"));
        let members_first = env.ingest("members-first", &[&members]);
        env.ingest("members-first", &[&api]);
        let api_first = env.ingest("api-first", &[&api]);
        let run = env
            .run(&["ingest", "--index", "api-first", members.to_str().unwrap()])
            .expect_code(0);
        assert!(
            run.stderr
                .contains("650 member(s) read: 650 new or changed"),
            "{}",
            run.stderr
        );
        Indexes {
            _env: env,
            members_first,
            api_first,
        }
    })
}

fn by_id(ix: &Ix) -> BTreeMap<String, Question> {
    ix.records()
        .into_iter()
        .map(|q| (q.id.clone(), q))
        .collect()
}

#[test]
fn member_names_come_from_the_members_file_in_either_order() {
    let members = raw_members();
    let (mut askers, mut answerers) = (0, 0);
    for (id, v) in items() {
        if members.contains_key(&v["askingMemberId"].as_u64().unwrap()) {
            askers += 1;
        }
        if v["answeringMemberId"]
            .as_u64()
            .is_some_and(|m| members.contains_key(&m))
        {
            answerers += 1;
        }
        assert!(!id.is_empty());
    }
    eprintln!("named askers {askers}, named answerers {answerers}");
    let ix = indexes();
    let first = by_id(&ix.members_first);
    let second = by_id(&ix.api_first);
    assert_eq!(first.len(), items().len());
    for records in [&first, &second] {
        let (mut named_askers, mut named_answerers) = (0, 0);
        for (id, v) in items() {
            let q = &records[id];
            let asker = v["askingMemberId"].as_u64().unwrap();
            assert_eq!(q.asked_by_id.map(u64::from), Some(asker), "{id}");
            match members.get(&asker) {
                Some(m) => {
                    assert_eq!(q.asked_by.as_deref(), Some(m.name.as_str()), "{id}");
                    assert_eq!(q.asked_by_party, m.party, "{id}");
                    assert_eq!(q.asked_by_constituency, m.constituency, "{id}");
                    named_askers += 1;
                }
                None => assert_eq!(q.asked_by, None, "{id}: an unknown member stays an id"),
            }
            let answerer = v["answeringMemberId"].as_u64();
            assert_eq!(q.answered_by_id.map(u64::from), answerer, "{id}");
            match answerer.and_then(|a| members.get(&a)) {
                Some(m) => {
                    assert_eq!(q.answered_by.as_deref(), Some(m.name.as_str()), "{id}");
                    named_answerers += 1;
                }
                None => assert_eq!(q.answered_by, None, "{id}"),
            }
            assert_eq!(
                q.corrected_by_id.map(u64::from),
                v["correctingMemberId"].as_u64(),
                "{id}"
            );
        }
        assert_eq!((named_askers, named_answerers), (askers, answerers));
    }
    // The order of ingest changes nothing but the sources' order of arrival.
    for (id, a) in &first {
        let mut b = second[id].clone();
        b.source.clone_from(&a.source);
        assert_eq!(*a, b, "{id}");
    }
    // 98% of askers and 91% of answerers, as the corpus README says.
    let answered = items()
        .iter()
        .filter(|(_, v)| v["answeringMemberId"].is_u64())
        .count();
    assert!(askers * 100 / items().len() == 98, "{askers}");
    assert!(
        answerers * 100 / answered == 90,
        "{answerers} of {answered}"
    );
}

#[test]
fn an_unknown_member_is_shown_by_id_and_found_by_id() {
    let members = raw_members();
    // The asking member id missing from the members file that asked most.
    let mut missing: HashMap<u64, usize> = HashMap::new();
    for (_, v) in items() {
        let asker = v["askingMemberId"].as_u64().unwrap();
        if !members.contains_key(&asker) {
            *missing.entry(asker).or_default() += 1;
        }
    }
    let (&unknown, &count) = missing.iter().max_by_key(|(id, n)| (**n, **id)).unwrap();
    let ix = &indexes().members_first;
    let found = ix
        .search("*")
        .args(&["--asked-by-id", &unknown.to_string()])
        .json();
    assert_eq!(found.total, count);
    let hit = &found.hits[0];
    assert_eq!(hit["asked_by"], Value::Null);
    let id = hit["id"].as_str().unwrap();
    let shown = ix.call(&["show", id]).run().expect_code(0);
    assert!(
        shown
            .stdout
            .contains(&format!("asked by  member {unknown} (name not known")),
        "{}",
        shown.stdout
    );
    let text = ix
        .search("*")
        .args(&["--asked-by-id", &unknown.to_string(), "-n", "1"])
        .run();
    assert!(
        text.stdout.contains(&format!(" by member {unknown} ")),
        "{}",
        text.stdout
    );

    // A known member, by id and by name, finds the same questions.
    let (&known, member) = members.iter().min_by_key(|(id, _)| **id).unwrap();
    let want = items()
        .iter()
        .filter(|(_, v)| v["askingMemberId"].as_u64() == Some(known))
        .count();
    let by_id = ix.search("*").args(&["--asked-by-id", &known.to_string()]);
    assert_eq!(by_id.total(), want);
    let by_name = ix.search("*").args(&["--asked-by", &member.name]).json();
    assert!(by_name.total >= want, "{} by name", member.name);
    let answering = items()
        .iter()
        .filter(|(_, v)| v["answeringMemberId"].as_u64() == Some(1506))
        .count();
    let by_answerer = ix.search("*").args(&["--answered-by-id", "1506"]);
    assert_eq!(by_answerer.total(), answering);
}

#[test]
fn a_newer_members_file_renames_only_what_came_from_the_table() {
    let env = TestEnv::new();
    let members = raw_members();
    // Two sample questions: one by a member of the file, one by an unknown member.
    let (known_item, unknown_item) = {
        let known = items()
            .iter()
            .find(|(_, v)| members.contains_key(&v["askingMemberId"].as_u64().unwrap()))
            .unwrap();
        let unknown = items()
            .iter()
            .find(|(_, v)| !members.contains_key(&v["askingMemberId"].as_u64().unwrap()))
            .unwrap();
        (known, unknown)
    };
    let known_id = known_item.1["askingMemberId"].as_u64().unwrap();
    let unknown_id = unknown_item.1["askingMemberId"].as_u64().unwrap();
    let list = |values: &[&Value]| {
        let items: Vec<Value> = values
            .iter()
            .map(|v| serde_json::json!({"value": v, "links": []}))
            .collect();
        serde_json::json!({"items": items, "totalResults": items.len()}).to_string()
    };
    env.write("q/questions.json", list(&[&known_item.1, &unknown_item.1]));
    let members_file = corpus().join("members/commons-2026-06.json");
    env.write("m/old.json", std::fs::read(&members_file).unwrap());
    let ix = env.ingest("ix", &[&env.path("q"), &env.path("m")]);
    let q = by_id(&ix);
    assert_eq!(
        q[&known_item.0].asked_by.as_deref(),
        Some(members[&known_id].name.as_str())
    );
    assert_eq!(q[&unknown_item.0].asked_by, None);

    // A newer file: the known member renamed and changed party, the unknown one added.
    let newer = serde_json::json!({"items": [
        {"value": {"id": known_id, "nameDisplayAs": "Renamed Member",
                   "latestParty": {"name": "Independent"},
                   "latestHouseMembership": {"membershipFrom": "Newtown", "house": 1}}},
        {"value": {"id": unknown_id, "nameDisplayAs": "Former Member",
                   "latestParty": {"name": "Labour"},
                   "latestHouseMembership": {"membershipFrom": "Oldtown", "house": 1}}},
    ], "totalResults": 2});
    env.write("m/newer.json", newer.to_string());
    let run = env
        .run(&["ingest", "--index", "ix", env.path("m").to_str().unwrap()])
        .expect_code(0);
    assert!(
        run.stderr
            .contains("names looked up anew for 2 stored record(s)"),
        "{}",
        run.stderr
    );
    let q = by_id(&ix);
    let known = &q[&known_item.0];
    assert_eq!(known.asked_by.as_deref(), Some("Renamed Member"));
    assert_eq!(known.asked_by_party.as_deref(), Some("Independent"));
    assert_eq!(known.asked_by_constituency.as_deref(), Some("Newtown"));
    assert_eq!(
        q[&unknown_item.0].asked_by.as_deref(),
        Some("Former Member")
    );
    assert_eq!(
        ix.search("asked:renamed").total(),
        1,
        "the new name is searchable"
    );
    assert_eq!(
        ix.search("*")
            .args(&["--asked-by", "renamed member"])
            .total(),
        1
    );
    assert_eq!(
        ix.search("*")
            .args(&["--asked-by", &members[&known_id].name])
            .total(),
        0,
        "the old name is gone"
    );

    // One member as the Members API gives it (`GET /api/Members/{id}`) is read the same way.
    env.write(
        "m2/one.json",
        serde_json::json!({"value": {"id": unknown_id, "nameDisplayAs": "Single Member",
            "latestParty": {"name": "Green Party"},
            "latestHouseMembership": {"membershipFrom": "Elsewhere", "house": 1}},
            "links": []})
        .to_string(),
    );
    let parsed = env.run(&["parse", "m2"]).expect_code(0);
    assert_eq!(parsed.json_lines()[0]["member"]["name"], "Single Member");
    env.ingest("ix", &[&env.path("m2")]);
    let q = by_id(&ix);
    assert_eq!(
        q[&unknown_item.0].asked_by.as_deref(),
        Some("Single Member")
    );
    assert_eq!(
        q[&unknown_item.0].asked_by_party.as_deref(),
        Some("Green Party")
    );

    // A name the source gives wins over the table: the same question with its asker
    // expanded (expandMember=true) keeps that name.
    let mut expanded = known_item.1.clone();
    expanded["askingMember"] = serde_json::json!({
        "id": known_id, "name": "Name From The Source", "party": "Party From The Source",
        "memberFrom": "Place From The Source"
    });
    env.write("q2/expanded.json", list(&[&expanded]));
    env.ingest("ix", &[&env.path("q2")]);
    let q = by_id(&ix);
    assert_eq!(
        q[&known_item.0].asked_by.as_deref(),
        Some("Name From The Source")
    );
    assert!(!q[&known_item.0]
        .names_looked_up
        .contains(&pqsearch::record::Role::AskedBy));
}

/// A run killed between writing the members table and committing the records it renamed
/// leaves the table marked; the next run brings the records in line with it.
#[test]
fn a_members_table_left_mid_commit_is_applied_by_the_next_run() {
    let env = TestEnv::new();
    let (id, item) = items()
        .iter()
        .find(|(_, v)| raw_members().contains_key(&v["askingMemberId"].as_u64().unwrap()))
        .unwrap();
    let asker = item["askingMemberId"].as_u64().unwrap();
    let doc = serde_json::json!({"items": [{"value": item}], "totalResults": 1});
    env.write("q/one.json", doc.to_string());
    let ix = env.ingest("ix", &[&env.path("q")]);
    assert_eq!(by_id(&ix)[id].asked_by, None);
    // What a run killed after writing the table (with its mark) and before its commit
    // leaves behind: a table that names the member, and records that do not.
    let table = serde_json::json!({"applying": true, "members": [
        {"id": asker, "name": "Named After A Crash", "party": null, "constituency": null, "house": null}
    ]});
    std::fs::write(ix.path.join("pqsearch-members.json"), table.to_string()).unwrap();
    // check sees it.
    let checked = ix.call(&["check"]).run().expect_code(2);
    assert!(
        checked
            .stdout
            .contains("stopped while applying the members table")
            && checked
                .stdout
                .contains("1 record(s) name members otherwise"),
        "{}",
        checked.stdout
    );
    // Any later ingest, even of nothing new, repairs the records first.
    let run = env
        .run(&["ingest", "--index", "ix", env.path("q").to_str().unwrap()])
        .expect_code(0);
    assert!(
        run.stderr
            .contains("names looked up anew for 1 stored record(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        by_id(&ix)[id].asked_by.as_deref(),
        Some("Named After A Crash")
    );
    let table: Value =
        serde_json::from_slice(&std::fs::read(ix.path.join("pqsearch-members.json")).unwrap())
            .unwrap();
    assert_eq!(table["applying"], false);
    ix.call(&["check"]).run().expect_code(0);
}

/// The cut rules, written again from the data study's description.
fn has_tag(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'<' && {
            let mut j = i + 1;
            if j < b.len() && b[j] == b'/' {
                j += 1;
            }
            j < b.len()
                && b[j].is_ascii_alphabetic()
                && b[j..]
                    .iter()
                    .position(|&c| c == b'>' || c == b'<')
                    .map(|k| b[j + k])
                    == Some(b'>')
        }
    })
}

fn raw_answer_cut(v: &Value) -> bool {
    v["answerText"]
        .as_str()
        .is_some_and(|a| !has_tag(a) && a.chars().count() == 258 && a.ends_with("..."))
}

fn raw_question_cut(v: &Value) -> bool {
    let q = v["questionText"].as_str().unwrap();
    q.chars().count() == 255
        && !v["answerText"].as_str().is_some_and(has_tag)
        && !q.trim_end().ends_with('.')
        && !q.trim_end().ends_with('?')
}

#[test]
fn cut_texts_are_flagged_as_the_raw_files_say() {
    let records = by_id(&indexes().members_first);
    let (mut answers, mut questions) = (0, 0);
    for (id, v) in items() {
        let q = &records[id];
        assert_eq!(q.answer_cut, raw_answer_cut(v), "{id} answer_cut");
        assert_eq!(q.question_cut, raw_question_cut(v), "{id} question_cut");
        answers += usize::from(q.answer_cut);
        questions += usize::from(q.question_cut);
    }
    eprintln!("cut answers {answers}, cut questions {questions}");
    assert_eq!(
        (answers, questions),
        (12_802, 34),
        "the data study's counts"
    );

    let ix = &indexes().members_first;
    let cut = items().iter().find(|(_, v)| raw_answer_cut(v)).unwrap();
    let shown = ix.call(&["show", &cut.0]).run().expect_code(0);
    let url = format!(
        "https://questions-statements.parliament.uk/written-questions/detail/{}",
        cut.0
    );
    assert!(
        shown
            .stdout
            .contains(&format!("(answer cut by the source: full text at {url})")),
        "{}",
        shown.stdout
    );
    // The hit line too: among the questions of that day by that member.
    let day = &cut.0[..10];
    let asker = cut.1["askingMemberId"].to_string();
    let hits = ix
        .search("*")
        .args(&[
            "--from",
            day,
            "--to",
            day,
            "--asked-by-id",
            &asker,
            "-n",
            "1000",
        ])
        .run();
    let block = hits
        .stdout
        .split("\n\n")
        .find(|b| b.contains(&format!("id {}\n", cut.0)))
        .unwrap_or_else(|| panic!("{} not among:\n{}", cut.0, hits.stdout));
    assert!(
        block.contains(&format!("(answer cut by the source: full text at {url})")),
        "{block}"
    );
}

/// Text without tags, entities decoded and white space gone, for comparing an answer's
/// words whatever its layout.
fn bare(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn a_whole_text_of_the_same_question_clears_the_cut_flag() {
    let env = TestEnv::new();
    // A cut answer whose grouped sibling holds the whole answer (they share one answer).
    let by_key: HashMap<&str, &Value> = items().iter().map(|(id, v)| (id.as_str(), v)).collect();
    let (cut_id, cut, whole_html) = items()
        .iter()
        .filter(|(_, v)| raw_answer_cut(v))
        .find_map(|(id, v)| {
            let body = v["answerText"].as_str().unwrap().trim_end_matches('.');
            v["groupedQuestionsDates"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|g| {
                    let sib = format!(
                        "{}/{}",
                        &g["dateTabled"].as_str().unwrap()[..10],
                        g["questionUin"].as_str().unwrap()
                    );
                    let s = by_key.get(sib.as_str())?;
                    let html = s["answerText"].as_str()?;
                    (has_tag(html) && bare(html).starts_with(&bare(body)))
                        .then(|| (id.clone(), (*v).clone(), html.to_string()))
                })
        })
        .expect("a cut answer with a whole sibling");
    let list = |v: &Value| serde_json::json!({"items": [{"value": v}]}).to_string();
    env.write("a/cut.json", list(&cut));
    let ix = env.ingest("ix", &[&env.path("a")]);
    assert!(by_id(&ix)[&cut_id].answer_cut);

    // The single-question endpoint's whole text of the same question.
    let mut whole = cut.clone();
    whole["answerText"] = Value::from(whole_html.clone());
    env.write(
        "b/whole.json",
        serde_json::json!({"value": whole}).to_string(),
    );
    env.ingest("ix", &[&env.path("b")]);
    let q = &by_id(&ix)[&cut_id];
    assert!(!q.answer_cut);
    assert_eq!(bare(q.answer.as_deref().unwrap()), bare(&whole_html));
    // The cut copy again changes nothing.
    env.write("a/cut.json", list(&cut) + " ");
    let run = env
        .run(&["ingest", "--index", "ix", env.path("a").to_str().unwrap()])
        .expect_code(0);
    assert!(
        run.stderr.contains("0 added, 0 updated, 1 duplicate"),
        "{}",
        run.stderr
    );
    assert!(!by_id(&ix)[&cut_id].answer_cut);

    // A page of the question, in the seed's layout, does the same in a fresh index.
    let date = |d: &str| -> String {
        let d = pqsearch::date::Date::parse_api(d).unwrap();
        d.english()
    };
    let paragraphs = whole_html.replace("</p>", "\n\n").replace("<p>", "");
    let page = format!(
        "{}\n\n(asked on {}) - View Source\n\nQuestion to the {}:\n\n{}\n\nAnswered by\nA Minister Portrait\nA Minister\nThis question was answered on {}\n\n{}\n\nReticulating Splines\n",
        cut["heading"].as_str().unwrap_or("Heading"),
        date(cut["dateTabled"].as_str().unwrap()),
        cut["answeringBodyName"].as_str().unwrap(),
        cut["questionText"].as_str().unwrap(),
        date(cut["dateAnswered"].as_str().unwrap()),
        html_escape::decode_html_entities(&paragraphs),
    );
    env.write("c/page.txt", page);
    let ix2 = env.ingest("ix2", &[&env.path("a")]);
    env.ingest("ix2", &[&env.path("c")]);
    let q = &by_id(&ix2)[&cut_id];
    assert!(!q.answer_cut, "{q:?}");
    assert_eq!(q.answered_by.as_deref(), Some("A Minister"));

    // A cut question, and the same question's whole text: a twin of the same wording sent
    // to another department shows what the whole text is.
    let (qid, cut_q) = items().iter().find(|(_, v)| raw_question_cut(v)).unwrap();
    let start = cut_q["questionText"].as_str().unwrap();
    let whole_text = items()
        .iter()
        .map(|(_, v)| v["questionText"].as_str().unwrap())
        .find(|t| t.len() > start.len() && t.starts_with(start))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{start} and the rest of the question."));
    env.write("d/cut.json", list(cut_q));
    let ix3 = env.ingest("ix3", &[&env.path("d")]);
    assert!(by_id(&ix3)[qid].question_cut);
    let mut whole_q = cut_q.clone();
    whole_q["questionText"] = Value::from(whole_text.clone());
    env.write(
        "e/whole.json",
        serde_json::json!({"value": whole_q}).to_string(),
    );
    env.ingest("ix3", &[&env.path("e")]);
    let q = &by_id(&ix3)[qid];
    assert!(!q.question_cut);
    assert_eq!(q.question, whole_text);
}

#[test]
fn due_dates_named_days_and_overdue_as_the_raw_files_say() {
    let records = by_id(&indexes().members_first);
    let mut newest = String::new();
    for (_, v) in items() {
        for key in ["dateTabled", "dateAnswered"] {
            if let Some(d) = v[key].as_str() {
                newest = newest.max(d[..10].to_string());
            }
        }
    }
    let mut overdue = 0;
    for (id, v) in items() {
        let q = &records[id];
        assert_eq!(
            q.date_due.map(|d| d.to_string()),
            Some(v["dateForAnswer"].as_str().unwrap()[..10].to_string()),
            "{id}"
        );
        assert_eq!(q.named_day, v["isNamedDay"].as_bool(), "{id}");
        assert_eq!(
            q.date_corrected.map(|d| d.to_string()),
            v["dateAnswerCorrected"]
                .as_str()
                .map(|d| d[..10].to_string()),
            "{id}"
        );
        let unanswered = v["answerText"].as_str().is_none_or(str::is_empty)
            && v["dateAnswered"].is_null()
            && v["answerIsHolding"] != true
            && v["isWithdrawn"] != true;
        if unanswered && v["dateForAnswer"].as_str().unwrap()[..10] < *newest {
            overdue += 1;
        }
    }
    eprintln!("overdue {overdue} as of {newest}");
    let ix = &indexes().members_first;
    let found = ix.search("*").args(&["--status", "overdue"]).json();
    assert_eq!(found.total, overdue);
    assert!(found
        .hits
        .iter()
        .all(|h| h["status"] == "unanswered" && h["date_due"].as_str().unwrap() < newest.as_str()));
    let text = ix
        .search("*")
        .args(&["--status", "overdue", "-n", "1"])
        .run();
    assert!(
        text.stdout
            .contains(&format!("overdue: unanswered and due before {newest}")),
        "{}",
        text.stdout
    );
    let named = items()
        .iter()
        .filter(|(_, v)| v["isNamedDay"] == true)
        .count();
    assert_eq!(named, 9_804, "the data study's count");
    let (id, _) = items()
        .iter()
        .find(|(_, v)| v["isNamedDay"] == true)
        .unwrap();
    let shown = ix.call(&["show", id]).run().expect_code(0);
    assert!(shown.stdout.contains("(named day)"), "{}", shown.stdout);
}

#[test]
fn official_links_and_grouped_ids_that_show_accepts() {
    let records = by_id(&indexes().members_first);
    for (id, v) in items() {
        let q = &records[id];
        assert_eq!(
            q.url.as_deref(),
            Some(
                format!(
                    "https://questions-statements.parliament.uk/written-questions/detail/{}/{}",
                    &v["dateTabled"].as_str().unwrap()[..10],
                    v["uin"].as_str().unwrap()
                )
                .as_str()
            ),
            "{id}"
        );
        let dates: HashMap<&str, &str> = v["groupedQuestionsDates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["questionUin"].as_str().unwrap(),
                    &g["dateTabled"].as_str().unwrap()[..10],
                )
            })
            .collect();
        let grouped: Vec<String> = v["groupedQuestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let uin = g.as_str().unwrap();
                format!("{}/{uin}", dates[uin])
            })
            .collect();
        assert_eq!(q.grouped_with, grouped, "{id}");
    }
    let ix = &indexes().members_first;
    let (id, q) = records
        .iter()
        .find(|(_, q)| q.grouped_with.iter().any(|g| records.contains_key(g)))
        .unwrap();
    let sibling = q
        .grouped_with
        .iter()
        .find(|g| records.contains_key(*g))
        .unwrap();
    ix.call(&["show", sibling]).run().expect_code(0);
    let shown = ix.call(&["show", id]).run().expect_code(0);
    assert!(shown.stdout.contains(sibling.as_str()), "{}", shown.stdout);

    // A UIN alone: listed when several questions have it, shown when one does.
    let mut by_uin: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, v) in items() {
        by_uin
            .entry(v["uin"].as_str().unwrap())
            .or_default()
            .push(id);
    }
    let (uin, ids) = by_uin.iter().find(|(_, ids)| ids.len() == 3).unwrap();
    let listed = ix.call(&["show", uin]).run().expect_code(0);
    for id in ids {
        assert!(listed.stdout.contains(id), "{id}: {}", listed.stdout);
    }
    assert!(listed.stdout.contains("3 questions"), "{}", listed.stdout);
    let (uin, ids) = by_uin.iter().find(|(_, ids)| ids.len() == 1).unwrap();
    let shown = ix
        .call(&["show", uin, "--format", "json"])
        .run()
        .expect_code(0);
    let record: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(record["id"], ids[0]);
    ix.call(&["show", "99999999"]).run().expect_code(1);
}

#[test]
fn csv_columns_put_ids_after_names() {
    let ix = &indexes().members_first;
    let env = TestEnv::new();
    let asker = items()[0].1["askingMemberId"].to_string();
    let run = env
        .run(&[
            "export",
            "*",
            "--asked-by-id",
            &asker,
            "--index",
            ix.path.to_str().unwrap(),
        ])
        .expect_code(0);
    let header = run.stdout.lines().next().unwrap();
    let columns: Vec<&str> = header.split(',').collect();
    let at = |name: &str| columns.iter().position(|c| *c == name).unwrap();
    assert_eq!(at("asked_by_id"), at("asked_by_constituency") + 1);
    assert_eq!(at("answered_by_id"), at("answered_by_role") + 1);
    assert_eq!(at("url"), at("uin") + 1);
    assert!(at("answer_cut") == at("answer") + 1 && at("question_cut") == at("question") + 1);
}

/// An answer the API gives without a date (7,609 in the corpus) is an answer: the hit line
/// says so instead of showing no status at all; a corrected answer says when and by whom.
#[test]
fn answers_without_a_date_and_corrections_say_so() {
    let ix = &indexes().members_first;
    let undated = items()
        .iter()
        .filter(|(_, v)| {
            v["dateAnswered"].is_null() && v["answerText"].as_str().is_some_and(|a| !a.is_empty())
        })
        .count();
    let records = by_id(ix);
    let counted = records
        .values()
        .filter(|q| q.status.as_str() == "answered" && q.date_answered.is_none())
        .count();
    // Those whose text is the holding wording are holding answers, not answered ones.
    assert!(
        counted <= undated && counted > 7_000,
        "{counted} of {undated}"
    );
    let (id, _) = items()
        .iter()
        .find(|(id, v)| {
            v["dateAnswered"].is_null()
                && v["answerText"].is_string()
                && records[id].status.as_str() == "answered"
        })
        .unwrap();
    let day = &id[..10];
    let uin = id.split('/').nth(1).unwrap();
    let hits = ix
        .search("*")
        .args(&["--from", day, "--to", day, "-n", "1000000"])
        .run();
    let line = hits
        .stdout
        .lines()
        .find(|l| l.ends_with(&format!("id {day}/{uin}")))
        .unwrap();
    assert!(line.contains("· answered (no date given) ·"), "{line}");

    let (id, v) = items()
        .iter()
        .find(|(_, v)| v["dateAnswerCorrected"].is_string())
        .unwrap();
    let shown = ix.call(&["show", id]).run().expect_code(0);
    let corrected = &v["dateAnswerCorrected"].as_str().unwrap()[..10];
    assert!(
        shown
            .stdout
            .contains(&format!("answered, corrected on {corrected} by ")),
        "{}",
        shown.stdout
    );
}
