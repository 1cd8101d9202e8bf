/**
 * A short-lived cache of values by key: a value is kept `ttlMs`, at most `maxEntries` are kept
 * (the oldest leave first), and concurrent reads of one key share one load. A failed load is not
 * kept, so the next read tries again.
 */
export class SummaryCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<T>>();

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number; now?: () => number },
  ) {}

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  /** The kept value of `key`, else what `load` gives (then kept); `hit` says which. */
  async get(key: string, load: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
    const kept = this.entries.get(key);
    if (kept && kept.expiresAt > this.now()) return { value: kept.value, hit: true };
    if (kept) this.entries.delete(key);
    if (this.options.ttlMs <= 0) return { value: await load(), hit: false };
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load().then(
        (value) => {
          this.loading.delete(key);
          this.keep(key, value);
          return value;
        },
        (error: unknown) => {
          this.loading.delete(key);
          throw error;
        },
      );
      this.loading.set(key, pending);
    }
    return { value: await pending, hit: false };
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
