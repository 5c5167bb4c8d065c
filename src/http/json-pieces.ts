/**
 * Large JSON bodies parsed a record at a time, from the bytes.
 *
 * `JSON.parse` takes a string, and the string of a large body (a batch of 100 embeddings is about
 * half a megabyte) is too big for V8's young generation: each one is a new large-object page,
 * mapped fresh and unmapped at the next collection. On a virtual machine every first touch of such
 * a page is a page fault, often one the host has to serve too: measured on a Firecracker VM,
 * making the string of a 512 KB batch cost 2.3 ms of CPU (1.0 ms of it in the kernel), more than
 * parsing it. Parsed here instead, each record's text is a few kilobytes, made where the young
 * generation already has memory.
 *
 * Only the common form is taken: an object at the top whose members' values are parsed whole,
 * except arrays of objects or arrays, whose elements are parsed one by one. Anything else, and any
 * body that is not valid JSON, answers `undefined`, and the caller parses the whole text as
 * before, so errors and edge cases (`__proto__` keys) keep their single source.
 *
 * The result is the value `JSON.parse` gives: the skeleton between the pieces is checked here (only
 * JSON's whitespace, commas and colons), and every piece is parsed by `JSON.parse` itself. When the
 * whole text is valid JSON, the bracket scan ends each piece where the value truly ends; when it
 * is not, some piece or the skeleton fails to parse.
 */

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A thrown marker: the body is not in the form this parser takes (or not JSON); the caller parses it whole. */
class NotPiecewise extends Error {}

/**
 * The value of an ASCII JSON body whose top level is an object, parsed a piece at a time, or
 * `undefined` when the body is not in that form or is not valid JSON. `between()` is awaited
 * after each array element: the parse of a bulk body (1,000 examples, 5 MB, 25–60 ms) lets the
 * event loop serve other requests whenever it takes a turn (`TurnClock.tick`), instead of holding
 * the loop for the whole body.
 */
export async function parseJsonInPieces(bytes: Buffer, between: () => Promise<void> = async () => {}): Promise<unknown> {
  try {
    const pieces = new PieceReader(bytes).body();
    for (;;) {
      const step = pieces.next();
      if (step.done) return step.value;
      await between();
    }
  } catch (e) {
    if (e instanceof NotPiecewise || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Reads the body as a generator that yields after each array element it parses: `parseJsonInPieces` pauses there. */
class PieceReader {
  private at = 0;

  constructor(private readonly bytes: Buffer) {}

  *body(): Generator<void, Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) this.at++;
    else {
      for (;;) {
        this.skipSpace();
        const key = this.parse(this.at, this.stringEnd(this.at));
        // JSON.parse makes `__proto__` an own property; an assignment would set the prototype.
        if (typeof key !== 'string' || key === '__proto__') throw new NotPiecewise();
        this.expect(COLON);
        out[key] = this.peek() === OPEN_BRACKET ? yield* this.array() : this.value();
        if (this.closes(CLOSE_BRACE)) break;
      }
    }
    this.skipSpace();
    if (this.at !== this.bytes.length) throw new NotPiecewise();
    return out;
  }

  /** An array whose elements are objects or arrays, each parsed on its own; any other array whole. */
  private *array(): Generator<void, unknown> {
    const start = this.at;
    this.at++;
    const first = this.peek();
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      this.at = start;
      return this.value();
    }
    const out: unknown[] = [];
    for (;;) {
      out.push(this.value());
      if (this.closes(CLOSE_BRACKET)) return out;
      yield;
    }
  }

  /** The value starting at the next non-space byte, parsed by JSON.parse. */
  private value(): unknown {
    this.skipSpace();
    const start = this.at;
    return this.parse(start, this.valueEnd(start));
  }

  private parse(start: number, end: number): unknown {
    this.at = end;
    return JSON.parse(this.bytes.toString('latin1', start, end));
  }

  /** Where the value that starts at `start` ends: after its closing quote or bracket, or before the byte that ends a literal. */
  private valueEnd(start: number): number {
    const b = this.bytes;
    const first = b[start];
    if (first === QUOTE) return this.stringEnd(start);
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      let i = start;
      while (i < b.length && !endsLiteral(b[i]!)) i++;
      return i;
    }
    let depth = 0;
    for (let i = start; i < b.length; i++) {
      const c = b[i];
      if (c === QUOTE) i = this.stringEnd(i) - 1;
      else if (c === OPEN_BRACKET && startsNumber(b[i + 1])) {
        // An array of numbers (an embedding, most of a batch's bytes) is taken to end at the next
        // `]`, found natively: were a string or an array inside it, the piece would not parse and
        // the whole body would be parsed instead, so the guess can cost time, never the value.
        const close = b.indexOf(CLOSE_BRACKET, i);
        if (close < 0) throw new NotPiecewise();
        if (depth === 0) return close + 1;
        i = close;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    throw new NotPiecewise();
  }

  /** Where the string that opens at `start` ends: after its closing quote. */
  private stringEnd(start: number): number {
    const b = this.bytes;
    if (b[start] !== QUOTE) throw new NotPiecewise();
    for (let i = start + 1; i < b.length; i++) {
      const c = b[i];
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) return i + 1;
    }
    throw new NotPiecewise();
  }

  private skipSpace(): void {
    const b = this.bytes;
    while (this.at < b.length && isSpace(b[this.at]!)) this.at++;
  }

  private peek(): number | undefined {
    this.skipSpace();
    return this.bytes[this.at];
  }

  /** The next non-space byte, consumed. */
  private next(): number | undefined {
    const c = this.peek();
    this.at++;
    return c;
  }

  private expect(byte: number): void {
    if (this.next() !== byte) throw new NotPiecewise();
  }

  /** After a member or element: true at the `close` that ends its object or array, false past a comma. */
  private closes(close: number): boolean {
    const c = this.next();
    if (c !== close && c !== COMMA) throw new NotPiecewise();
    return c === close;
  }
}

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function startsNumber(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2d);
}

function endsLiteral(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c);
}
