//! Bounded batches of input for the scoring engine, as the reader thread
//! fills them: records and skips as read, JSON lines still as bytes (one
//! buffer per batch plus offsets), so that the workers parse them in
//! parallel and the reader only cuts lines.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

use crate::error::Location;
use crate::io::input::{parse_json_line, Collect, Item, RecordFields};

/// Entries per batch, and bytes of text (or JSON lines) per batch: bound
/// memory, and the time both CPUs wait at the start (for the first batch)
/// and the end (for the last one to be written). 4,096 / 8 MiB ran 3-4%
/// slower and took 19-23 MB more; 256 / 512 KiB ran no faster than this.
const BATCH_ENTRIES: usize = 1024;
const BATCH_BYTES: usize = 2 << 20;

/// One input item of a batch, in input order.
enum Entry {
    /// A record or skip as read (text files, CSV, JSON arrays, skips).
    Item(Item),
    /// A JSON line not yet parsed: `bytes[start..end]` of the batch, line
    /// `line` of `files[file]`.
    Json {
        file: usize,
        line: u64,
        start: usize,
        end: usize,
    },
}

/// A run of input items in input order.
#[derive(Default)]
pub(crate) struct InputBatch {
    /// The JSON lines' bytes, one after another.
    bytes: Vec<u8>,
    /// The files the JSON lines come from.
    files: Vec<PathBuf>,
    entries: Vec<Entry>,
    /// Bytes of text and JSON lines held.
    size: usize,
}

impl InputBatch {
    /// An empty batch that reads into `bytes` (a used buffer, or a new one).
    fn new(bytes: Option<Vec<u8>>) -> Self {
        let bytes = match bytes {
            Some(mut b) => {
                b.clear();
                b
            }
            // A batch is sent once it holds BATCH_BYTES: room for that and
            // an ordinary line saves growing the buffer line by line.
            None => Vec::with_capacity(BATCH_BYTES + (64 << 10)),
        };
        InputBatch {
            bytes,
            ..InputBatch::default()
        }
    }

    fn is_full(&self) -> bool {
        self.entries.len() >= BATCH_ENTRIES || self.size >= BATCH_BYTES
    }

    /// Cuts the batch into contiguous chunks of about [`CHUNK_BYTES`] of
    /// input, in input order, with what their JSON lines need (the bytes
    /// and file names), shared so that each chunk can go to a different
    /// worker. Chunks rather than single items let a worker write a run of
    /// records' output into one buffer.
    pub(crate) fn into_chunks(self) -> (Arc<BatchInput>, Vec<ChunkEntries>) {
        let InputBatch {
            bytes,
            files,
            entries,
            ..
        } = self;
        let mut chunks: Vec<ChunkEntries> = Vec::new();
        let mut size = usize::MAX;
        for entry in entries {
            if size >= CHUNK_BYTES {
                chunks.push(ChunkEntries(Vec::with_capacity(64)));
                size = 0;
            }
            size += entry.size();
            chunks.last_mut().expect("pushed above").0.push(entry);
        }
        (Arc::new(BatchInput { bytes, files }), chunks)
    }
}

/// The bytes and file names a batch's JSON lines point into.
pub(crate) struct BatchInput {
    bytes: Vec<u8>,
    files: Vec<PathBuf>,
}

impl BatchInput {
    /// The byte buffer, to read into again.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// The entries of one chunk of a batch (see [`InputBatch::into_chunks`]).
pub(crate) struct ChunkEntries(Vec<Entry>);

impl ChunkEntries {
    /// The chunk's items in input order, JSON lines parsed (by
    /// [`parse_json_line`]) as they are taken.
    pub(crate) fn items<'a>(self, input: &'a BatchInput, fields: &'a RecordFields) -> Items<'a> {
        Items {
            entries: self.0.into_iter(),
            input,
            fields,
        }
    }
}

/// Bytes of input (JSON lines or record text) per chunk of a batch, the
/// unit of work of [`InputBatch::into_chunks`]: about 16 chunks per full
/// batch, so that two workers finish the input's last chunks close
/// together, and few buffers for the writing thread. On 100 MB at two
/// threads, 128 and 256 KiB ran 3-6% faster than 64 KiB (1.14-1.16 s
/// against 1.18-1.24 s), 32 KiB no faster than 64.
const CHUNK_BYTES: usize = 128 << 10;

impl Entry {
    /// Bytes of JSON line or text held (at least 1, so that a chunk of
    /// skips still ends).
    fn size(&self) -> usize {
        match self {
            Entry::Item(Item::Record(r)) => r.text.len().max(1),
            Entry::Item(Item::Skip(_)) => 1,
            Entry::Json { start, end, .. } => (end - start).max(1),
        }
    }
}

/// The items of one chunk of a batch, in input order, JSON lines parsed
/// as they are taken.
pub(crate) struct Items<'a> {
    entries: std::vec::IntoIter<Entry>,
    input: &'a BatchInput,
    fields: &'a RecordFields,
}

impl Iterator for Items<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.entries.next().map(|entry| match entry {
            Entry::Item(item) => item,
            Entry::Json {
                file,
                line,
                start,
                end,
            } => parse_json_line(
                &self.input.bytes[start..end],
                self.fields,
                Location::line(&self.input.files[file], line),
            ),
        })
    }
}

/// The reader thread's [`Collect`]: fills batches and hands each full one
/// to `send` (which says false when nobody takes them any more).
pub(crate) struct Batcher<F> {
    batch: InputBatch,
    send: F,
    /// Byte buffers of batches done with, to read into again: a new
    /// buffer per batch costs a page fault per 4 KiB written.
    spare: Receiver<Vec<u8>>,
}

