//! Words as pqsearch indexes and searches them: one analysis of the text, and the word
//! forms a query word may stand for.
//!
//! The heading, question and answer are each indexed once, with positions, as the words
//! that [`WordTokenizer`] finds:
//!
//! - a word is a run of letters and digits; any other character separates words, so
//!   "covid-19" is two words;
//! - lower case, accents folded to ASCII where there is a plain letter ("Türkiye" →
//!   "turkiye", "Môn" → "mon", "Mícheál" → "micheal"); combining accents are dropped;
//! - an apostrophe between two letters joins them, straight or curly: "children's" and
//!   "children’s" are both "childrens", so `"childrens services"` finds either spelling. A
//!   possessive is also indexed as the word itself at the same position ("Act's" as "acts"
//!   and "act", so `"Online Safety Act"` finds "the Online Safety Act's duties"), and a
//!   name such as "O'Brien" as "brien", so that `Brien` finds it;
//! - a word of more than [`MAX_WORD_CHARS`] characters (base64 and table debris) is not
//!   indexed, and a query that asks for one is refused rather than quietly matching nothing.
//!
//! Stemming is not done here. The query decides per search ([`Stem`]) which forms of a
//! word to look for, and the query builder expands a word into the forms that the index's
//! own term dictionary holds: [`light_forms`] for plurals and possessives, Snowball English
//! ([`Stemmer`]) for the full mode. One index serves every mode, and a quoted phrase is
//! always exactly its words.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream,
    Tokenizer,
};

/// The name the word analyzer is registered under.
pub const WORDS: &str = "pq_words";

/// The longest word indexed, in characters (after folding). Real words stop well short of
/// it (the longest place name in the corpus has 58 letters).
pub const MAX_WORD_CHARS: usize = 64;

/// How a plain (unquoted) query word is widened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stem {
    /// Plurals and possessives only: `school` finds "schools" and "school's", `GP` finds
    /// "GPs"; `housing` does not find "house", nor `news` "new".
    #[default]
    Light,
    /// Snowball English stems, as most search engines do, plus the light forms: `housing`
    /// finds "house", "houses" and "housed".
    Full,
    /// The word exactly (case and accents aside).
    None,
}

impl Stem {
    pub fn as_str(self) -> &'static str {
        match self {
            Stem::Light => "light",
            Stem::Full => "full",
            Stem::None => "none",
        }
    }
}

/// The analyzer of every text field: [`WordTokenizer`].
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::default())
}

