/**
 * Reads JSON from bytes without building the whole document at once. Values smaller than a
 * threshold are parsed by the native JSON.parse; a larger array stays in its bytes and is exposed
 * as a real array (Array.isArray is true, for…of / map / forEach work) whose elements are parsed
 * one at a time when read. A large object is read key by key so that big arrays inside it stay lazy.
 *
 * Why: a 100 MB scanner report parsed whole takes about 3.5× its size in memory and a report near
 * the 512 MB limit cannot even be decoded into one JavaScript string. Read this way, memory holds
 * the bytes plus the elements being converted, and the result is the same as JSON.parse's.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Arrays spanning more bytes than this are read lazily. */
export const DEFAULT_LAZY_THRESHOLD = 512 * 1024;
/** Below this depth values are parsed whole: deeply nested documents need no laziness. */
const MAX_LAZY_DEPTH = 32;

const LAZY = Symbol('lazy-json-array');

interface LazyArrayInfo {
  /** Start offsets of the elements whose first byte is `{`. */
  objectElements(): unknown[];
  /** True when element `i` is an object, told by its first byte. */
  isObjectAt(i: number): boolean;
}

/**
 * A JSON syntax error that says where it is and never quotes the text around it: a report's text
 * may hold a secret right where it is malformed (an unquoted token), and Node's own message quotes it.
 */
export class JsonSyntaxError extends SyntaxError {
  override name = 'JsonSyntaxError';
  constructor(
    readonly problem: string,
    /** Byte offset of the error from the start of the input. */
    readonly offset: number,
    readonly line: number,
    /** 1-based, counted in bytes from the start of the line. */
    readonly column: number,
  ) {
    super(`${problem} at line ${line}, column ${column}`);
  }
}

export interface ReadOptions {
  /** Arrays larger than this many bytes are read lazily (0 makes every array lazy, for tests). */
  lazyThreshold?: number;
}

/** Parses a JSON document from UTF-8 bytes, as JSON.parse would, with large arrays left lazy. */
export function readJson(bytes: Uint8Array, options: ReadOptions = {}): unknown {
  const reader = new Reader(bytes, options.lazyThreshold ?? DEFAULT_LAZY_THRESHOLD);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // A small document is parsed whole: JSON.parse checks it end to end faster than any scan.
  if (bytes.length - bom <= reader.threshold) return reader.parse(bom, bytes.length);
  const start = reader.skipWhitespace(bom);
  if (start >= bytes.length) throw reader.fail(start, 'unexpected end of input');
  const [value, end] = reader.read(start, 0);
  const rest = reader.skipWhitespace(end);
  if (rest < bytes.length) throw reader.fail(rest, 'unexpected text after the end of the JSON value');
  return value;
}

/** True for an array readJson left lazy. */
export function isLazyArray(value: unknown): boolean {
  return Array.isArray(value) && (value as unknown as Record<symbol, unknown>)[LAZY] !== undefined;
}

/**
 * The elements of an array that are objects. For a lazy array the answer is again lazy: elements
 * are picked by their first byte, so none is parsed here.
 */
export function objectElements(value: unknown[]): unknown[] | undefined {
  return lazyInfo(value)?.objectElements();
}

/** True when element `i` of an array is an object; for a lazy array, without parsing it. */
export function isObjectElement(value: unknown[], i: number): boolean {
  const info = lazyInfo(value);
  if (info) return info.isObjectAt(i);
  const element = value[i];
  return typeof element === 'object' && element !== null && !Array.isArray(element);
}

function lazyInfo(value: unknown[]): LazyArrayInfo | undefined {
  return (value as unknown as Record<symbol, LazyArrayInfo | undefined>)[LAZY];
}

