//! The segmenter before the fifth round of issue #14 (main 9dc3d1c), kept
//! verbatim as the oracle of the segmenter's property tests: the rewrite
//! must give the same sentences on every text. Test-only.

use super::{Sentence, SentenceKind};
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Default)]
pub struct Segmenter {
    unicode_only: bool,
}

impl Segmenter {
    pub fn new() -> Self {
        Segmenter::default()
    }

    pub fn unicode_only() -> Self {
        Segmenter { unicode_only: true }
    }

    pub fn split(&self, text: &str) -> Vec<Sentence> {
        let mut out = Vec::new();
        self.split_into(text, &mut out);
        out
    }

    pub fn split_into(&self, text: &str, out: &mut Vec<Sentence>) {
        self.split_reusing(text, out, &mut SplitScratch::default());
    }

    pub(crate) fn split_reusing(
        &self,
        text: &str,
        out: &mut Vec<Sentence>,
        scratch: &mut SplitScratch,
    ) {
        let mut lines = std::mem::take(&mut scratch.lines);
        classify_lines(text, &mut lines);
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            match line.kind {
                LineKind::Blank | LineKind::Noise => i += 1,
                LineKind::Table => {
                    out.push(Sentence {
                        start: line.start,
                        end: line.end,
                        kind: SentenceKind::TableRow,
                    });
                    i += 1;
                }
                LineKind::Bullet | LineKind::Faq | LineKind::MarkdownHeading => {
                    let kind = match line.kind {
                        LineKind::Bullet => SentenceKind::Bullet,
                        LineKind::Faq => SentenceKind::Faq,
                        _ => SentenceKind::Heading,
                    };
                    self.split_unit(text, line.start, line.end, kind, scratch, out);
                    i += 1;
                }
                LineKind::Prose => {
                    let block_end = lines[i..]
                        .iter()
                        .position(|l| l.kind != LineKind::Prose)
                        .map_or(lines.len(), |p| i + p);
                    let block = &lines[i..block_end];
                    let wrapped = is_hard_wrapped(text, block);
                    let mut j = 0;
                    while j < block.len() {
                        let mut k = j;
                        while k + 1 < block.len()
                            && joins_next(text, &block[k], &block[k + 1], wrapped)
                        {
                            k += 1;
                        }
                        let (start, end) = (block[j].start, block[k].end);
                        let kind = if j == k && looks_like_heading(&text[start..end]) {
                            SentenceKind::Heading
                        } else {
                            SentenceKind::Prose
                        };
                        self.split_unit(text, start, end, kind, scratch, out);
                        j = k + 1;
                    }
                    i = block_end;
                }
            }
        }
        scratch.lines = lines;
    }

    fn split_unit(
        &self,
        text: &str,
        start: usize,
        end: usize,
        kind: SentenceKind,
        scratch: &mut SplitScratch,
        out: &mut Vec<Sentence>,
    ) {
        let SplitScratch {
            unit: joined,
            bounds,
            pieces,
            cuts,
            ..
        } = scratch;
        let raw = &text[start..end];
        let unit: &str = if memchr::memchr2(b'\n', b'\r', raw.as_bytes()).is_some() {
            joined.clear();
            let mut from = 0;
            for i in memchr::memchr2_iter(b'\n', b'\r', raw.as_bytes()) {
                joined.push_str(&raw[from..i]);
                joined.push(' ');
                from = i + 1;
            }
            joined.push_str(&raw[from..]);
            joined
        } else {
            raw
        };
        if self.unicode_only || !fast_path_applies(unit) {
            unicode_breaks(unit, bounds);
        } else {
            fast_breaks(unit, bounds);
        }
        let mut seg_start = 0;
        pieces.clear();
        for (n, &b) in bounds.iter().enumerate() {
            let last = n + 1 == bounds.len();
            if !last && continues_after_abbreviation(unit, seg_start, b) {
                continue;
            }
            pieces.push((seg_start, b));
            seg_start = b;
        }
        for &(s, e) in pieces.iter() {
            let mut from = s;
            run_on_breaks(unit, s, e, cuts);
            for &cut in cuts.iter() {
                push_trimmed(unit, start, from, cut, kind, out);
                from = cut;
            }
            push_trimmed(unit, start, from, e, kind, out);
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SplitScratch {
    lines: Vec<Line>,
    unit: String,
    bounds: Vec<usize>,
    pieces: Vec<(usize, usize)>,
    cuts: Vec<usize>,
}

fn push_trimmed(
    unit: &str,
    base: usize,
    s: usize,
    e: usize,
    kind: SentenceKind,
    out: &mut Vec<Sentence>,
) {
    let piece = &unit[s..e];
    let trimmed = piece.trim_start();
    let s2 = s + (piece.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if trimmed.chars().any(char::is_alphanumeric) {
        out.push(Sentence {
            start: base + s2,
            end: base + s2 + trimmed.len(),
            kind,
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Noise,
    Table,
    Bullet,
    Faq,
    MarkdownHeading,
    Prose,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    line_start: usize,
    kind: LineKind,
}

fn classify_lines(text: &str, lines: &mut Vec<Line>) {
    lines.clear();
    let mut pos = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|i| i + 1)
        .chain((!text.ends_with('\n') && !text.is_empty()).then_some(text.len()));
    for end in ends {
        let raw = &text[pos..end];
        let line_start = pos;
        pos = end;
        let body = raw.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let start = line_start + (body.len() - trimmed.len());
        let trimmed = trimmed.trim_end();
        let end = start + trimmed.len();
        let (kind, marker) = classify(trimmed);
        lines.push(Line {
            start: start + marker,
            end,
            line_start,
            kind,
        });
    }
}

fn classify(line: &str) -> (LineKind, usize) {
    if line.is_empty() {
        return (LineKind::Blank, 0);
    }
    if !line.chars().any(char::is_alphanumeric) {
        return (LineKind::Noise, 0);
    }
    if line.starts_with('|') {
        return (LineKind::Table, 0);
    }
    if line.starts_with("Q:") || line.starts_with("A:") {
        return (LineKind::Faq, 0);
    }
    if line.starts_with('#') {
        let hashes = line.len() - line.trim_start_matches('#').len();
        let rest = &line[hashes..];
        if hashes <= 6 && rest.starts_with([' ', '\t']) {
            return (
                LineKind::MarkdownHeading,
                line.len() - rest.trim_start().len(),
            );
        }
    }
    let mut marker = list_marker(line).unwrap_or(0);
    if marker > 0 && !line.starts_with(|c: char| c.is_ascii_digit()) {
        marker += list_marker(&line[marker..]).unwrap_or(0);
    }
    if marker > 0 {
        return (LineKind::Bullet, marker);
    }
    (LineKind::Prose, 0)
}

fn list_marker(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, c) = chars.next()?;
    let after = if matches!(c, '-' | '*' | '+' | '•' | '–' | '—' | '·' | '▪') {
        c.len_utf8()
    } else if c.is_ascii_digit() {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 3 || !matches!(s.as_bytes().get(digits), Some(b'.' | b')')) {
            return None;
        }
        digits + 1
    } else {
        return None;
    };
    let rest = &s[after..];
    let spaced = rest.trim_start_matches([' ', '\t', '\u{a0}']);
    if spaced.len() == rest.len() || spaced.is_empty() {
        return None;
    }
    Some(s.len() - spaced.len())
}

fn is_hard_wrapped(text: &str, block: &[Line]) -> bool {
    if block.len() < 3 {
        return false;
    }
    let mut wide = 0;
    for (n, l) in block.iter().enumerate() {
        let w = char_count(&text[l.line_start..l.end]);
        if w > 100 {
            return false;
        }
        wide += usize::from(w >= 40 && n + 1 < block.len());
    }
    wide * 2 >= block.len() - 1
}

fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn at_most_chars(s: &str, n: usize) -> bool {
    s.len() <= n || (s.len() <= 4 * n && s.chars().count() <= n)
}

fn joins_next(text: &str, a: &Line, b: &Line, wrapped: bool) -> bool {
    let a_text = &text[a.start..a.end];
    let b_text = &text[b.start..b.end];
    let first = b_text.chars().next().unwrap_or(' ');
    let continues_lower = first.is_lowercase() || first.is_ascii_digit();
    if wrapped {
        !(looks_like_heading(a_text)
            && at_most_chars(a_text, 39)
            && title_case(a_text)
            && !continues_lower)
    } else {
        continues_lower && !ends_sentence(a_text)
    }
}

const TITLE_MINOR: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "vs",
    "with",
];

pub(super) fn title_case(s: &str) -> bool {
    let words: Vec<&str> = s
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let capital = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    let Some(last) = words.last() else {
        return false;
    };
    let content: Vec<&&str> = words
        .iter()
        .filter(|w| !TITLE_MINOR.contains(&w.to_lowercase().as_str()))
        .collect();
    capital(last) && content.iter().filter(|w| capital(w)).count() * 3 >= content.len() * 2
}

pub(super) fn ends_sentence(s: &str) -> bool {
    let core = s.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»']);
    core.ends_with(['.', '!', '?', '…', ':'])
}

fn looks_like_heading(s: &str) -> bool {
    !ends_sentence(s) && at_most_chars(s, 160)
}

fn unicode_breaks(unit: &str, out: &mut Vec<usize>) {
    out.clear();
    for (i, s) in unit.split_sentence_bound_indices() {
        out.push(i + s.len());
    }
}

pub(crate) fn is_fast_punct(c: char) -> bool {
    matches!(
        c,
        '\u{a0}'
            | '\u{2002}'
            | '\u{2003}'
            | '\u{2009}'
            | '\u{2011}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{2026}'
            | '\u{2022}'
            | '\u{ab}'
            | '\u{bb}'
    )
}

pub(crate) fn fast_path_applies(s: &str) -> bool {
    if crate::bytes::all_bytes(s.as_bytes(), |b| (0x20..0x7f).contains(&b) | (b == b'\t')) {
        return true;
    }
    s.chars()
        .all(|c| (' '..='~').contains(&c) || c == '\t' || is_fast_punct(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sb {
    Other,
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
}

fn sb_class(c: char) -> Sb {
    match c {
        'a'..='z' => Sb::Lower,
        'A'..='Z' => Sb::Upper,
        '0'..='9' => Sb::Numeric,
        '.' => Sb::ATerm,
        '!' | '?' => Sb::STerm,
        ' ' | '\t' | '\u{a0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => Sb::Sp,
        '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | '\u{2018}' | '\u{2019}' | '\u{201c}'
        | '\u{201d}' | '\u{ab}' | '\u{bb}' => Sb::Close,
        ',' | '-' | ':' | ';' | '\u{2013}' | '\u{2014}' => Sb::SContinue,
        _ => Sb::Other,
    }
}

fn fast_breaks(unit: &str, out: &mut Vec<usize>) {
    out.clear();
    let bytes = unit.as_bytes();
    let class_at = |pos: usize| -> Option<(Sb, usize)> {
        let c = unit[pos..].chars().next()?;
        Some((sb_class(c), c.len_utf8()))
    };
    let skip = |mut pos: usize, want: Sb| {
        while let Some((c, len)) = class_at(pos) {
            if c != want {
                break;
            }
            pos += len;
        }
        pos
    };
    for p in memchr::memchr3_iter(b'.', b'!', b'?', bytes) {
        let aterm = match bytes[p] {
            b'.' => true,
            b'!' | b'?' => false,
            _ => continue,
        };
        let r = skip(skip(p + 1, Sb::Close), Sb::Sp);
        let Some((next, _)) = class_at(r) else {
            continue; // the end of the unit is always a break
        };
        if aterm && r == p + 1 {
            if next == Sb::Numeric {
                continue;
            }
            if next == Sb::Upper && p > 0 && bytes[p - 1].is_ascii_alphabetic() {
                continue;
            }
        }
        if aterm {
            let first_letter = unit[r..]
                .chars()
                .map(sb_class)
                .find(|c| matches!(c, Sb::Upper | Sb::Lower | Sb::ATerm | Sb::STerm));
            if first_letter == Some(Sb::Lower) {
                continue;
            }
        }
        if matches!(next, Sb::SContinue | Sb::ATerm | Sb::STerm) {
            continue;
        }
        out.push(r);
    }
    out.push(unit.len());
}

fn is_title(word: &str) -> bool {
    matches!(
        word,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "Prof"
            | "Gen"
            | "Lt"
            | "Col"
            | "Maj"
            | "Capt"
            | "Cpt"
            | "Sgt"
            | "Cpl"
            | "Adm"
            | "Cmdr"
            | "Brig"
            | "Sen"
            | "Rep"
            | "Gov"
            | "Pres"
            | "Rev"
            | "Hon"
            | "Amb"
            | "Supt"
            | "Insp"
            | "Mt"
            | "Ft"
            | "Messrs"
            | "Mme"
            | "Mlle"
            | "Gens"
            | "Sens"
            | "Reps"
            | "vs"
            | "approx"
            | "ca"
            | "cf"
    )
}

fn is_before_number(word: &str) -> bool {
    matches!(
        word,
        "No" | "Nos"
            | "no"
            | "nos"
            | "Art"
            | "art"
            | "Vol"
            | "vol"
            | "p"
            | "pp"
            | "Fig"
            | "fig"
            | "Sec"
            | "sec"
            | "Ch"
            | "ch"
            | "Nr"
            | "para"
            | "Para"
    ) || is_month(word)
}

fn is_usually_inside(word: &str) -> bool {
    matches!(
        word,
        "Inc"
            | "Co"
            | "Corp"
            | "Ltd"
            | "Bros"
            | "Jr"
            | "Sr"
            | "St"
            | "Ave"
            | "Blvd"
            | "Dept"
            | "Univ"
            | "Gov't"
            | "est"
            | "incl"
    ) || is_month(word)
}

fn is_month(word: &str) -> bool {
    matches!(
        word,
        "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
    )
}

fn is_sentence_starter(word: &str) -> bool {
    matches!(
        word,
        "The"
            | "A"
            | "An"
            | "He"
            | "She"
            | "It"
            | "They"
            | "We"
            | "I"
            | "You"
            | "But"
            | "And"
            | "Yet"
            | "So"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "There"
            | "Here"
            | "His"
            | "Her"
            | "Its"
            | "Their"
            | "Our"
            | "My"
            | "In"
            | "On"
            | "At"
            | "As"
            | "If"
            | "When"
            | "While"
            | "After"
            | "Before"
            | "Since"
            | "However"
            | "Meanwhile"
            | "Still"
            | "Some"
            | "Many"
            | "Most"
            | "No"
            | "Not"
            | "Officials"
            | "Asked"
            | "What"
            | "Why"
            | "How"
            | "Who"
            | "Where"
            | "Earlier"
            | "Later"
            | "Last"
            | "Now"
            | "Then"
            | "Such"
            | "One"
            | "Two"
            | "Both"
    )
}

pub(super) fn continues_after_abbreviation(unit: &str, seg_start: usize, b: usize) -> bool {
    let before = unit[seg_start..b].trim_end();
    let Some(stem) = before.strip_suffix('.') else {
        return false;
    };
    let word_start = stem
        .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '‘' | '[' | '/'))
        .map_or(0, |p| {
            p + stem[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &stem[word_start..];
    if word.is_empty() {
        return false;
    }
    let next = next_word(&unit[b..]);
    let next_is_number = next.starts_with(|c: char| c.is_ascii_digit());
    let next_starts_sentence = is_sentence_starter(next);
    if is_title(word) {
        return true;
    }
    if is_before_number(word) && next_is_number {
        return true;
    }
    if is_usually_inside(word) {
        return !next_starts_sentence;
    }
    let is_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    let is_dotted = word.contains('.')
        && word
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    (is_initial || is_dotted) && !next_starts_sentence
}

fn next_word(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[')
    });
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '\''))
        .unwrap_or(s.len());
    &s[..end]
}

fn run_on_breaks(unit: &str, s: usize, e: usize, cuts: &mut Vec<usize>) {
    let piece = &unit[s..e];
    let bytes = piece.as_bytes();
    cuts.clear();
    for p in memchr::memchr3_iter(b'.', b'!', b'?', bytes) {
        if p == 0 {
            continue;
        }
        let rest = &piece[p + 1..];
        let mut it = rest.chars();
        let (Some(n1), n2) = (it.next(), it.next()) else {
            continue;
        };
        if !n1.is_uppercase() || n2.is_some_and(char::is_uppercase) {
            continue;
        }
        let prev = piece[..p].chars().next_back().unwrap_or(' ');
        if !(prev.is_lowercase() || prev.is_ascii_digit() || matches!(prev, '"' | '”' | '’' | ')'))
        {
            continue;
        }
        let word_start = piece[..p]
            .char_indices()
            .rfind(|(_, c)| c.is_whitespace())
            .map_or(0, |(w, c)| w + c.len_utf8());
        let word = piece[word_start..p].trim_start_matches(['"', '“', '(', '‘']);
        if word.contains(['.', '/', '@', ':', '\\'])
            || is_title(word)
            || is_usually_inside(word)
            || word.chars().filter(|c| c.is_alphanumeric()).count() < 2
        {
            continue;
        }
        cuts.push(s + p + 1);
    }
}