/// The words of a text as the index holds them (alternative forms included).
pub fn words(text: &str) -> Vec<String> {
    let mut tokenizer = WordTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The words of a query text: the main form of each word, one per position, with the
/// character length of the longest word before it was dropped as too long.
pub fn query_words(text: &str) -> (Vec<String>, usize) {
    let mut tokenizer = WordTokenizer {
        keep_long: true,
        ..WordTokenizer::default()
    };
    let mut stream = tokenizer.token_stream(text);
    let mut out: Vec<String> = Vec::new();
    let mut longest = 0;
    let mut last_position = usize::MAX;
    while let Some(token) = stream.next() {
        if token.position == last_position {
            continue; // an alternative form ("brien" beside "obrien")
        }
        last_position = token.position;
        longest = longest.max(token.text.chars().count());
        out.push(token.text.clone());
    }
    (out, longest)
}

/// Folds one word: lower case, accents removed.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out, &mut Folder::default());
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}' | '`'
    )
}

/// Combining marks (accents typed as separate characters): part of a word, then dropped.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Folds non-ASCII letters with tantivy's ASCII folding (rare enough not to matter for
/// speed).
#[derive(Clone)]
struct Folder(TextAnalyzer);

impl Default for Folder {
    fn default() -> Folder {
        Folder(
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        )
    }
}

/// Appends the folded form of `word` (letters, digits, marks and apostrophes) to `out`.
fn fold_into(word: &str, out: &mut String, folder: &mut Folder) {
    if word.is_ascii() {
        out.extend(
            word.chars()
                .filter(|c| !is_apostrophe(*c))
                .map(|c| c.to_ascii_lowercase()),
        );
        return;
    }
    let kept: String = word
        .chars()
        .filter(|c| !is_apostrophe(*c) && !is_mark(*c))
        .collect();
    let mut stream = folder.0.token_stream(&kept);
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
}

/// Splits text into words (see the module header), lower-cased and accent-folded.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
    folder: Folder,
    /// Keep words longer than [`MAX_WORD_CHARS`] (for queries, which refuse them).
    keep_long: bool,
}

/// A byte range of the text.
type Range = (usize, usize);

pub struct WordStream<'a> {
    text: &'a str,
    at: usize,
    position: usize,
    token: &'a mut Token,
    folder: &'a mut Folder,
    keep_long: bool,
    /// The second form of a word such as "O'Brien" ("brien"), emitted next.
    alternative: Option<Range>,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            at: 0,
            position: 0,
            token: &mut self.token,
            folder: &mut self.folder,
            keep_long: self.keep_long,
            alternative: None,
        }
    }
}

impl WordStream<'_> {
    /// The next word's byte range, and the range of its second form: after the apostrophe
    /// for "O'Brien", before it for a possessive such as "Act's".
    fn next_word(&mut self) -> Option<(usize, usize, Option<Range>)> {
        let bytes = self.text.as_bytes();
        let text = self.text;
        // Skip to the start of a word.
        let mut chars = text[self.at..].char_indices();
        let start = loop {
            let (i, c) = chars.next()?;
            if c.is_alphanumeric() {
                break self.at + i;
            }
        };
        let mut end = start;
        let mut letters_before_apostrophe = None;
        let mut letters = 0usize;
        let mut iter = text[start..].char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if c.is_alphanumeric() || (is_mark(c) && i > 0) {
                if c.is_alphanumeric() {
                    letters += 1;
                }
                end = start + i + c.len_utf8();
            } else if is_apostrophe(c) && iter.peek().is_some_and(|(_, n)| n.is_alphanumeric()) {
                if letters_before_apostrophe.is_none() {
                    letters_before_apostrophe =
                        Some((letters, start + i, start + i + c.len_utf8()));
                }
            } else {
                break;
            }
        }
        debug_assert!(end <= bytes.len());
        self.at = end;
        let alternative = match letters_before_apostrophe {
            Some((1, _, after)) if end - after >= 3 => Some((after, end)),
            Some((_, at, after)) if text[after..end].eq_ignore_ascii_case("s") => Some((start, at)),
            _ => None,
        };
        Some((start, end, alternative))
    }

    fn set(&mut self, from: usize, to: usize) {
        self.token.text.clear();
        fold_into(&self.text[from..to], &mut self.token.text, self.folder);
        self.token.offset_from = from;
        self.token.offset_to = to;
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((from, to)) = self.alternative.take() {
            self.set(from, to);
            return true; // same position as the word it belongs to
        }
        loop {
            let Some((from, to, alternative)) = self.next_word() else {
                return false;
            };
            let position = self.position;
            self.position += 1;
            self.set(from, to);
            if !self.keep_long
                && self.token.text.len() > MAX_WORD_CHARS
                && self.token.text.chars().count() > MAX_WORD_CHARS
            {
                continue; // not indexed, but it keeps its position: phrases do not jump it
            }
            if self.token.text.is_empty() {
                continue;
            }
            self.token.position = position;
            self.alternative = alternative;
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Words ending in s that are not the plural or possessive of the word without it, or
/// whose plural means something else: `news` is not `new`, `arms` not `arm`.
const NOT_PLURALS: &[&str] = &[
    "news",
    "means",
    "arms",
    "goods",
    "commons",
    "lords",
    "customs",
    "damages",
    "premises",
    "economics",
    "politics",
    "physics",
    "mathematics",
    "athletics",
    "linguistics",
    "series",
    "species",
    "headquarters",
    "whereabouts",
    "has",
    "was",
    "is",
    "this",
    "his",
    "its",
    "us",
    "yes",
    "does",
    "goes",
    "gas",
    "as",
    "alias",
    "bias",
    "atlas",
    "canvas",
    "whereas",
    "christmas",
    "always",
    "perhaps",
    "thus",
    "plus",
    "towards",
    "afterwards",
    "upwards",
    "downwards",
    "onwards",
    "besides",
    "sometimes",
    "nhs",
    "ons",
    "wales",
    "less",
    "unless",
    "ours",
    "yours",
    "theirs",
];

/// Plurals that do not end in a plain s, and their singulars.
const IRREGULAR: &[(&str, &str)] = &[
    ("children", "child"),
    ("women", "woman"),
    ("men", "man"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("mice", "mouse"),
    ("geese", "goose"),
    ("criteria", "criterion"),
    ("phenomena", "phenomenon"),
    ("analyses", "analysis"),
    ("crises", "crisis"),
    ("theses", "thesis"),
    ("diagnoses", "diagnosis"),
    ("hypotheses", "hypothesis"),
    ("prognoses", "prognosis"),
    ("knives", "knife"),
    ("wives", "wife"),
    ("lives", "life"),
    ("halves", "half"),
    ("shelves", "shelf"),
    ("thieves", "thief"),
    ("wolves", "wolf"),
    ("calves", "calf"),
    ("selves", "self"),
];

fn irregular_singular(word: &str) -> Option<&'static str> {
    IRREGULAR.iter().find(|(p, _)| *p == word).map(|(_, s)| *s)
}

fn irregular_plural(word: &str) -> Option<&'static str> {
    IRREGULAR.iter().find(|(_, s)| *s == word).map(|(p, _)| *p)
}

fn ends_sibilant(stem: &str) -> bool {
    ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| stem.ends_with(e))
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The word itself and every singular it may be the plural or possessive of (folded word
/// in, folded words out). Unknown words give candidates that are not words ("hous" for
/// "houses"); only forms found in the index are ever searched.
///
/// `acronym` is set for a word typed in capitals ("NHS"), whose final S is its own.
pub fn light_bases(word: &str, acronym: bool) -> Vec<String> {
    let mut out = vec![word.to_string()];
    if acronym || NOT_PLURALS.contains(&word) || !word.is_ascii() {
        return out;
    }
    if let Some(s) = irregular_singular(word) {
        out.push(s.to_string());
        return out;
    }
    let b = word.as_bytes();
    let n = b.len();
    if n < 3 || b[n - 1] != b's' {
        return out;
    }
    let without_s = &word[..n - 1];
    // The possessive of an irregular plural: "childrens".
    if let Some(s) = irregular_singular(without_s) {
        out.push(without_s.to_string());
        out.push(s.to_string());
        return out;
    }
    let before = b[n - 2];
    if before == b's' || before == b'u' || (before == b'i' && n > 3) {
        return out; // class, bus, status, analysis
    }
    if n == 3 && is_vowel(b[1]) {
        return out; // gas, has, yes
    }
    out.push(without_s.to_string());
    if word.ends_with("ies") && n >= 6 {
        out.push(format!("{}y", &word[..n - 3])); // policies
    }
    if word.ends_with("es") && n >= 4 {
        let stem = &word[..n - 2];
        if ends_sibilant(stem) || stem.ends_with('o') {
            out.push(stem.to_string()); // taxes, churches, buses, potatoes
        }
    }
    if word.ends_with("ves") && n >= 5 {
        let stem = &word[..n - 3];
        out.push(format!("{stem}f")); // shelves
        out.push(format!("{stem}fe")); // midwives
    }
    out
}

/// The plural and possessive forms of a singular (folded): candidates to look up.
fn light_plurals(base: &str) -> Vec<String> {
    let mut out = vec![base.to_string(), format!("{base}s"), format!("{base}es")];
    if let Some(p) = irregular_plural(base) {
        out.push(p.to_string());
        out.push(format!("{p}s")); // children's
    }
    let b = base.as_bytes();
    if b.len() >= 2 && b[b.len() - 1] == b'y' && !is_vowel(b[b.len() - 2]) {
        out.push(format!("{}ies", &base[..base.len() - 1]));
    }
    if let Some(stem) = base.strip_suffix("fe").or_else(|| base.strip_suffix('f')) {
        if stem.len() >= 2 {
            out.push(format!("{stem}ves"));
        }
    }
    // Possessives of the plurals ending in s are the plurals themselves; of the others,
    // one more s: "mens" from "men's" is covered above.
    out
}

/// The light forms of a query word that are worth looking up in the index: the word, its
/// singulars, and their plurals and possessives, each kept only when it folds back to one
/// of the word's own singulars (so `new` does not take `news`, nor `live` `lives`).
pub fn light_forms(word: &str, acronym: bool) -> Vec<String> {
    let bases = light_bases(word, acronym);
    let mut out: Vec<String> = vec![word.to_string()];
    for base in &bases {
        for form in light_plurals(base) {
            if out.contains(&form) {
                continue;
            }
            let theirs = light_bases(&form, false);
            if theirs.iter().any(|b| bases.contains(b)) {
                out.push(form);
            }
        }
    }
    out
}

/// Snowball English stems, cached (text repeats its words, and expansions stem many).
pub struct Stemmer {
    analyzer: TextAnalyzer,
    cache: HashMap<String, String>,
}

impl Default for Stemmer {
    fn default() -> Stemmer {
        Stemmer {
            analyzer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(tantivy::tokenizer::Stemmer::new(Language::English))
                .build(),
            cache: HashMap::new(),
        }
    }
}

impl Stemmer {
    /// The Snowball English stem of a folded word.
    pub fn stem(&mut self, word: &str) -> String {
        if let Some(s) = self.cache.get(word) {
            return s.clone();
        }
        let mut stream = self.analyzer.token_stream(word);
        let stem = if stream.advance() {
            stream.token().text.clone()
        } else {
            word.to_string()
        };
        if self.cache.len() > 100_000 {
            self.cache.clear();
        }
        self.cache.insert(word.to_string(), stem.clone());
        stem
    }

    /// The prefixes under which every word with this stem sorts, to scan the term
    /// dictionary: the stem itself, and for stems that Snowball changed at the end
    /// ("polici" from "policy", "hope" from "hoping") the letters before the change.
    pub fn scan_prefixes(stem: &str) -> Vec<String> {
        let mut out = vec![stem.to_string()];
        if let Some(s) = stem.strip_suffix('i') {
            out.push(format!("{s}y"));
        }
        if let Some(s) = stem.strip_suffix('e') {
            if !s.is_empty() {
                out.push(s.to_string());
            }
        }
        // Snowball's exceptions that are not prefixes of their words.
        for (s, w) in [
            ("die", "dying"),
            ("lie", "lying"),
            ("tie", "tying"),
            ("sky", "skies"),
        ] {
            if stem == s {
                out.push(w.to_string());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut t = WordTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while let Some(tok) = s.next() {
            out.push((tok.text.clone(), tok.position));
        }
        out
    }

    #[test]
    fn words_are_lower_cased_folded_and_joined_at_apostrophes() {
        assert_eq!(
            words("Türkiye, Ynys Môn; Mícheál Martin — Dŵr Cymru"),
            ["turkiye", "ynys", "mon", "micheal", "martin", "dwr", "cymru"]
        );
        assert_eq!(
            words("children's services, children’s services, parents' views"),
            [
                "childrens",
                "children",
                "services",
                "childrens",
                "children",
                "services",
                "parents",
                "views"
            ]
        );
        assert_eq!(
            words("covid-19 10:30 e-mail"),
            ["covid", "19", "10", "30", "e", "mail"]
        );
        // Decomposed accents (e + U+0301) fold like composed ones.
        assert_eq!(words("cafe\u{301} Bogota\u{301}"), ["cafe", "bogota"]);
        assert_eq!(words("'quoted' ’curly’"), ["quoted", "curly"]);
    }

    #[test]
    fn names_with_an_apostrophe_after_one_letter_are_also_their_second_part() {
        assert_eq!(
            tokens("Mr O'Brien and Côte d’Ivoire"),
            [
                ("mr".into(), 0),
                ("obrien".into(), 1),
                ("brien".into(), 1),
                ("and".into(), 2),
                ("cote".into(), 3),
                ("divoire".into(), 4),
                ("ivoire".into(), 4),
            ]
        );
        assert_eq!(query_words("O'Brien").0, ["obrien"]);
        assert_eq!(
            tokens("the Act’s duties"),
            [
                ("the".into(), 0),
                ("acts".into(), 1),
                ("act".into(), 1),
                ("duties".into(), 2),
            ]
        );
        assert_eq!(query_words("Act's").0, ["acts"]);
    }

    #[test]
    fn overlong_words_are_skipped_but_keep_their_position() {
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        let ok = "y".repeat(MAX_WORD_CHARS);
        assert_eq!(
            tokens(&format!("a {long} b {ok}")),
            [("a".into(), 0), ("b".into(), 2), (ok.clone(), 3)]
        );
        let (words, longest) = query_words(&format!("a {long}"));
        assert_eq!((words.len(), longest), (2, MAX_WORD_CHARS + 1));
    }

    fn forms(word: &str) -> Vec<String> {
        let mut f = light_forms(word, false);
        f.sort();
        f
    }

    #[test]
    fn light_forms_are_plurals_and_possessives_only() {
        assert!(forms("house").contains(&"houses".to_string()));
        assert!(!forms("house").iter().any(|f| f.starts_with("housing")));
        assert!(forms("houses").contains(&"house".to_string()));
        assert!(forms("gp").contains(&"gps".to_string()));
        assert!(forms("gps").contains(&"gp".to_string()));
        assert!(forms("sme").contains(&"smes".to_string()));
        assert!(forms("policy").contains(&"policies".to_string()));
        assert!(forms("policies").contains(&"policy".to_string()));
        assert!(forms("tax").contains(&"taxes".to_string()));
        assert!(forms("taxes").contains(&"tax".to_string()));
        assert!(forms("child").contains(&"children".to_string()));
        assert!(forms("child").contains(&"childrens".to_string()));
        assert!(forms("childrens").contains(&"child".to_string()));
        assert!(forms("business").contains(&"businesses".to_string()));
        assert!(forms("midwife").contains(&"midwives".to_string()));
        assert!(forms("midwives").contains(&"midwife".to_string()));
        assert!(forms("life").contains(&"lives".to_string()));
        for (word, never) in [
            ("new", "news"),
            ("news", "new"),
            ("arm", "arms"),
            ("arms", "arm"),
            ("busy", "business"),
            ("business", "busy"),
            ("live", "lives"),
            ("gas", "ga"),
            ("has", "ha"),
            ("bus", "bu"),
            ("analysis", "analysi"),
        ] {
            assert!(
                !forms(word).contains(&never.to_string()),
                "{word} ≠ {never}"
            );
        }
        assert!(!light_forms("nhs", true).contains(&"nh".to_string()));
        assert!(light_forms("gps", false).contains(&"gp".to_string()));
    }

    #[test]
    fn snowball_stems_and_their_scan_prefixes() {
        let mut s = Stemmer::default();
        assert_eq!(s.stem("housing"), "hous");
        assert_eq!(s.stem("houses"), "hous");
        assert_eq!(s.stem("policies"), "polici");
        for word in [
            "policy",
            "policies",
            "hoping",
            "dying",
            "skies",
            "generously",
        ] {
            let stem = s.stem(word);
            assert!(
                Stemmer::scan_prefixes(&stem)
                    .iter()
                    .any(|p| word.starts_with(p.as_str())),
                "{word} ({stem})"
            );
        }
    }
}
