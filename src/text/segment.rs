//! Sentence segmentation: article text to sentences with byte offsets.
//!
//! The pipeline has two layers:
//!
//! 1. **Lines.** News archives carry structure in their lines: headings,
//!    bullet items, markdown table rows and FAQ lines are units of their own,
//!    table separator rows and punctuation-only lines are noise, and
//!    hard-wrapped paragraphs (newswire copy) are joined back together.
//! 2. **Sentences.** Each unit is split with the Unicode sentence rules
//!    (UAX #29, via `unicode-segmentation`) and then corrected for news text:
//!    no split after titles, initials and dotted abbreviations ("Mr.", "F.",
//!    "U.S."), and a split where a full stop runs into the next sentence with
//!    no space ("peace.The"), except inside "U.S.Stance", numbers, URLs and
//!    e-mail addresses.
//!
//! UAX #29 runs at a few tens of MB/s, so units made only of ASCII and the
//! common typographic punctuation of news text (curly quotes, dashes,
//! no-break spaces) go through a hand-written scanner that applies the same
//! UAX #29 rules to that small alphabet. `unicode-segmentation` has no such
//! fast path, which is why this one is written here; a property test proves
//! both paths give identical sentences on that alphabet.

use unicode_segmentation::UnicodeSegmentation;

/// One sentence: `text[start..end]` is the sentence, trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sentence {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Which kind of line the sentence came from.
    pub kind: SentenceKind,
}

impl Sentence {
    /// The sentence's text within the article it was split from.
    pub fn text<'a>(&self, article: &'a str) -> &'a str {
        &article[self.start..self.end]
    }
}

/// The kind of unit a sentence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SentenceKind {
    /// Running text.
    Prose,
    /// A heading line: no closing punctuation, standing on its own line.
    Heading,
    /// A bullet or numbered list item (the marker is not part of the sentence).
    Bullet,
    /// A markdown table row (one sentence per row).
    TableRow,
    /// An FAQ line starting with `Q:` or `A:`.
    Faq,
}

/// Splits article text into sentences.
///
/// ```
/// let text = "Mr. Smith met U.S. envoys.The talks ended.";
/// let s = frametag::Segmenter::new().split(text);
/// let got: Vec<&str> = s.iter().map(|s| s.text(text)).collect();
/// assert_eq!(got, ["Mr. Smith met U.S. envoys.", "The talks ended."]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Segmenter {
    unicode_only: bool,
}

impl Segmenter {
    /// A segmenter using the ASCII fast path where it applies.
    pub fn new() -> Self {
        Segmenter::default()
    }

    /// A segmenter that always uses the full Unicode rules (for tests and
    /// benchmarks of the fast path).
    pub fn unicode_only() -> Self {
        Segmenter { unicode_only: true }
    }

    /// Splits `text` into sentences, in order and non-overlapping.
    pub fn split(&self, text: &str) -> Vec<Sentence> {
        let mut out = Vec::new();
        self.split_into(text, &mut out);
        out
    }

    /// Like [`Segmenter::split`], appending to `out` (which is not cleared).
    pub fn split_into(&self, text: &str, out: &mut Vec<Sentence>) {
        self.split_reusing(text, out, &mut SplitScratch::default());
    }

