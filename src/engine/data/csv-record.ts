// The state of one CSV record being parsed line by line (RFC 4180: a field that starts with '"' is
// quoted, '""' inside it is one quote, delimiters and newlines inside it are text). Each line is
// scanned once, so a record spanning many lines costs its length, never its length squared.
export class CsvRecordParser {
  #fields: string[] = [];
  #field: string[] = [];
  #fieldEmpty = true;
  #quoted = false;

  constructor(private readonly delimiter = ',') {}

  /** True while a quoted field is open: the record continues on the next line. */
  get open(): boolean {
    return this.#quoted;
  }

  /** Feeds the next line of the record; `continued` when it follows a line that left a quote open. */
  feed(line: string, continued: boolean): void {
    if (continued) this.#push('\n');
    let i = 0;
    while (i < line.length) {
      i = this.#quoted ? this.#quotedRun(line, i) : this.#plainRun(line, i);
    }
  }

  /** The record's fields; resets for the next record. */
  take(): string[] {
    const fields = [...this.#fields, this.#field.join('')];
    this.reset();
    return fields;
  }

  reset(): void {
    this.#fields = [];
    this.#field = [];
    this.#fieldEmpty = true;
    this.#quoted = false;
  }

  #push(text: string): void {
    if (text.length === 0) return;
    this.#field.push(text);
    this.#fieldEmpty = false;
  }

  /** Inside quotes: text up to the next quote, then an escaped quote or the end of the quotes. */
  #quotedRun(line: string, from: number): number {
    const at = line.indexOf('"', from);
    if (at < 0) {
      this.#push(line.slice(from));
      return line.length;
    }
    this.#push(line.slice(from, at));
    if (line[at + 1] === '"') {
      this.#push('"');
      return at + 2;
    }
    this.#quoted = false;
    return at + 1;
  }

  /** Outside quotes: an opening quote at a field's start, a delimiter, or plain text up to either. */
  #plainRun(line: string, from: number): number {
    const c = line[from];
    if (c === '"' && this.#fieldEmpty) {
      this.#quoted = true;
      return from + 1;
    }
    if (c === this.delimiter) {
      this.#fields.push(this.#field.join(''));
      this.#field = [];
      this.#fieldEmpty = true;
      return from + 1;
    }
    const next = line.indexOf(this.delimiter, from + 1);
    const end = next < 0 ? line.length : next;
    this.#push(line.slice(from, end));
    return end;
  }
}
