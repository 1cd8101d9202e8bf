import { describe, expect, it } from 'vitest';
import { occurrenceSource } from './occurrence-source.js';

describe('where an occurrence opens', () => {
  const lines = 'https://github.com/acme/shop/blob/9e8d7c6/web/app.js#L7-L9';

  it('opens the lines the server linked, saying when the scanner put the path in the source tree', () => {
    expect(occurrenceSource({ sourceUrl: lines, baseId: '%SRCROOT%' })).toEqual({
      href: lines,
      title: 'Open these lines in the repository (the scanner puts this path under %SRCROOT%, the root of the source tree)',
    });
    expect(occurrenceSource({ sourceUrl: lines, baseId: null })).toEqual({ href: lines, title: 'Open these lines in the repository' });
  });

  it('opens nothing for a path the server did not link (a file inside an image) or an unsafe address', () => {
    expect(occurrenceSource({ sourceUrl: null, baseId: null })).toBeNull();
    expect(occurrenceSource({ sourceUrl: null, baseId: '%SRCROOT%' })).toBeNull();
    expect(occurrenceSource({ sourceUrl: 'javascript:alert(1)', baseId: '%SRCROOT%' })).toBeNull();
    expect(occurrenceSource({ sourceUrl: 'mailto:dev@acme.io', baseId: null })).toBeNull();
  });
});