    /// [`Segmenter::split_into`] with its buffers kept in `scratch`, so
    /// splitting many texts allocates nothing once they have grown.
    pub(crate) fn split_reusing(
        &self,
        text: &str,
        out: &mut Vec<Sentence>,
        scratch: &mut SplitScratch,
    ) {
        let mut lines = std::mem::take(&mut scratch.lines);
        classify_lines(text, &mut lines);
        // Most articles are plain ASCII: one scan of the whole text then
        // stands for the fast-path check of each unit and makes every
        // line's character count its byte length.
        let ascii = is_fast_ascii(text.as_bytes());
        scratch.ascii = ascii;
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
                    let wrapped = is_hard_wrapped(text, block, ascii);
                    let mut j = 0;
                    while j < block.len() {
                        let mut k = j;
                        while k + 1 < block.len()
                            && joins_next(text, &block[k], &block[k + 1], wrapped, ascii)
                        {
                            k += 1;
                        }
                        let (start, end) = (block[j].start, block[k].end);
                        let kind = if j == k && looks_like_heading(&text[start..end], ascii) {
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

    /// Splits one unit `text[start..end]` into sentences.
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
            stops,
            bounds,
            pieces,
            cuts,
            ascii,
            ..
        } = scratch;
        let raw = &text[start..end];
        // Joined lines: the sentence rules treat a line break as a paragraph
        // end, so the Unicode rules split a copy with line breaks as spaces
        // (same byte length). The fast path reads CR and LF as spaces
        // itself, and every later check treats them as it treats a space
        // (they are whitespace, not letters, digits, quotes or brackets),
        // so it splits the text in place.
        let fast = !self.unicode_only && (*ascii || fast_path_applies(raw));
        let unit: &str = if !fast && memchr::memchr2(b'\n', b'\r', raw.as_bytes()).is_some() {
            // Runs between line breaks are copied whole (CR and LF are
            // single bytes, so the copy keeps every offset).
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
        // Every sentence end and run-on cut sits at one of these: found
        // once per unit, a vector at a time.
        stops.clear();
        stops.extend(memchr::memchr3_iter(b'.', b'!', b'?', unit.as_bytes()));
        if fast {
            fast_breaks(unit, stops, bounds);
        } else {
            unicode_breaks(unit, bounds);
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
        let mut next_stop = 0;
        for &(s, e) in pieces.iter() {
            let mut from = s;
            // The pieces are in order and cover the unit: the stops of
            // this one follow those of the one before.
            let first = next_stop;
            while next_stop < stops.len() && stops[next_stop] < e {
                next_stop += 1;
            }
            run_on_breaks(unit, s, e, &stops[first..next_stop], cuts);
            for &cut in cuts.iter() {
                push_trimmed(unit, start, from, cut, kind, out);
                from = cut;
            }
            push_trimmed(unit, start, from, e, kind, out);
        }
    }
}

/// Buffers of [`Segmenter::split_reusing`], kept between texts.
#[derive(Debug, Clone, Default)]
pub(crate) struct SplitScratch {
    lines: Vec<Line>,
    /// A unit with its line breaks replaced by spaces.
    unit: String,
    /// Byte offsets of the unit's full stops, `!` and `?`.
    stops: Vec<usize>,
    bounds: Vec<usize>,
    pieces: Vec<(usize, usize)>,
    cuts: Vec<usize>,
    /// Whether the text being split is all fast-path ASCII
    /// ([`is_fast_ascii`]).
    ascii: bool,
}

/// Pushes `unit[s..e]` trimmed, if it holds any letter or digit.
fn push_trimmed(
    unit: &str,
    base: usize,
    s: usize,
    e: usize,
    kind: SentenceKind,
    out: &mut Vec<Sentence>,
) {
    let piece = &unit[s..e];
    let trimmed = trim_start(piece);
    let s2 = s + (piece.len() - trimmed.len());
    let trimmed = trim_end(trimmed);
    let alnum = match trimmed.as_bytes().first() {
        Some(b) if b.is_ascii_alphanumeric() => true,
        _ => trimmed.chars().any(char::is_alphanumeric),
    };
    if alnum {
        out.push(Sentence {
            start: base + s2,
            end: base + s2 + trimmed.len(),
            kind,
        });
    }
}

/// Whether ASCII byte `b` is whitespace as `char::is_whitespace` has it
/// (space, tab, LF, VT, FF, CR).
fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// `s.trim_start()`, with the ASCII bytes skipped inline: `str::trim_start`
/// is a call per line and decodes each character before testing it.
fn trim_start(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() && is_ascii_space(bytes[i]) {
        i += 1;
    }
    match bytes.get(i) {
        Some(&b) if b >= 0x80 => s[i..].trim_start(),
        _ => &s[i..],
    }
}

/// `s.trim_end()`, with the ASCII bytes skipped inline (see [`trim_start`]).
fn trim_end(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut e = bytes.len();
    while e > 0 && is_ascii_space(bytes[e - 1]) {
        e -= 1;
    }
    match e.checked_sub(1).map(|i| bytes[i]) {
        Some(b) if b >= 0x80 => s[..e].trim_end(),
        _ => &s[..e],
    }
}

// ---------------------------------------------------------------------------
// Lines

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

/// A line's content range (markers and surrounding whitespace excluded).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    /// Byte offset of the line's first byte (before indentation).
    line_start: usize,
    kind: LineKind,
}

/// The lines of `text` (each with its `\n`, as `split_inclusive` cuts
/// them, found with memchr) into `lines` (cleared first).
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
        let mut body_end = raw.len();
        while body_end > 0 && matches!(raw.as_bytes()[body_end - 1], b'\n' | b'\r') {
            body_end -= 1;
        }
        let body = &raw[..body_end];
        let trimmed = trim_start(body);
        let start = line_start + (body.len() - trimmed.len());
        let trimmed = trim_end(trimmed);
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

/// Classifies a trimmed line; returns its kind and the byte length of a
/// leading marker to drop (bullet, number, `#`).
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
    // One marker, or a bullet then a number ("- 1. "); never two numbers.
    let mut marker = list_marker(line).unwrap_or(0);
    if marker > 0 && !line.starts_with(|c: char| c.is_ascii_digit()) {
        marker += list_marker(&line[marker..]).unwrap_or(0);
    }
    if marker > 0 {
        return (LineKind::Bullet, marker);
    }
    (LineKind::Prose, 0)
}

/// The byte length of a list marker and the spaces after it, if `s` starts
/// with one: `- `, `* `, `+ `, `• `, `– `, `— `, `1. `, `12) `.
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

/// True when a block of prose lines looks hard-wrapped (newswire copy):
/// three or more lines, none long, most of a similar width.
fn is_hard_wrapped(text: &str, block: &[Line], ascii: bool) -> bool {
    if block.len() < 3 {
        return false;
    }
    // Lines of 40+ characters among all but the last.
    let mut wide = 0;
    for (n, l) in block.iter().enumerate() {
        let w = if ascii {
            l.end - l.line_start
        } else {
            char_count(&text[l.line_start..l.end], false)
        };
        if w > 100 {
            return false;
        }
        wide += usize::from(w >= 40 && n + 1 < block.len());
    }
    wide * 2 >= block.len() - 1
}

/// The number of characters of `s` (its length when ASCII; `ascii` says
/// that it is).
fn char_count(s: &str, ascii: bool) -> usize {
    if ascii || s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Whether `s` has at most `n` characters, counting only when its length
/// leaves it open (a character takes 1 to 4 bytes; `ascii` says that `s`
/// is ASCII).
fn at_most_chars(s: &str, n: usize, ascii: bool) -> bool {
    s.len() <= n || (!ascii && s.len() <= 4 * n && char_count(s, false) <= n)
}

/// Whether prose line `b` continues the paragraph of prose line `a`.
fn joins_next(text: &str, a: &Line, b: &Line, wrapped: bool, ascii: bool) -> bool {
    // The first character of `b` from its byte when ASCII, and `a` sliced
    // only when a test needs its text (a char-boundary check per slice).
    let first = match text.as_bytes()[b.start..b.end].first() {
        Some(&c) if c < 0x80 => char::from(c),
        _ => text[b.start..b.end].chars().next().unwrap_or(' '),
    };
    let continues_lower = first.is_lowercase() || first.is_ascii_digit();
    let a_text = || &text[a.start..a.end];
    if wrapped {
        // A short unpunctuated line in Title Case before a capitalised one
        // is a heading; wire copy wrapped mid-phrase ("accused the" /
        // "United States ...") is not. The cheap tests go first: most
        // wrapped lines are longer than a heading.
        !(!continues_lower
            && at_most_chars(a_text(), 39, ascii)
            && looks_like_heading(a_text(), ascii)
            && title_case(a_text()))
    } else {
        continues_lower && !ends_sentence(a_text())
    }
}

/// Words that stay lower case in titles.
const TITLE_MINOR: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "vs",
    "with",
];

/// Whether a line reads as Title Case: its last word is capitalised and at
/// least two thirds of its other words (minor words aside) are too.
/// Counted in one pass, with no vector of words and no lower-cased copy.
fn title_case(s: &str) -> bool {
    let capital = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    let (mut last, mut content, mut capitals) = (None, 0usize, 0usize);
    let words = s
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(char::is_alphabetic));
    for w in words {
        last = Some(w);
        if !is_title_minor(w) {
            content += 1;
            capitals += usize::from(capital(w));
        }
    }
    last.is_some_and(capital) && capitals * 3 >= content * 2
}

