import { describe, expect, it } from 'vitest';

// Two of each outcome vitest counts, so that a count taken from the wrong one shows.
it('passes', () => expect(1).toBe(1));
it('passes too', () => expect(2).toBe(2));
it('fails', () => expect(1).toBe(2));
it.fails('fails as expected', () => expect(1).toBe(2));
it.skip('is skipped', () => undefined);
it.skip('notice: a part of the suite did not run; here is how to run it.', () => undefined);
it.skipIf(true)('is skipped by a condition', () => undefined);
it('skips itself', (context) => context.skip());
it.todo('is still to write');
it.todo('is still to write too');
describe.skip('a skipped suite', () => {
  it('is skipped with its suite', () => undefined);
});
