//! Answer HTML → plain text.
//!
//! Answers in the API are small, regular HTML fragments (`<p>`, `<ul>`, `<table>`,
//! `<strong>`, `<a>` …), so a tag scanner is enough; a full HTML5 parser would cost more
//! build time than it saves. The rules match how the corpus pages render answers:
//! every block (paragraph, list item, heading, table row) becomes one paragraph, paragraphs
//! are separated by one blank line, a table row's cells are separated by tabs, white space
//! inside a paragraph collapses to single spaces, empty paragraphs disappear and entities
//! are decoded.

/// Converts an HTML fragment to plain text. Text that has no tags is returned with its
/// entities decoded and paragraphs kept.
pub fn html_to_text(html: &str) -> String {
    let mut out = Converter::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.text(&rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            // A lone '<' is text, not a tag.
            out.text(&rest[lt..]);
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        if let Some(skipped) = out.tag(tag, rest) {
            rest = skipped;
        }
    }
    out.text(rest);
    out.finish()
}

#[derive(Default)]
struct Converter {
    out: String,
    para: String,
    /// The cells of the table row being read, when inside `<tr>`.
    row: Option<Vec<String>>,
    /// Whether text is inside a `<td>`/`<th>`.
    in_cell: bool,
}

impl Converter {
    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = html_escape::decode_html_entities(raw);
        for (i, word) in decoded.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.space();
            }
            self.para.push_str(word);
        }
    }

    fn space(&mut self) {
        if !self.para.is_empty() && !self.para.ends_with(' ') {
            self.para.push(' ');
        }
    }

    /// Handles one tag; returns the remaining input when the tag's content is skipped.
    fn tag<'a>(&mut self, tag: &str, rest: &'a str) -> Option<&'a str> {
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "script" | "style" if !closing => {
                let end = format!("</{name}");
                let lower = rest.to_ascii_lowercase();
                let at = lower.find(&end).unwrap_or(rest.len());
                return Some(&rest[at..]);
            }
            "tr" => {
                self.end_cell();
                if let Some(cells) = self.row.take() {
                    self.emit(cells.join("\t"));
                }
                if !closing {
                    self.flush();
                    self.row = Some(Vec::new());
                }
            }
            "td" | "th" => {
                self.end_cell();
                if !closing {
                    if self.row.is_none() {
                        self.flush();
                        self.row = Some(Vec::new());
                    }
                    self.in_cell = true;
                }
            }
            "table" => {
                self.end_cell();
                if let Some(cells) = self.row.take() {
                    self.emit(cells.join("\t"));
                }
                self.flush();
            }
            "p" | "div" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "blockquote" | "br" | "hr" | "pre" | "dd" | "dt" | "dl" | "caption" => {
                if self.in_cell {
                    self.space();
                } else {
                    self.flush();
                }
            }
            _ => {}
        }
        None
    }

    fn end_cell(&mut self) {
        if self.in_cell {
            self.in_cell = false;
            let cell = std::mem::take(&mut self.para).trim().to_string();
            if let Some(row) = self.row.as_mut() {
                row.push(cell);
            }
        }
    }

    /// Ends the current paragraph.
    fn flush(&mut self) {
        let para = std::mem::take(&mut self.para);
        self.emit(para);
    }

    fn emit(&mut self, para: String) {
        let para = para.trim_matches(' ');
        if para.trim().is_empty() {
            return;
        }
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.out.push_str(para);
    }

    fn finish(mut self) -> String {
        self.end_cell();
        if let Some(cells) = self.row.take() {
            self.emit(cells.join("\t"));
        }
        self.flush();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_entities() {
        let html = "<p>For the most &amp; recent:</p><ul><li><p>Headcount  was\n409,820</p></li><li>FTE &pound;1</li></ul><p> </p><p>It&#8217;s <strong>done</strong>.</p>";
        assert_eq!(
            html_to_text(html),
            "For the most & recent:\n\nHeadcount was 409,820\n\nFTE £1\n\nIt\u{2019}s done."
        );
    }

    #[test]
    fn tables_become_tab_separated_rows() {
        let html = "<p>Intro</p><table><tbody><tr><td><p>Year</p></td><td><p>Capital</p><p>(£ million)</p></td></tr><tr><td>2011</td><td>1&nbsp;2</td></tr></tbody></table><p>After</p>";
        assert_eq!(
            html_to_text(html),
            "Intro\n\nYear\tCapital (£ million)\n\n2011\t1 2\n\nAfter"
        );
    }

    #[test]
    fn broken_html_never_panics_and_keeps_text() {
        assert_eq!(html_to_text("a < b and <p"), "a < b and <p");
        assert_eq!(html_to_text("<td>x"), "x");
        assert_eq!(html_to_text("</tr></td>y<script>z"), "y");
        assert_eq!(html_to_text(""), "");
    }
}