/// Whether `w` lower-cased is one of [`TITLE_MINOR`]. An ASCII compare
/// gives the same answer: the only non-ASCII character that lower-cases to
/// ASCII is the Kelvin sign (to `k`, in no minor word; a unit test checks
/// every character).
fn is_title_minor(w: &str) -> bool {
    // No minor word is longer than four bytes: most words are decided by
    // their length alone.
    w.len() <= 4 && TITLE_MINOR.iter().any(|m| w.eq_ignore_ascii_case(m))
}

fn ends_sentence(s: &str) -> bool {
    // Most lines end in an ASCII byte that is no closing mark: decided
    // without the trim.
    match s.as_bytes().last() {
        Some(&b) if b < 0x80 && !matches!(b, b'"' | b'\'' | b')' | b']') => {
            matches!(b, b'.' | b'!' | b'?' | b':')
        }
        _ => {
            let core = s.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»']);
            core.ends_with(['.', '!', '?', '…', ':'])
        }
    }
}

fn looks_like_heading(s: &str, ascii: bool) -> bool {
    !ends_sentence(s) && at_most_chars(s, 160, ascii)
}

// ---------------------------------------------------------------------------
// UAX #29 sentence breaks

/// Break positions (ends of raw sentences, the last one `unit.len()`) by
/// the full Unicode rules.
fn unicode_breaks(unit: &str, out: &mut Vec<usize>) {
    out.clear();
    for (i, s) in unit.split_sentence_bound_indices() {
        out.push(i + s.len());
    }
}

/// Non-ASCII characters the fast path knows: their UAX #29 sentence and word
/// classes are those given in [`sb_class`] and the word scanner.
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

