// A streaming reader for JSON files shaped like COCO: one top-level object whose named arrays are
// too big to parse whole. It scans the file in chunks (strings, escapes and nesting tracked, UTF-8
// split across chunks handled by the decoder), cuts each element of the wanted top-level arrays
// out of the text and JSON.parses only that element, so memory stays one chunk plus one element.
// Other values are skipped structurally; a truncated or unbalanced file is refused.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { EngineError } from '../core/errors';
import { throwIfCancelled } from '../jobs/job';

export interface ArrayElement {
  /** The top-level key of the array the element is in. */
  readonly key: string;
  readonly index: number;
  readonly value: unknown;
}

const QUOTE = 34, BACKSLASH = 92, COLON = 58, COMMA = 44;
const OPEN_OBJ = 123, CLOSE_OBJ = 125, OPEN_ARR = 91, CLOSE_ARR = 93;
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;

class Scanner {
  depth = 0;
  inString = false;
  escape = false;
  /** Top-level key being read (depth 1, before its colon) and the last complete one. */
  keyStart = -1;
  keyParts: string[] = [];
  key = '';
  expectKey = false;
  /** Inside a wanted array (depth 2), the element being cut out. */
  capturing: string | undefined;
  index = 0;
  parts: string[] = [];
  elementStart = -1;
  sawRoot = false;
  readonly seen = new Set<string>();

  constructor(private readonly wanted: ReadonlySet<string>, private readonly file: string) {}

  private fail(why: string): never {
    throw new EngineError('corrupt-file', `${this.file} is not valid JSON (${why}). Check the file, or choose another format.`, { file: this.file });
  }

  private endElement(text: string, at: number, out: ArrayElement[]): void {
    if (this.elementStart < 0 && this.parts.length === 0) return;
    const raw = this.parts.join('') + text.slice(Math.max(0, this.elementStart), at);
    this.parts = [];
    this.elementStart = -1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      this.fail(`element ${this.index} of '${this.capturing}': ${(error as Error).message}`);
    }
    out.push({ key: this.capturing ?? '', index: this.index++, value });
  }

  /** Scans one decoded chunk; returns the elements completed in it. */
  feed(text: string): ArrayElement[] {
    const out: ArrayElement[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.key = this.keyParts.join('') + text.slice(this.keyStart, i);
            this.keyParts = [];
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.capturing !== undefined && this.depth === 2 && this.elementStart < 0 && this.parts.length === 0 && c !== COMMA && c !== CLOSE_ARR) this.elementStart = i;
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1 && this.expectKey) {
          this.keyStart = i + 1;
          this.expectKey = false;
        }
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (this.depth === 0) {
          if (this.sawRoot || c !== OPEN_OBJ) this.fail('the top level is not one object');
          this.sawRoot = true;
          this.expectKey = true;
        } else if (this.depth === 1 && c === OPEN_ARR && this.wanted.has(this.key)) {
          this.capturing = this.key;
          this.seen.add(this.key);
          this.index = 0;
        }
        this.depth++;
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (this.capturing !== undefined && this.depth === 2) {
          this.endElement(text, i, out);
          this.capturing = undefined;
        }
        if (--this.depth < 0) this.fail('a closing bracket without its opening one');
      } else if (c === COMMA) {
        if (this.depth === 1) this.expectKey = true;
        else if (this.capturing !== undefined && this.depth === 2) this.endElement(text, i, out);
      } else if (c === COLON && this.depth === 1) this.expectKey = false;
      else if (this.depth === 0) this.fail('text after the top-level object');
    }
    if (this.keyStart >= 0) {
      this.keyParts.push(text.slice(this.keyStart));
      this.keyStart = 0;
    }
    if (this.elementStart >= 0) {
      this.parts.push(text.slice(this.elementStart));
      this.elementStart = 0;
    }
    return out;
  }

  finish(): void {
    if (!this.sawRoot || this.depth !== 0 || this.inString) this.fail('it ends before its top-level object closes; the file may be truncated');
  }
}

export interface StreamOptions {
  /** Bytes per read (default 1 MiB); tests use tiny chunks to hit every boundary. */
  readonly chunkBytes?: number;
  /** Checked between reads: an aborted signal ends the stream with EngineError 'cancelled'. */
  readonly signal?: AbortSignal;
}

/**
 * The elements of the top-level arrays named in `keys`, in file order, one at a time. `seen`
 * receives each wanted key that was found holding an array (fill it to tell "absent" from "empty").
 */
export async function* streamArrays(file: string, keys: readonly string[], seen: Set<string> = new Set(), o: StreamOptions = {}): AsyncGenerator<ArrayElement> {
  const scanner = new Scanner(new Set(keys), file);
  const decoder = new StringDecoder('utf8');
  let stream;
  try {
    stream = createReadStream(file, { highWaterMark: o.chunkBytes ?? 1 << 20 });
    for await (const chunk of stream) {
      if (o.signal) throwIfCancelled(o.signal);
      const elements = scanner.feed(decoder.write(chunk as Buffer));
      for (const s of scanner.seen) seen.add(s);
      yield* elements;
    }
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError('io-failure', `Cannot read ${file}: ${(error as Error).message}. Check that it exists and is readable.`, { file }, { cause: error });
  } finally {
    stream?.destroy();
  }
  yield* scanner.feed(decoder.end());
  scanner.finish();
}
