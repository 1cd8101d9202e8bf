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
  if (start >= bytes.length) throw new SyntaxError('Unexpected end of JSON input');
  const [value, end] = reader.read(start, 0);
  const rest = reader.skipWhitespace(end);
  if (rest < bytes.length) throw new SyntaxError(`Unexpected non-whitespace character after JSON at position ${rest}`);
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
  const info = (value as unknown as Record<symbol, LazyArrayInfo | undefined>)[LAZY];
  return info?.objectElements();
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
      if (i === pos) throw new SyntaxError(`Unexpected token '${String.fromCharCode(first ?? 0)}' in JSON at position ${pos}`);
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
    throw new SyntaxError('Unexpected end of JSON input');
  }

  private skipString(pos: number): number {
    const b = this.bytes;
    let from = pos + 1;
    for (;;) {
      const quote = b.indexOf(QUOTE, from);
      if (quote < 0) throw new SyntaxError(`Unterminated string in JSON at position ${pos}`);
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
      throw new SyntaxError(error.message.replace(/position (\d+)/, (_m, p: string) => `position ${start + Number(p)}`));
    }
  }

  private expect(pos: number, byte: number, what: string): void {
    if (this.bytes[pos] !== byte) {
      const found = pos >= this.bytes.length ? 'end of input' : `'${String.fromCharCode(this.bytes[pos] ?? 0)}'`;
      throw new SyntaxError(`Expected ${what} but found ${found} in JSON at position ${pos}`);
    }
  }

  private object(start: number, end: number, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    let pos = this.skipWhitespace(start + 1);
    if (this.bytes[pos] === CLOSE_BRACE) return result;
    for (;;) {
      this.expect(pos, QUOTE, 'a property name');
      const keyEnd = this.skipString(pos);
      const key = this.parse(pos, keyEnd) as string;
      pos = this.skipWhitespace(keyEnd);
      this.expect(pos, COLON, "':'");
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
      if (pos >= this.bytes.length) throw new SyntaxError('Unexpected end of JSON input');
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