/// True when every character of `s` is printable ASCII, a tab, CR, LF,
/// or one of the common typographic characters of [`is_fast_punct`]
/// (the fast path reads CR and LF as spaces, as the unit joined for the
/// Unicode rules has them). The analyzer's word scanner applies on the
/// same alphabet.
pub(crate) fn fast_path_applies(s: &str) -> bool {
    if is_fast_ascii(s.as_bytes()) {
        return true;
    }
    s.chars()
        .all(|c| (' '..='~').contains(&c) || matches!(c, '\t' | '\n' | '\r') || is_fast_punct(c))
}

/// True when every byte of `s` is printable ASCII, a tab, CR or LF (the
/// ASCII part of the fast path's alphabet).
fn is_fast_ascii(s: &[u8]) -> bool {
    // Compares joined with `|`, not `matches!`, so that the check stays
    // branch-free and vectorised (`matches!` cost 8x the instructions).
    // Printable ASCII and LF first: `b + 1` as a signed byte exceeds
    // 0x20 exactly for 0x20..=0x7e, one add and one compare per byte;
    // tabs and CRs are rare, so the full test runs only when that fails.
    let printable_or_lf = |b: u8| (b.wrapping_add(1) as i8 > 0x20) | (b == b'\n');
    let ascii = |b: u8| (0x20..0x7f).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r');
    crate::bytes::all_blocks(s, printable_or_lf) || crate::bytes::all_bytes(s, ascii)
}

/// UAX #29 Sentence_Break classes, for the fast-path alphabet only.
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

/// [`sb_class`] of each ASCII character, looked up by byte instead of a
/// chain of comparisons per character.
const ASCII_SB: [Sb; 128] = {
    let mut table = [Sb::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = sb_class(b as u8 as char);
        b += 1;
    }
    table
};

#[inline]
const fn sb_class(c: char) -> Sb {
    match c {
        'a'..='z' => Sb::Lower,
        'A'..='Z' => Sb::Upper,
        '0'..='9' => Sb::Numeric,
        '.' => Sb::ATerm,
        '!' | '?' => Sb::STerm,
        // CR and LF stand for the spaces of the joined unit.
        ' ' | '\t' | '\n' | '\r' | '\u{a0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => Sb::Sp,
        '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | '\u{2018}' | '\u{2019}' | '\u{201c}'
        | '\u{201d}' | '\u{ab}' | '\u{bb}' => Sb::Close,
        ',' | '-' | ':' | ';' | '\u{2013}' | '\u{2014}' => Sb::SContinue,
        _ => Sb::Other,
    }
}

/// The UAX #29 sentence rules (SB6-SB11) on the fast-path alphabet, which
/// has no separators, Extend or Format characters, and whose CR and LF
/// stand for spaces (the unit as joined), so SB3-SB5 never apply. A break
/// can only follow `SATerm Close* Sp*`, so only the positions after a full
/// stop, `!` or `?` (`stops`, in order) are examined (these are ASCII
/// bytes, which never occur inside a multi-byte character).
fn fast_breaks(unit: &str, stops: &[usize], out: &mut Vec<usize>) {
    out.clear();
    let bytes = unit.as_bytes();
    // ASCII bytes by table and without slicing `unit` (a char-boundary
    // check); other characters decoded.
    let class_at = |pos: usize| -> Option<(Sb, usize)> {
        match *bytes.get(pos)? {
            b if b < 0x80 => Some((ASCII_SB[usize::from(b)], 1)),
            _ => {
                let c = unit[pos..].chars().next()?;
                Some((sb_class(c), c.len_utf8()))
            }
        }
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
    for &p in stops {
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
            // SB6: ATerm × Numeric
            if next == Sb::Numeric {
                continue;
            }
            // SB7: (Upper | Lower) ATerm × Upper
            if next == Sb::Upper && p > 0 && bytes[p - 1].is_ascii_alphabetic() {
                continue;
            }
        }
        // SB8: ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower
        if aterm {
            let first_letter = unit[r..]
                .chars()
                .map(sb_class)
                .find(|c| matches!(c, Sb::Upper | Sb::Lower | Sb::ATerm | Sb::STerm));
            if first_letter == Some(Sb::Lower) {
                continue;
            }
        }
        // SB8a: SATerm Close* Sp* × (SContinue | SATerm)
        if matches!(next, Sb::SContinue | Sb::ATerm | Sb::STerm) {
            continue;
        }
        // SB9, SB10 keep closers and spaces with the sentence; SB11 breaks.
        out.push(r);
    }
    out.push(unit.len());
}

// ---------------------------------------------------------------------------
// News-text corrections
//
// The word lists are `match`es on literals, which the compiler turns into
// inline length and byte compares; `slice.contains` called `memcmp` per
// entry at every candidate sentence end.

/// Titles after which a full stop never ends a sentence.
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

/// Abbreviations that continue the sentence when a number follows.
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

/// Abbreviations that continue the sentence unless a sentence starter follows.
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

/// Month abbreviations ("Jan" ... "Dec", and "Sept"): they continue the
/// sentence before a day number and usually inside it.
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

