//! Snippets: about 200 characters of the question or answer around the query's words,
//! cut at word boundaries, with every matched word marked.
//!
//! The text is split into words exactly as the index splits it ([`WordTokenizer`]), and a
//! word is marked when it is one of the forms the query's words were expanded to, or part
//! of a whole occurrence of one of its phrases or proximity searches, found with the same
//! rule the index used ([`span::find`]). So a phrase never marks its words where they stand
//! alone, and what is marked is what matched.

use std::collections::BTreeMap;

use tantivy::tokenizer::{TokenStream, Tokenizer};

use crate::query::{span, Highlights};
use crate::words::WordTokenizer;

/// The usual length of a snippet, in characters.
pub const SNIPPET_CHARS: usize = 200;
/// How much text to show before the first match.
const LEAD_CHARS: usize = 50;
const ELLIPSIS: &str = "…";

/// A piece of text with the byte ranges of its highlighted words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The highlights as character ranges (what `text[a..b]` means in Python or jq).
    pub fn char_highlights(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(self.highlights.len());
        let mut chars = 0;
        let mut at = 0;
        for &(start, end) in &self.highlights {
            chars += self.text[at..start].chars().count();
            let len = self.text[start..end].chars().count();
            out.push((chars, chars + len));
            chars += len;
            at = end;
        }
        out
    }

    /// The text with each highlight wrapped in `open` and `close`.
    pub fn render(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 8 * self.highlights.len());
        let mut at = 0;
        for &(start, end) in &self.highlights {
            out.push_str(&self.text[at..start]);
            out.push_str(open);
            out.push_str(&self.text[start..end]);
            out.push_str(close);
            at = end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// A word of the text that the query asked for.
#[derive(Debug, Clone)]
struct Match {
    start: usize,
    end: usize,
    /// The query word (or phrase) it belongs to.
    key: usize,
}

/// Tokenizes texts for highlighting.
#[derive(Default)]
pub struct Highlighter {
    tokenizer: WordTokenizer,
}

/// One word of a text: its position and byte range.
struct Word {
    position: u32,
    start: usize,
    end: usize,
    text: String,
}

impl Highlighter {
    /// The best snippet among `texts` (the first wins ties): the one whose window holds the
    /// most distinct query words, then the most matches.
    pub fn best(&mut self, texts: &[&str], hl: &Highlights) -> Snippet {
        let mut best: Option<(&str, Window)> = None;
        for text in texts.iter().filter(|t| !t.is_empty()) {
            let window = self.window(text, hl);
            if best.as_ref().is_none_or(|(_, b)| window.score > b.score) {
                best = Some((text, window));
            }
            if hl.is_empty() {
                break; // nothing to look for: the first text wins
            }
        }
        match best {
            Some((text, w)) => build(text, w.start, w.end, &w.highlights),
            None => Snippet::default(),
        }
    }

    /// The query's words in a text, in order.
    fn matches(&mut self, text: &str, hl: &Highlights) -> Vec<Match> {
        if hl.is_empty() {
            return Vec::new();
        }
        let mut words = Vec::new();
        let mut stream = self.tokenizer.token_stream(text);
        while let Some(t) = stream.next() {
            words.push(Word {
                position: t.position as u32,
                start: t.offset_from,
                end: t.offset_to,
                text: t.text.clone(),
            });
        }
        // (start, end) → key; a word marked twice keeps its first key.
        let mut marked: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for w in &words {
            if let Some(&key) = hl.words.get(&w.text) {
                marked.entry((w.start, w.end)).or_insert(key);
            }
        }
        for s in &hl.spans {
            let slots: Vec<Vec<u32>> = s
                .slots
                .iter()
                .map(|forms| {
                    let mut p: Vec<u32> = words
                        .iter()
                        .filter(|w| forms.contains(&w.text))
                        .map(|w| w.position)
                        .collect();
                    p.dedup();
                    p
                })
                .collect();
            span::find(&slots, s.proximity, |positions| {
                for (slot, &position) in positions.iter().enumerate() {
                    for w in words
                        .iter()
                        .filter(|w| w.position == position && s.slots[slot].contains(&w.text))
                    {
                        marked.entry((w.start, w.end)).or_insert(s.key);
                    }
                }
            });
        }
        // Overlapping ranges (an "O'Brien" marked as itself and as "Brien") keep the wider.
        let mut out: Vec<Match> = Vec::with_capacity(marked.len());
        for ((start, end), key) in marked {
            match out.last_mut() {
                Some(last) if start < last.end => last.end = last.end.max(end),
                _ => out.push(Match { start, end, key }),
            }
        }
        out
    }

    /// The best window of one text and its score.
    fn window(&mut self, text: &str, hl: &Highlights) -> Window {
        let matches = self.matches(text, hl);
        let limit = byte_len_of_chars(text, 0, SNIPPET_CHARS);
        // The window (a run of matches within the length limit) with the most distinct
        // words, then the most matches.
        let mut best = (0usize, 0usize, (0usize, 0usize));
        for i in 0..matches.len() {
            let mut keys: Vec<usize> = Vec::new();
            let mut j = i;
            while j < matches.len()
                && matches[j].end - matches[i].start <= limit.max(matches[i].end - matches[i].start)
            {
                if !keys.contains(&matches[j].key) {
                    keys.push(matches[j].key);
                }
                j += 1;
            }
            let score = (keys.len(), j - i);
            if score > best.2 {
                best = (i, j, score);
            }
        }
        let (first, last, score) = best;
        let start = if matches.is_empty() {
            0
        } else {
            let first_start = matches[first].start;
            let lead = text[..first_start]
                .char_indices()
                .rev()
                .nth(LEAD_CHARS - 1)
                .map_or(0, |(i, _)| i);
            // Lead-in text never pushes the last match of the window out of it.
            let must = matches[last - 1].end;
            let lead = if text[lead..must].chars().count() > SNIPPET_CHARS {
                first_start
            } else {
                lead
            };
            word_start(text, lead, first_start)
        };
        // Cut at a word end, but not so far back that the first match falls out.
        let floor = matches.get(first).map_or(start, |m| m.end);
        let end = word_end(
            text,
            start + byte_len_of_chars(text, start, SNIPPET_CHARS),
            floor,
        );
        let end = end.max(start);
        let highlights = matches
            .iter()
            .filter(|m| m.start >= start && m.end <= end)
            .map(|m| (m.start, m.end))
            .collect();
        Window {
            score,
            start,
            end,
            highlights,
        }
    }
}

/// Where a snippet would be cut from one text, and how well it matches.
struct Window {
    /// Distinct query words, then matches, inside the window.
    score: (usize, usize),
    start: usize,
    end: usize,
    highlights: Vec<(usize, usize)>,
}

/// The byte length of `n` characters of `text` from `from` (or to the end).
fn byte_len_of_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len() - from, |(i, _)| i)
}