impl<F: FnMut(InputBatch) -> bool> Batcher<F> {
    /// Batches handed to `send`, byte buffers taken back from `spare`.
    pub(crate) fn new(send: F, spare: Receiver<Vec<u8>>) -> Self {
        Batcher {
            batch: InputBatch::new(spare.try_recv().ok()),
            send,
            spare,
        }
    }

    /// Sends what is left.
    pub(crate) fn finish(mut self) {
        if !self.batch.entries.is_empty() {
            (self.send)(std::mem::take(&mut self.batch));
        }
    }

    fn send_if_full(&mut self) -> bool {
        if !self.batch.is_full() {
            return true;
        }
        let next = InputBatch::new(self.spare.try_recv().ok());
        let full = std::mem::replace(&mut self.batch, next);
        (self.send)(full)
    }
}

impl<F: FnMut(InputBatch) -> bool> Collect for Batcher<F> {
    fn item(&mut self, item: Item) -> bool {
        if let Item::Record(r) = &item {
            self.batch.size += r.text.len();
        }
        self.batch.entries.push(Entry::Item(item));
        self.send_if_full()
    }

    fn line_buffer(&mut self) -> &mut Vec<u8> {
        &mut self.batch.bytes
    }

    fn json_line(&mut self, path: &Path, line: u64, start: usize) -> bool {
        let batch = &mut self.batch;
        if batch.files.last().map(PathBuf::as_path) != Some(path) {
            batch.files.push(path.to_path_buf());
        }
        let end = batch.bytes.len();
        batch.size += end - start;
        batch.entries.push(Entry::Json {
            file: batch.files.len() - 1,
            line,
            start,
            end,
        });
        self.send_if_full()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::input::read_into;
    use crate::io::{read_all, InputFormat};

    /// The batches a [`Batcher`] sends for `files`, no buffers coming back.
    fn batches_of(files: &[(PathBuf, PathBuf)], fields: &RecordFields) -> Vec<InputBatch> {
        let mut batches = Vec::new();
        let (_spare_tx, spare) = std::sync::mpsc::channel();
        let mut batcher = Batcher::new(
            |b| {
                batches.push(b);
                true
            },
            spare,
        );
        read_into(files, InputFormat::Auto, fields, &mut batcher);
        batcher.finish();
        batches
    }

    /// A full batch is cut into contiguous chunks of about CHUNK_BYTES,
    /// one call each, in input order.
    #[test]
    fn batches_are_cut_into_chunks_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Talks resumed. ".repeat(125);
        let body: String = (0..1000)
            .map(|i| format!("{{\"id\":\"{i:04}\",\"text\":\"{text}\"}}\n"))
            .collect();
        let line = body.len() / 1000;
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, &body).unwrap();
        let fields = RecordFields::default();
        let mut batches = batches_of(&[(a.clone(), a)], &fields);
        assert_eq!(batches.len(), 1);
        let batch = batches.pop().unwrap();
        let (input, chunks) = batch.into_chunks();
        let chunks: Vec<Vec<String>> = chunks
            .into_iter()
            .map(|c| {
                c.items(&input, &fields)
                    .map(|i| match i {
                        Item::Record(r) => r.id,
                        Item::Skip(s) => panic!("{s:?}"),
                    })
                    .collect()
            })
            .collect();
        // Lines of ~1,900 bytes, 1.9 MB in one batch: a chunk ends with
        // the line that takes it to CHUNK_BYTES.
        let per_chunk = CHUNK_BYTES.div_ceil(line);
        assert!(chunks.len() > 8, "{} chunks", chunks.len());
        for c in &chunks[..chunks.len() - 1] {
            assert_eq!(c.len(), per_chunk);
        }
        let ids: Vec<String> = chunks.into_iter().flatten().collect();
        let want: Vec<String> = (0..1000).map(|i| format!("{i:04}")).collect();
        assert_eq!(ids, want);
    }

    /// What a batched read parses equals what `read_all` gives, in order,
    /// across batch boundaries and files.
    #[test]
    fn batches_parse_to_what_read_all_gives() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 0..5000 {
            match i % 7 {
                0 => body.push_str("{bad json\n"),
                1 => body.push_str("\n   \n"),
                2 => body.push_str(&format!("{{\"id\":{i},\"text\":\"Line {i}.\"}}\n")),
                _ => body.push_str(&format!("{{\"text\":\"Talks {i} resumed.\"}}\n")),
            }
        }
        let a = dir.path().join("a.jsonl");
        let b = dir.path().join("b.txt");
        let c = dir.path().join("c.jsonl");
        std::fs::write(&a, &body).unwrap();
        std::fs::write(&b, "A text file.").unwrap();
        std::fs::write(&c, "{\"text\":\"Last.\"}").unwrap();
        let files: Vec<(PathBuf, PathBuf)> =
            [a, b, c].into_iter().map(|p| (p.clone(), p)).collect();
        let fields = RecordFields::default();
        let mut want = Vec::new();
        read_all(&files, InputFormat::Auto, &fields, |i| {
            want.push(i);
            true
        });
        let batches = batches_of(&files, &fields);
        assert!(batches.len() >= 2, "{} batches", batches.len());
        let got: Vec<Item> = batches
            .into_iter()
            .flat_map(|b| {
                let (input, chunks) = b.into_chunks();
                chunks
                    .into_iter()
                    .flat_map(|c| c.items(&input, &fields).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            })
            .collect();
        // 715 of the 5,000 lines are blank; one text file and one line more.
        assert_eq!(got.len(), 5000 - 715 + 2);
        assert_eq!(got, want);
    }
}