/// Words that usually start a sentence; after "U.S." or an initial they
/// mean the full stop did end one.
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

/// Whether the UAX #29 break at `b` (end of `unit[seg_start..b]`) follows an
/// abbreviation and so does not end the sentence.
fn continues_after_abbreviation(unit: &str, seg_start: usize, b: usize) -> bool {
    let before = trim_end(&unit[seg_start..b]);
    let Some(stem) = before.strip_suffix('.') else {
        return false;
    };
    let Some(start) = abbreviation_start(stem) else {
        return false;
    };
    let word = &stem[start..];
    if word.is_empty() {
        return false;
    }
    if is_title(word) {
        return true;
    }
    let before_number = is_before_number(word);
    let inside = is_usually_inside(word);
    let one_char = |w: &str| {
        let mut cs = w.chars();
        matches!((cs.next(), cs.next()), (Some(_), None))
    };
    let is_initial = one_char(word) && word.chars().all(char::is_uppercase);
    // Dotted initialisms: U.S, U.K, E.U, a.m, p.m (letters separated by dots).
    let is_dotted = word.bytes().any(|c| c == b'.')
        && word
            .split('.')
            .all(|p| one_char(p) && p.chars().all(char::is_alphabetic));
    // Most full stops follow a plain word: decided without the next word.
    if !(before_number || inside || is_initial || is_dotted) {
        return false;
    }
    let next = next_word(&unit[b..]);
    let next_is_number = next.starts_with(|c: char| c.is_ascii_digit());
    let next_starts_sentence = is_sentence_starter(next);
    if before_number && next_is_number {
        return true;
    }
    if inside {
        return !next_starts_sentence;
    }
    (is_initial || is_dotted) && !next_starts_sentence
}

/// The longest word of the abbreviation lists, in bytes ("Messrs").
const LONGEST_ABBREVIATION: usize = 6;

/// Where the word before a full stop starts in `stem` (the text before
/// it): after the last whitespace, `(`, `"`, `“`, `‘`, `[` or `/`. `None`
/// when the word cannot be an abbreviation: its last
/// `LONGEST_ABBREVIATION + 1` bytes are ASCII with no word start and no
/// full stop, so it is longer than every listed word, not one initial,
/// and not dotted letters. ASCII bytes are tested as bytes; the first
/// non-ASCII one hands the rest of the search to `rfind` on characters.
fn abbreviation_start(stem: &str) -> Option<usize> {
    // Bit `b` set for the ASCII word starts: whitespace as
    // `is_ascii_space` has it, `(`, `"`, `[` and `/` (a mask, not a
    // `match`, which compiled to a mispredicted jump table).
    const STOPS: u128 = (1 << b' ')
        | (1 << b'\t')
        | (1 << b'\n')
        | (1 << 0x0b)
        | (1 << 0x0c)
        | (1 << b'\r')
        | (1 << b'(')
        | (1 << b'"')
        | (1 << b'[')
        | (1 << b'/');
    let bytes = stem.as_bytes();
    let mut i = bytes.len();
    let mut dot = false;
    while i > 0 {
        let b = bytes[i - 1];
        if b >= 0x80 {
            let is_stop =
                |c: char| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '‘' | '[' | '/');
            return Some(stem[..i].rfind(is_stop).map_or(0, |p| {
                p + stem[p..].chars().next().map_or(1, char::len_utf8)
            }));
        }
        if (STOPS >> b) & 1 != 0 {
            return Some(i);
        }
        dot |= b == b'.';
        if !dot && bytes.len() - i == LONGEST_ABBREVIATION {
            return None;
        }
        i -= 1;
    }
    Some(0)
}

/// The first word of `s` after spaces and opening quotes.
fn next_word(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[')
    });
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '\''))
        .unwrap_or(s.len());
    &s[..end]
}

