// Streams a text file as records without holding it: raw byte lines (CR LF or LF), each decoded
// strictly when possible and leniently otherwise (so one bad row is reported, not fatal), and CSV
// records (RFC 4180 quotes, fields spanning lines) built on the same stream.
import { createReadStream } from 'node:fs';
import { decodeUtf8 } from './caption';

export interface TextLine {
  /** 1-based line number of the record's first line. */
  readonly line: number;
  readonly text: string;
  /** False when the bytes were not valid UTF-8 (text then holds U+FFFD replacements). */
  readonly utf8: boolean;
}

const lenient = new TextDecoder('utf-8');

function decodeLine(bytes: Buffer, line: number): TextLine {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  const raw = bytes.subarray(0, end);
  const strict = decodeUtf8(raw);
  const text = strict ?? lenient.decode(raw);
  return { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text, utf8: strict !== undefined };
}

/** Every line of `path`, decoded; the trailing empty line after a final newline is dropped. */
export async function* readLines(path: string): AsyncGenerator<TextLine> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    let data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let at = data.indexOf(0x0a);
    while (at >= 0) {
      yield decodeLine(data.subarray(0, at), ++line);
      data = data.subarray(at + 1);
      at = data.indexOf(0x0a);
    }
    carry = Buffer.from(data);
  }
  if (carry.length > 0) yield decodeLine(carry, ++line);
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
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.length === 0) quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

export interface CsvRecord extends TextLine {
  readonly fields: readonly string[];
}

/** CSV records of `path`; a record left open at the end of the file is yielded as it stands. */
export async function* readCsv(path: string, maxRecordChars = 1 << 20): AsyncGenerator<CsvRecord> {
  let pending: TextLine | undefined;
  for await (const l of readLines(path)) {
    const joined: TextLine = pending ? { line: pending.line, text: `${pending.text}\n${l.text}`, utf8: pending.utf8 && l.utf8 } : l;
    const fields = splitCsv(joined.text);
    if (fields || joined.text.length > maxRecordChars) {
      yield { ...joined, fields: fields ?? [joined.text] };
      pending = undefined;
    } else pending = joined;
  }
  if (pending) yield { ...pending, fields: splitCsv(`${pending.text}"`) ?? [pending.text] };
}