class Reader {
  private readonly text: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    readonly threshold: number,
  ) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  skipWhitespace(pos: number): number {
    const b = this.bytes;
    while (pos < b.length) {
      const c = b[pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
    return pos;
  }

  /** The offset just after the JSON value starting at `pos`; throws on unterminated input. */
  skipValue(pos: number): number {
    const b = this.bytes;
    const first = b[pos];
    if (first === QUOTE) return this.skipString(pos);
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      let i = pos;
      while (i < b.length) {
        const c = b[i];
        if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === COLON || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
        i++;
      }
      if (i === pos) throw this.fail(pos, 'unexpected character');
      return i;
    }
    let depth = 0;
    let i = pos;
    while (i < b.length) {
      const c = b[i];
      if (c === QUOTE) {
        i = this.skipString(i);
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
      i++;
    }
    throw this.fail(b.length, 'unexpected end of input');
  }

  private skipString(pos: number): number {
    const b = this.bytes;
    let from = pos + 1;
    for (;;) {
      const quote = b.indexOf(QUOTE, from);
      if (quote < 0) throw this.fail(pos, 'unterminated string');
      let backslashes = 0;
      for (let k = quote - 1; b[k] === BACKSLASH; k--) backslashes++;
      if ((backslashes & 1) === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /**
   * The value starting at `start` and the offset just after it. An array is scanned once for its
   * element boundaries, which also gives its end; an object is skipped first to learn its size.
   * Small values, and anything nested deeper than MAX_LAZY_DEPTH, are parsed natively.
   */
  read(start: number, depth: number): [unknown, number] {
    const first = this.bytes[start];
    if (depth < MAX_LAZY_DEPTH && first === OPEN_BRACKET) {
      const { starts, ends, end } = this.elements(start);
      return [end - start <= this.threshold ? this.parse(start, end) : this.lazyArray(starts, ends, depth), end];
    }
    const end = this.skipValue(start);
    if (depth < MAX_LAZY_DEPTH && first === OPEN_BRACE && end - start > this.threshold) return [this.object(start, end, depth), end];
    return [this.parse(start, end), end];
  }

  /** A lazy array's element, whose bounds are known. */
  private element(start: number, end: number, depth: number): unknown {
    if (end - start <= this.threshold || depth >= MAX_LAZY_DEPTH) return this.parse(start, end);
    const first = this.bytes[start];
    if (first === OPEN_BRACE) return this.object(start, end, depth);
    if (first === OPEN_BRACKET) {
      const { starts, ends } = this.elements(start);
      return this.lazyArray(starts, ends, depth);
    }
    return this.parse(start, end);
  }

  parse(start: number, end: number): unknown {
    try {
      return JSON.parse(this.text.toString('utf8', start, end));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // Node's message quotes the text around the error: find the error ourselves instead.
      const found = firstSyntaxError(this.bytes, start, end) ?? { offset: start, problem: 'invalid JSON' };
      throw this.fail(found.offset, found.problem);
    }
  }

  /** The error for a syntax problem at byte `offset`, with its line and column. */
  fail(offset: number, problem: string): JsonSyntaxError {
    const b = this.bytes;
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < b.length; i++) {
      if (b[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return new JsonSyntaxError(problem, offset, line, offset - lineStart + 1);
  }

  private expect(pos: number, byte: number, what: string): void {
    if (this.bytes[pos] !== byte) throw this.fail(pos, pos >= this.bytes.length ? 'unexpected end of input' : `expected ${what}`);
  }

  private object(start: number, end: number, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    let pos = this.skipWhitespace(start + 1);
    if (this.bytes[pos] === CLOSE_BRACE) return result;
    for (;;) {
      this.expect(pos, QUOTE, 'a property name in double quotes');
      const keyEnd = this.skipString(pos);
      const key = this.parse(pos, keyEnd) as string;
      pos = this.skipWhitespace(keyEnd);
      this.expect(pos, COLON, "':' after a property name");
      const [value, valueEnd] = this.read(this.skipWhitespace(pos + 1), depth + 1);
      // defineProperty keeps a "__proto__" key an own property, as JSON.parse does.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      pos = this.skipWhitespace(valueEnd);
      if (this.bytes[pos] === CLOSE_BRACE && pos === end - 1) return result;
      this.expect(pos, COMMA, "',' or '}'");
      pos = this.skipWhitespace(pos + 1);
    }
  }

  /** The bounds of each element of the array starting at `start`, and the array's end. */
  private elements(start: number): { starts: number[]; ends: number[]; end: number } {
    const starts: number[] = [];
    const ends: number[] = [];
    let pos = this.skipWhitespace(start + 1);
    if (this.bytes[pos] === CLOSE_BRACKET) return { starts, ends, end: pos + 1 };
    for (;;) {
      if (pos >= this.bytes.length) throw this.fail(pos, 'unexpected end of input');
      const elementEnd = this.skipValue(pos);
      starts.push(pos);
      ends.push(elementEnd);
      pos = this.skipWhitespace(elementEnd);
      if (this.bytes[pos] === CLOSE_BRACKET) return { starts, ends, end: pos + 1 };
      this.expect(pos, COMMA, "',' or ']'");
      pos = this.skipWhitespace(pos + 1);
    }
  }

  private lazyArray(starts: number[], ends: number[], depth: number): unknown[] {
    const length = starts.length;
    const target: unknown[] = [];
    target.length = length;
    let cachedIndex = -1;
    let cachedValue: unknown;
    const element = (i: number): unknown => {
      if (i !== cachedIndex) {
        cachedValue = this.element(starts[i] as number, ends[i] as number, depth + 1);
        cachedIndex = i;
      }
      return cachedValue;
    };
    const info: LazyArrayInfo = {
      objectElements: () => {
        const s: number[] = [];
        const e: number[] = [];
        for (let i = 0; i < length; i++) {
          if (this.bytes[starts[i] as number] === OPEN_BRACE) {
            s.push(starts[i] as number);
            e.push(ends[i] as number);
          }
        }
        return this.lazyArray(s, e, depth);
      },
      isObjectAt: (i) => this.bytes[starts[i] as number] === OPEN_BRACE,
    };
    const index = (prop: string | symbol): number => {
      if (typeof prop !== 'string') return -1;
      const code = prop.charCodeAt(0);
      if (code < 48 || code > 57) return -1;
      const i = Number(prop);
      return Number.isInteger(i) && i < length && String(i) === prop ? i : -1;
    };
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        if (prop === LAZY) return info;
        const i = index(prop);
        return i >= 0 ? element(i) : Reflect.get(t, prop, receiver);
      },
      has: (t, prop) => index(prop) >= 0 || Reflect.has(t, prop),
      getOwnPropertyDescriptor: (t, prop) => {
        const i = index(prop);
        return i >= 0 ? { value: element(i), writable: false, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(t, prop);
      },
      ownKeys: (t) => [...Array.from({ length }, (_, i) => String(i)), ...Reflect.ownKeys(t).filter((k) => index(k) < 0)],
      set: () => false,
      deleteProperty: () => false,
      defineProperty: () => false,
    });
  }
}

const isWhitespace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const ESCAPES = new Set([...'"\\/bfnrtu'].map((c) => c.charCodeAt(0)));
const HEX = /^[0-9a-fA-F]{4}$/;
const LITERALS = ['true', 'false', 'null'].map((word) => Buffer.from(word));

/**
 * Where the JSON text in bytes [start, end) first breaks the grammar, and what is wrong there; run
 * only after JSON.parse refused the text. Iterative, so a deeply nested text cannot overflow the stack.
 */
export function firstSyntaxError(b: Uint8Array, start: number, end: number): { offset: number; problem: string } | undefined {
  const closers: number[] = [];
  let i = start;
  const skip = () => {
    while (i < end && isWhitespace(b[i])) i++;
  };
  const endOfInput = () => ({ offset: i, problem: 'unexpected end of input' });
  /** Reads a string at i; returns a problem, or undefined with i after the closing quote. */
  const string = (): { offset: number; problem: string } | undefined => {
    const open = i++;
    while (i < end) {
      const c = b[i] as number;
      if (c === QUOTE) {
        i++;
        return undefined;
      }
      if (c < 0x20) return { offset: i, problem: 'control character in a string' };
      if (c === BACKSLASH) {
        const escape = b[i + 1];
        if (escape === undefined || i + 1 >= end) break;
        if (!ESCAPES.has(escape)) return { offset: i, problem: 'invalid escape in a string' };
        if (escape === 0x75 && !HEX.test(Buffer.from(b.subarray(i + 2, Math.min(i + 6, end))).toString('latin1'))) {
          return { offset: i, problem: 'invalid \\u escape in a string' };
        }
        i += 2;
        continue;
      }
      i++;
    }
    return { offset: open, problem: 'unterminated string' };
  };
  /** Reads `"key":` at i (after '{' or ','). */
  const key = (): { offset: number; problem: string } | undefined => {
    skip();
    if (i >= end) return endOfInput();
    if (b[i] !== QUOTE) return { offset: i, problem: 'expected a property name in double quotes' };
    const problem = string();
    if (problem) return problem;
    skip();
    if (i >= end) return endOfInput();
    if (b[i] !== COLON) return { offset: i, problem: "expected ':' after a property name" };
    i++;
    return undefined;
  };
  for (;;) {
    // A value starts at i.
    skip();
    if (i >= end) return endOfInput();
    const c = b[i] as number;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const closer = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i++;
      skip();
      if (b[i] === closer && i < end) i++;
      else {
        closers.push(closer);
        if (closer === CLOSE_BRACE) {
          const problem = key();
          if (problem) return problem;
        }
        continue;
      }
    } else if (c === QUOTE) {
      const problem = string();
      if (problem) return problem;
    } else if (c === 0x2d || isDigit(c)) {
      const from = i;
      if (b[i] === 0x2d) i++;
      if (b[i] === 0x30) i++;
      else if (isDigit(b[i])) while (isDigit(b[i]) && i < end) i++;
      else return { offset: i, problem: 'invalid number' };
      if (b[i] === 0x2e) {
        i++;
        if (!isDigit(b[i])) return { offset: i, problem: 'invalid number' };
        while (isDigit(b[i]) && i < end) i++;
      }
      if (b[i] === 0x65 || b[i] === 0x45) {
        i++;
        if (b[i] === 0x2b || b[i] === 0x2d) i++;
        if (!isDigit(b[i])) return { offset: i, problem: 'invalid number' };
        while (isDigit(b[i]) && i < end) i++;
      }
      if (i > end) return { offset: from, problem: 'invalid number' };
    } else {
      const literal = LITERALS.find((word) => word.every((byte, k) => b[i + k] === byte) && i + word.length <= end);
      if (!literal) return { offset: i, problem: 'unexpected character' };
      i += literal.length;
    }
    // A value ended at i: close what it closes, then expect the next element or the end.
    for (;;) {
      skip();
      const closer = closers[closers.length - 1];
      if (closer === undefined) return i < end ? { offset: i, problem: 'unexpected text after the end of the JSON value' } : undefined;
      if (i >= end) return endOfInput();
      if (b[i] === closer) {
        closers.pop();
        i++;
        continue;
      }
      if (b[i] !== COMMA) return { offset: i, problem: closer === CLOSE_BRACE ? "expected ',' or '}'" : "expected ',' or ']'" };
      i++;
      if (closer === CLOSE_BRACE) {
        const problem = key();
        if (problem) return problem;
      }
      break;
    }
  }
}