/// Positions inside `unit[s..e]` where a sentence ends with no space before
/// the next one ("peace.The divergence"), excluding abbreviations, dotted
/// initialisms ("U.S.Stance"), numbers, URLs and e-mail addresses.
/// `stops` are the unit offsets of the piece's full stops, `!` and `?`.
/// (Into `cuts`, cleared first.)
fn run_on_breaks(unit: &str, s: usize, e: usize, stops: &[usize], cuts: &mut Vec<usize>) {
    let piece = &unit[s..e];
    cuts.clear();
    for &stop in stops {
        let p = stop - s;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        Segmenter::new()
            .split(text)
            .iter()
            .map(|s| s.text(text))
            .collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_split() {
        let t =
            "Gen. Ivanov met Sen. Walsh and Dr. Ray on Jan. 5 at No. 10 Downing St. in London. \
                 John F. Kennedy was cited. U.S. and U.K. officials met U.N. and E.U. envoys.";
        assert_eq!(
            texts(t),
            [
                "Gen. Ivanov met Sen. Walsh and Dr. Ray on Jan. 5 at No. 10 Downing St. in London.",
                "John F. Kennedy was cited.",
                "U.S. and U.K. officials met U.N. and E.U. envoys."
            ]
        );
    }

    #[test]
    fn dotted_initialism_before_sentence_starter_splits() {
        assert_eq!(
            texts("The envoy flew back to the U.S. The talks resume Monday."),
            [
                "The envoy flew back to the U.S.",
                "The talks resume Monday."
            ]
        );
    }

    #[test]
    fn run_on_full_stops_split_but_not_abbreviations_numbers_urls() {
        assert_eq!(
            texts("It is the heart of any peace.The divergence grows."),
            ["It is the heart of any peace.", "The divergence grows."]
        );
        assert_eq!(
            texts("U.S.Stance and Strategic Dissent"),
            ["U.S.Stance and Strategic Dissent"]
        );
        assert_eq!(
            texts("Inflation hit 3.5 percent, see https://example.org/Report.html or write to press@example.Org today."),
            ["Inflation hit 3.5 percent, see https://example.org/Report.html or write to press@example.Org today."]
        );
        assert_eq!(
            texts("“We will wait... and see,” he said. Then he left."),
            ["“We will wait... and see,” he said.", "Then he left."]
        );
    }

    #[test]
    fn run_on_check_handles_multibyte_spaces() {
        // Regression: a thin space (3 bytes) before a word once sliced
        // inside a character.
        assert_eq!(texts(". \u{2009}e.g.Aa"), [". \u{2009}e.g.Aa"]);
        assert_eq!(
            texts("peace\u{2009}now.The end"),
            ["peace\u{2009}now.", "The end"]
        );
    }

    #[test]
    fn closing_quotes_and_brackets_stay_with_their_sentence() {
        assert_eq!(
            texts("He said: “It is over.” Others disagreed. (The vote was close.) Next."),
            [
                "He said: “It is over.”",
                "Others disagreed.",
                "(The vote was close.)",
                "Next."
            ]
        );
    }

    #[test]
    fn line_structure_is_respected() {
        let t = "Key Points\n- First item. It has two sentences.\n* Second item\n– Third item\n\
                 1. Numbered item\n\n| City | Event |\n|---|---|\n| Kharkiv | Strike on power plant |\n.\n\
                 Q: What is a guarantee?\nA: A promise. Backed by force.\n## What next\nNothing yet";
        let s = Segmenter::new().split(t);
        let got: Vec<(&str, SentenceKind)> = s.iter().map(|x| (x.text(t), x.kind)).collect();
        use SentenceKind::*;
        assert_eq!(
            got,
            [
                ("Key Points", Heading),
                ("First item.", Bullet),
                ("It has two sentences.", Bullet),
                ("Second item", Bullet),
                ("Third item", Bullet),
                ("Numbered item", Bullet),
                ("| City | Event |", TableRow),
                ("| Kharkiv | Strike on power plant |", TableRow),
                ("Q: What is a guarantee?", Faq),
                ("A: A promise.", Faq),
                ("Backed by force.", Faq),
                ("What next", Heading),
                ("Nothing yet", Heading),
            ]
        );
    }

    #[test]
    fn hard_wrapped_newswire_is_joined() {
        let t = "Showers continued throughout the week in the\nBahia cocoa zone, alleviating the drought since\nearly January, the review said. Arrivals rose to\nthe highest level in Comissaria Smith's records.\n";
        assert_eq!(
            texts(t),
            [
                "Showers continued throughout the week in the\nBahia cocoa zone, alleviating the drought since\nearly January, the review said.",
                "Arrivals rose to\nthe highest level in Comissaria Smith's records."
            ]
        );
    }

    #[test]
    fn wire_copy_wrapped_after_a_short_line_is_joined() {
        let t = "The European Community (EC) accused the\nUnited States of violating a political commitment to free trade\nthrough practices including a tax on imported gasoline and a\ncustoms user fee.\n";
        assert_eq!(texts(t).len(), 1, "{:?}", texts(t));
        let t = "Congress passed and sent to President\nReagan a bill that sets energy efficiency standards for home\nappliances, the White House said on Friday after a long wait.\n";
        assert_eq!(texts(t).len(), 1, "{:?}", texts(t));
        // A Title Case line before a wrapped paragraph stays a heading.
        let t = "Key Points of the Plan\nThe ceasefire would begin on Monday under the draft text, and\nmonitors would deploy along the line within two weeks, the\nenvoy said on Tuesday after the talks.\n";
        assert_eq!(texts(t)[0], "Key Points of the Plan");
    }

    #[test]
    fn two_unpunctuated_lines_stay_apart() {
        let t = "Breaking: Moscow Backs Plan as West Urges Security Guarantees for Kyiv Now\nTable of Contents\n";
        assert_eq!(
            texts(t),
            [
                "Breaking: Moscow Backs Plan as West Urges Security Guarantees for Kyiv Now",
                "Table of Contents"
            ]
        );
    }

    #[test]
    fn heading_line_is_not_joined_to_paragraph() {
        let t = "European Voices and The War’s Ground Realities\nPolish officials pushed back on the comments, saying the plan was rejected by Moscow and that missile strikes had intensified.";
        assert_eq!(texts(t).len(), 2);
    }

    #[test]
    fn fast_path_matches_unicode_on_examples() {
        let t =
            "“Yes,” he said. ‘No’ — she replied… (Really?) Mr. X left.\u{a0}Then U.S. aid ended.";
        let a = Segmenter::new().split(t);
        let b = Segmenter::unicode_only().split(t);
        assert_eq!(a, b);
    }

    proptest::proptest! {
        #[test]
        fn char_counts_shortcut_the_exact_count(s in "[a-z é’—😀\n]{0,80}", n in 0usize..40) {
            let count = s.chars().count();
            proptest::prop_assert_eq!(char_count(&s, false), count);
            proptest::prop_assert_eq!(at_most_chars(&s, n, false), count <= n);
        }

        #[test]
        fn fast_ascii_check_tests_every_byte(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    // Tabs and CRs rare, so that most texts take the
                    // first check (and a wrong answer there shows).
                    60 => proptest::sample::select(b"a .\n~ ".to_vec()),
                    1 => proptest::sample::select(b"\t\r".to_vec()),
                    1 => proptest::num::u8::ANY,
                ],
                0..100,
            ),
        ) {
            let want = bytes
                .iter()
                .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'));
            proptest::prop_assert_eq!(is_fast_ascii(&bytes), want);
        }

        #[test]
        fn abbreviations_are_found_as_the_oracle_finds_them(
            lead in "[a-z]{0,3}",
            open in proptest::sample::select(vec!["", " ", "  ", "(", "\"", "\u{201c}", "[", "/", "\u{a0}", "é"]),
            word in proptest::prop_oneof![
                proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                    "Messrs", "approx", "Mlle", "Sept", "Gov't", "Cmdr", "Jan", "No", "Inc", "p",
                    "pp", "para", "incl", "Supt", "A", "U.S", "J.R.R", "a.m", "é", "Київ", "É.U",
                ]), str::to_string),
                "[A-Za-z]{5,9}",
                "[A-Za-z.]{1,9}",
            ],
            gap in proptest::sample::select(vec![" ", "  ", "\n", " \u{a0}"]),
            next in proptest::sample::select(vec!["The", "5", "officials", "Smith", "“We", ""]),
        ) {
            let unit = format!("{lead}{open}{word}.{gap}{next}");
            let b = unit.len() - next.len();
            proptest::prop_assert_eq!(
                continues_after_abbreviation(&unit, 0, b),
                oracle::continues_after_abbreviation(&unit, 0, b),
                "{:?}",
                unit
            );
        }

        #[test]
        fn lines_are_cut_as_split_inclusive_cuts_them(s in "[ab \n\r]{0,60}") {
            let mut lines = Vec::new();
            classify_lines(&s, &mut lines);
            let mut starts = Vec::new();
            let mut pos = 0;
            for raw in s.split_inclusive('\n') {
                starts.push(pos);
                pos += raw.len();
            }
            let got: Vec<usize> = lines.iter().map(|l| l.line_start).collect();
            proptest::prop_assert_eq!(got, starts);
        }

        #[test]
        fn reused_buffers_split_as_fresh_ones(
            texts in proptest::collection::vec(
                "([A-Za-z]{1,8}|[0-9]{1,3}|[ .!?,;:'\"()\n]|Mr\\.|U\\.S\\.|\n\n|- |’|é){0,60}",
                1..6,
            ),
        ) {
            let seg = Segmenter::new();
            let mut scratch = SplitScratch::default();
            for t in &texts {
                let mut reused = Vec::new();
                seg.split_reusing(t, &mut reused, &mut scratch);
                proptest::prop_assert_eq!(reused, seg.split(t));
            }
        }

        #[test]
        fn splits_as_the_oracle_on_lines_of_words(text in oracle_text()) {
            for (seg, old) in [
                (Segmenter::new(), oracle::Segmenter::new()),
                (Segmenter::unicode_only(), oracle::Segmenter::unicode_only()),
            ] {
                proptest::prop_assert_eq!(seg.split(&text), old.split(&text));
            }
            for line in text.lines() {
                proptest::prop_assert_eq!(title_case(line), oracle::title_case(line), "{:?}", line);
            }
        }

        #[test]
        fn trims_and_sentence_ends_as_the_str_methods(
            s in "[ a.!?:\"')\\]\t\n\r\u{b}\u{c}\u{85}\u{a0}\u{2009}\u{3000}é”’»…]{0,12}",
        ) {
            proptest::prop_assert_eq!(trim_start(&s), s.trim_start());
            proptest::prop_assert_eq!(trim_end(&s), s.trim_end());
            proptest::prop_assert_eq!(ends_sentence(&s), oracle::ends_sentence(&s));
        }

        #[test]
        fn splits_as_the_oracle_on_any_pieces(
            text in "([A-Za-z]{1,8}|[0-9]{1,3}|[ .!?,;:'\"()\n\r\t]|Mr\\.|U\\.S\\.|\n\n|\r\n|- |\\* |1\\. |# |\\| a \\| b \\||[’“”‘—–…\u{a0}\u{2011}\u{2009}é€Київ\u{301}\u{200b}\u{2028}\u{85}\u{212a}]){0,80}",
        ) {
            proptest::prop_assert_eq!(
                Segmenter::new().split(&text),
                oracle::Segmenter::new().split(&text)
            );
        }
    }

    /// Words of news text, its punctuation (ASCII and typographic) and
    /// characters outside the fast path, for [`oracle_text`].
    fn oracle_word() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[a-z]{1,9}",
            "[A-Z][a-z]{0,8}",
            "[0-9]{1,4}",
            proptest::sample::select(vec![
                "the",
                "of",
                "and",
                "To",
                "A",
                "In",
                "FOR",
                "U.S.",
                "Mr.",
                "Jan.",
                "No.",
                "Inc.",
                "e.g.",
                "3.5",
                "peace.The",
                "end.",
                "end.\u{201d}",
                "end?",
                "end!",
                "said:",
                "\"Yes,\"",
                "(it)",
                "[a]",
                "\u{2014}",
                "\u{2013}",
                "-",
                "*",
                "\u{2019}s",
                "\u{201c}We",
                "\u{2018}a\u{2019}",
                "\u{2026}",
                "...",
                "\u{ab}x\u{bb}",
                "é",
                "Київ",
                "東京",
                "ǅ",
                "\u{301}",
                "\u{200b}",
                "\u{212a}",
                "İ",
                "\u{a0}",
                "\u{2011}",
                "\u{2009}",
                "\u{2022}",
                "|",
                "#",
                "a/Mr.",
                "(Jan.",
                "\"Dr.",
                "[F.",
                "\u{201c}Gen.",
                "\u{2018}Inc.",
                "é/No.",
                "Київ(Co.",
                "https://x.org/a.b",
                "a@b.c",
                "F.",
                "J.R.R.",
                "a.m.",
                "Q:",
                "1.",
                "12)",
                "_",
                "/",
            ])
            .prop_map(str::to_string),
        ]
    }

    /// Lines of words, some with list, heading, table or FAQ markers,
    /// joined by line breaks of every kind: enough lines of wire-copy
    /// width to take the hard-wrapped paths, and short Title Case ones.
    fn oracle_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        // Mostly prose lines, so that blocks of three and more are common.
        let marker = prop_oneof![
            6 => Just(""),
            1 => proptest::sample::select(vec![
                "  ", "- ", "* ", "\u{2022} ", "1. ", "12) ", "- 2. ", "# ", "## ", "Q: ", "A: ", "| ",
                "|---|", "\t",
            ]),
        ];
        let gap =
            proptest::sample::select(vec![" ", " ", " ", " ", "  ", "\u{a0}", "\t", "\u{2009}"]);
        let line = (
            marker,
            proptest::collection::vec((oracle_word(), gap), 0..16),
        )
            .prop_map(|(m, words)| {
                let mut l = m.to_string();
                for (w, g) in words {
                    l.push_str(&w);
                    l.push_str(g);
                }
                l.trim_end_matches(' ').to_string()
            });
        let brk = proptest::sample::select(vec![
            "\n", "\n", "\n", "\n", "\r\n", "\n\n", "\n   ", " \n", "\r",
        ]);
        proptest::collection::vec((line, brk), 0..14)
            .prop_map(|v| v.into_iter().map(|(l, b)| l + b).collect::<String>())
    }

    #[test]
    fn every_minor_word_is_minor_in_any_case() {
        for m in TITLE_MINOR {
            for w in [
                m.to_string(),
                m.to_uppercase(),
                m[..1].to_uppercase() + &m[1..],
            ] {
                assert!(is_title_minor(&w), "{w}");
                assert!(!is_title_minor(&format!("{w}x")), "{w}x");
            }
        }
        assert!(!is_title_minor("With\u{2019}"));
    }

    #[test]
    fn only_the_kelvin_sign_lower_cases_to_ascii_outside_ascii() {
        let odd: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|c| c.to_lowercase().all(|l| l.is_ascii()))
            .collect();
        assert_eq!(odd, ['\u{212a}']);
        assert!(TITLE_MINOR.iter().all(|m| !m.contains('k')));
    }
}

/// The segmenter before the fifth round of issue #14, the property tests'
/// oracle (in a file of its own: it is test code only).
#[cfg(test)]
#[allow(dead_code)]
#[path = "segment_oracle.rs"]
mod oracle;
