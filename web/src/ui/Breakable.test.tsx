import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Breakable } from './Breakable.js';

describe('Breakable', () => {
  it('offers a line break after each separator, keeping the text whole', () => {
    expect(renderToStaticMarkup(<Breakable text="registry.acme.io/pay-ments" />)).toBe('registry.<wbr/>acme.<wbr/>io/<wbr/>pay-<wbr/>ments');
    expect(renderToStaticMarkup(<Breakable text="lodash" />)).toBe('lodash');
  });
});