/// Moves a start offset forward to the beginning of a word (unless already at one), but
/// never past `limit` (the first match).
fn word_start(text: &str, at: usize, limit: usize) -> usize {
    if at == 0 || text[..at].ends_with(char::is_whitespace) {
        return at;
    }
    match text[at..limit].find(char::is_whitespace) {
        Some(ws) => {
            let after = at + ws;
            (after + text[after..].len() - text[after..].trim_start().len()).min(limit)
        }
        None => at,
    }
}

/// Moves an end offset back to the end of a word (unless at the end of the text), but
/// never before `floor`: a word longer than the snippet is cut instead.
fn word_end(text: &str, at: usize, floor: usize) -> usize {
    if at >= text.len() || text[at..].starts_with(char::is_whitespace) {
        return at.min(text.len());
    }
    if floor >= at {
        return at;
    }
    match text[floor..at].rfind(char::is_whitespace) {
        Some(ws) => floor + ws,
        None => at,
    }
}

/// The snippet text for `text[start..end]` on one line (white space runs become one
/// space), with ellipses where it was cut, and the highlights moved to match.
fn build(text: &str, start: usize, end: usize, highlights: &[(usize, usize)]) -> Snippet {
    let mut out = String::with_capacity(end - start + 2 * ELLIPSIS.len());
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    // map[i] = where byte start+i of the text lands in `out` (needed only to move
    // highlights; most exported rows have none).
    let mut map = vec![
        0usize;
        if highlights.is_empty() {
            0
        } else {
            end - start + 1
        }
    ];
    let mut prev_space = start > 0;
    for (i, c) in text[start..end].char_indices() {
        if let Some(slot) = map.get_mut(i) {
            *slot = out.len();
        }
        if c.is_whitespace() {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    if let Some(slot) = map.get_mut(end - start) {
        *slot = out.len();
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if end < text.len() {
        out.push_str(ELLIPSIS);
    }
    let highlights = highlights
        .iter()
        .map(|&(s, e)| (map[s - start], map[e - start].min(trimmed)))
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::query::build::SpanHighlight;
    use crate::query::span::Proximity;

    fn hl(words: &[&str], phrases: &[&[&str]]) -> Highlights {
        let mut h = Highlights::default();
        for (i, w) in words.iter().enumerate() {
            h.words.insert(w.to_string(), i);
        }
        for (i, p) in phrases.iter().enumerate() {
            h.spans.push(SpanHighlight {
                key: 100 + i,
                slots: p.iter().map(|w| HashSet::from([w.to_string()])).collect(),
                proximity: Proximity::Phrase,
            });
        }
        h
    }

    #[test]
    fn marks_words_and_whole_phrases_only() {
        let mut h = Highlighter::default();
        let s = h.best(
            &["Schools and the Online Safety Bill; small online forums."],
            &hl(&["schools"], &[&["online", "safety", "bill"]]),
        );
        assert_eq!(
            s.render("[", "]"),
            "[Schools] and the [Online] [Safety] [Bill]; small online forums."
        );
    }

    #[test]
    fn character_offsets_count_characters() {
        let mut h = Highlighter::default();
        let s = h.best(
            &["Türkiye’s café and Türkiye"],
            &hl(&["turkiye", "cafe"], &[]),
        );
        let chars: Vec<char> = s.text.chars().collect();
        let marked: Vec<String> = s
            .char_highlights()
            .iter()
            .map(|&(a, b)| chars[a..b].iter().collect())
            .collect();
        assert_eq!(marked, ["Türkiye", "café", "Türkiye"]);
        let bytes: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
        assert_eq!(bytes, ["Türkiye", "café", "Türkiye"]);
    }

    #[test]
    fn long_text_is_cut_at_words_around_the_match() {
        let mut h = Highlighter::default();
        let text = "word ".repeat(100) + "target\n\nafter " + &"tail ".repeat(100);
        let s = h.best(&[&text], &hl(&["target"], &[]));
        assert!(s.text.starts_with("…word word"), "{}", s.text);
        assert!(
            s.text.ends_with("tail …") || s.text.ends_with("tail…"),
            "{}",
            s.text
        );
        assert!(
            s.text.chars().count() <= SNIPPET_CHARS + 2,
            "{}",
            s.text.chars().count()
        );
        assert!(s.render("[", "]").contains("[target] after"), "{}", s.text);
    }

    #[test]
    fn a_word_longer_than_the_snippet_is_cut_not_lost() {
        // Regression: a 300-character URL after the match made the window end before its
        // start, and building the snippet panicked.
        let mut h = Highlighter::default();
        let text = format!("(hospital) https://example.org/{}", "a".repeat(300));
        let s = h.best(&[&text], &hl(&["hospital"], &[]));
        assert_eq!(s.render("[", "]"), "([hospital])…");
        let text = format!(
            "see https://example.org/hospital/{} more words",
            "a".repeat(300)
        );
        let s = h.best(&[&text], &hl(&["hospital"], &[]));
        assert!(s.render("[", "]").contains("/[hospital]/aaa"), "{}", s.text);
        let text = format!("{} (hospital)", "b".repeat(300));
        let s = h.best(&[&text], &hl(&["hospital"], &[]));
        assert!(s.render("[", "]").contains("[hospital]"), "{}", s.text);
    }

    proptest::proptest! {
        #[test]
        fn snippets_never_panic_and_highlight_inside(
            words in proptest::collection::vec("[a-zé'’(),.:/\\- ]{0,60}|x{0,400}", 0..60),
            pick in 0usize..60,
        ) {
            let text = words.join(" ");
            let mut h = Highlighter::default();
            let query = words.get(pick).cloned().unwrap_or_default();
            let found = crate::words::words(&query);
            let mut hls = Highlights::default();
            for (i, w) in found.iter().enumerate() {
                hls.words.insert(w.clone(), i);
            }
            if found.len() > 1 {
                hls.spans.push(SpanHighlight {
                    key: 99,
                    slots: found.iter().map(|w| HashSet::from([w.clone()])).collect(),
                    proximity: Proximity::Phrase,
                });
            }
            let s = h.best(&[&text, "second text"], &hls);
            for &(a, b) in &s.highlights {
                proptest::prop_assert!(a < b && b <= s.text.len());
                proptest::prop_assert!(s.text.is_char_boundary(a) && s.text.is_char_boundary(b));
            }
            let chars = s.char_highlights();
            proptest::prop_assert_eq!(chars.len(), s.highlights.len());
        }
    }

    #[test]
    fn picks_the_text_that_matches_best() {
        let mut h = Highlighter::default();
        let s = h.best(
            &["nothing here", "the answer mentions schools"],
            &hl(&["schools"], &[]),
        );
        assert_eq!(s.render("[", "]"), "the answer mentions [schools]");
        let none = h.best(&["first text", "second"], &hl(&[], &[]));
        assert_eq!(none.text, "first text");
    }
}
