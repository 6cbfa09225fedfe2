// Streams a text file as records without holding it, in time linear in the file's size: raw byte
// lines (CR LF or LF), each decoded strictly when possible and leniently otherwise (so one bad row
// is reported, not fatal), and CSV records (RFC 4180 quotes, fields spanning lines) built on the
// same stream. A line longer than the cap is cut (and says so) instead of being held whole; a
// quoted CSV field that never closes is reported with the line it opened on, and the lines after
// that one are read again as records of their own.
import { createReadStream } from 'node:fs';
import { decodeUtf8 } from './caption';
import { CsvRecordParser } from './csv-record';

export interface TextLine {
  /** 1-based line number of the record's first line. */
  readonly line: number;
  readonly text: string;
  /** False when the bytes were not valid UTF-8 (text then holds U+FFFD replacements). */
  readonly utf8: boolean;
  /** The line's length in bytes (without the newline), even when `text` was cut. */
  readonly bytes: number;
  /** True when the line was longer than the cap and `text` holds only its beginning. */
  readonly cut: boolean;
}

/** Longest line kept whole (1 MiB): far over any caption or metadata row a dataset needs. */
export const MAX_LINE_BYTES = 1 << 20;

const lenient = new TextDecoder('utf-8');

function decodeLine(bytes: Buffer, line: number, total: number): TextLine {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  const raw = bytes.subarray(0, end);
  const strict = decodeUtf8(raw);
  const text = strict ?? lenient.decode(raw);
  const cut = total > bytes.length;
  return { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text, utf8: strict !== undefined, bytes: cut ? total : end, cut };
}

/** The bytes of the line being read: pieces kept up to the cap, and the full length seen. */
class LineBuffer {
  #parts: Buffer[] = [];
  #kept = 0;
  total = 0;

  constructor(private readonly cap: number) {}

  add(piece: Buffer): void {
    this.total += piece.length;
    if (this.#kept >= this.cap || piece.length === 0) return;
    const take = Buffer.from(piece.subarray(0, this.cap - this.#kept));
    this.#parts.push(take);
    this.#kept += take.length;
  }

  take(line: number): TextLine {
    const bytes = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    const result = decodeLine(bytes, line, this.total);
    this.#parts = [];
    this.#kept = 0;
    this.total = 0;
    return result;
  }
}

/** Every line of `path`, decoded; the trailing empty line after a final newline is dropped. */
export async function* readLines(path: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<TextLine> {
  const pending = new LineBuffer(maxLineBytes);
  let line = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, start)) {
      pending.add(chunk.subarray(start, at));
      yield pending.take(++line);
      start = at + 1;
    }
    pending.add(chunk.subarray(start));
  }
  if (pending.total > 0) yield pending.take(++line);
}

/** Counts newline-terminated records cheaply (for progress totals). */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) count++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  return last === 0x0a ? count : count + 1;
}

/** Splits one CSV record; returns undefined when a quoted field is still open (the record continues). */
export function splitCsv(record: string, delimiter = ','): string[] | undefined {
  const parser = new CsvRecordParser(delimiter);
  parser.feed(record, false);
  return parser.open ? undefined : parser.take();
}

export interface CsvRecord extends TextLine {
  readonly fields: readonly string[];
  /** Why the record could not be read (an unmatched quote, a line over the cap); fields are then empty. */
  readonly error?: string;
}

function badRecord(l: TextLine, error: string): CsvRecord {
  return { ...l, fields: [], error };
}

const unmatched = (l: TextLine): CsvRecord =>
  badRecord(l, `unmatched quote: the quoted field opened on line ${l.line} is never closed; close it with '"' or double a quote inside it ('""')`);

/**
 * CSV records of `path`. A record whose quoted field is still open at the end of the file, or after
 * `maxRecordChars`, is reported as an unmatched quote on its first line, and the lines after that
 * one are read again as records. Each line is scanned once per attempt, never the joined record.
 */
export async function* readCsv(path: string, maxRecordChars = MAX_LINE_BYTES): AsyncGenerator<CsvRecord> {
  const parser = new CsvRecordParser();
  const lines = readLines(path)[Symbol.asyncIterator]();
  /** Lines to read again after an unmatched quote, last first. */
  const replay: TextLine[] = [];
  let open: TextLine[] = [];
  let openChars = 0;
  let ended = false;
  const reopen = (): CsvRecord => {
    const first = open[0]!;
    for (let i = open.length - 1; i >= 1; i--) replay.push(open[i]!);
    open = [];
    openChars = 0;
    parser.reset();
    return unmatched(first);
  };
  for (;;) {
    let l = replay.pop();
    if (!l && !ended) {
      const next = await lines.next();
      if (next.done) ended = true;
      else l = next.value;
    }
    if (!l) {
      if (open.length === 0) return;
      yield reopen();
      continue;
    }
    if (l.cut && open.length === 0) {
      yield badRecord(l, `line ${l.line} is ${l.bytes} bytes, over the ${MAX_LINE_BYTES}-byte limit for one row`);
      continue;
    }
    parser.feed(l.text, open.length > 0);
    open.push(l);
    openChars += l.text.length;
    if (!parser.open) {
      const first = open[0]!;
      const fields = parser.take();
      yield { line: first.line, text: open.map((o) => o.text).join('\n'), utf8: open.every((o) => o.utf8), bytes: open.reduce((n, o) => n + o.bytes, 0), cut: false, fields };
      open = [];
      openChars = 0;
    } else if (openChars > maxRecordChars || l.cut) yield reopen();
  }
}
