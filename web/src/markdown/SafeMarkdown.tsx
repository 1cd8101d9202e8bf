import { Lexer, type Token, type Tokens } from 'marked';
import { Fragment, type ReactNode } from 'react';
import { safeHref } from '../security/identifiers.js';

/**
 * Scanner text (descriptions, remediation) rendered as markdown, safely: the text is parsed into
 * tokens and each token becomes a React element, so nothing from a report is ever handed to the
 * browser as HTML. Raw HTML in the text shows as text; links keep only http(s) and mailto URLs;
 * images show as links to the picture rather than loading it from the report's choice of host.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

/** The text of a token as the reader should see it: character references resolved. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+\d*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower in ENTITIES) return ENTITIES[lower] as string;
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : lower.startsWith('#') ? parseInt(lower.slice(1), 10) : NaN;
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function inline(tokens: Token[] | undefined, key: string): ReactNode[] {
  return (tokens ?? []).map((token, i) => inlineToken(token, `${key}.${i}`));
}

function inlineToken(token: Token, key: string): ReactNode {
  switch (token.type) {
    case 'strong':
      return <strong key={key}>{inline((token as Tokens.Strong).tokens, key)}</strong>;
    case 'em':
      return <em key={key}>{inline((token as Tokens.Em).tokens, key)}</em>;
    case 'del':
      return <del key={key}>{inline((token as Tokens.Del).tokens, key)}</del>;
    case 'codespan':
      // Code is literal: `&amp;` in a code span reads as written.
      return <code key={key}>{(token as Tokens.Codespan).text}</code>;
    case 'br':
      return <br key={key} />;
    case 'link': {
      const link = token as Tokens.Link;
      const href = safeHref(link.href);
      const children = link.tokens?.length ? inline(link.tokens, key) : decodeEntities(link.text);
      if (!href) return <span key={key}>{children}</span>;
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
          {children}
        </a>
      );
    }
    case 'image': {
      const image = token as Tokens.Image;
      const href = safeHref(image.href);
      const label = `image: ${decodeEntities(image.text) || href || 'untitled'}`;
      return href ? (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
          [{label}]
        </a>
      ) : (
        <span key={key}>[{label}]</span>
      );
    }
    case 'text': {
      const text = token as Tokens.Text;
      if (text.tokens?.length) return <Fragment key={key}>{inline(text.tokens, key)}</Fragment>;
      return decodeEntities(text.text);
    }
    case 'escape':
      return decodeEntities((token as Tokens.Escape).text);
    case 'html':
      // Shown as written: an inline tag in scanner text is text, never markup.
      return token.raw;
    default:
      return 'tokens' in token && token.tokens ? inline(token.tokens, key) : (token.raw ?? '');
  }
}

function blocks(tokens: Token[], key: string, headingBase: number, tight = false): ReactNode[] {
  // A tight list's items hold bare text, not paragraphs.
  return tokens.map((token, i) => (tight && token.type === 'text' ? inlineToken(token, `${key}.${i}`) : block(token, `${key}.${i}`, headingBase)));
}

function block(token: Token, key: string, headingBase: number): ReactNode {
  switch (token.type) {
    case 'space':
    case 'def':
      return null;
    case 'paragraph':
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens, key)}</p>;
    case 'heading': {
      const heading = token as Tokens.Heading;
      // Headings in a description sit under the drawer's own headings.
      const level = Math.min(6, headingBase + heading.depth - 1);
      const Tag = `h${level}` as 'h4';
      return <Tag key={key}>{inline(heading.tokens, key)}</Tag>;
    }
    case 'code':
      return (
        <pre key={key}>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case 'blockquote':
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens, key, headingBase)}</blockquote>;
    case 'hr':
      return <hr key={key} />;
    case 'list': {
      const list = token as Tokens.List;
      const items = list.items.map((item, i) => <li key={`${key}.${i}`}>{item.task ? `[${item.checked ? 'x' : ' '}] ` : null}{blocks(item.tokens, `${key}.${i}`, headingBase, !item.loose)}</li>);
      return list.ordered ? (
        <ol key={key} start={typeof list.start === 'number' ? list.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case 'table': {
      const table = token as Tokens.Table;
      return (
        <div key={key} className="table-scroll">
          <table className="markdown-table">
            <thead>
              <tr>
                {table.header.map((cell, i) => (
                  <th key={i} scope="col">
                    {inline(cell.tokens, `${key}.h${i}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c}>{inline(cell.tokens, `${key}.${r}.${c}`)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'html':
      // Raw HTML blocks are shown as the text they are.
      return (
        <pre key={key} className="markdown-raw">
          {token.raw}
        </pre>
      );
    case 'text': {
      const text = token as Tokens.Text;
      return <p key={key}>{text.tokens?.length ? inline(text.tokens, key) : decodeEntities(text.text)}</p>;
    }
    default:
      return inlineToken(token, key);
  }
}

/** The elements of a markdown text; `headingBase` is the level a `#` heading becomes. */
export function renderMarkdown(text: string, headingBase = 4): ReactNode[] {
  const tokens = new Lexer({ gfm: true, breaks: false }).lex(text);
  return blocks(tokens, 'md', headingBase);
}

export function SafeMarkdown({ text, headingBase = 4 }: { text: string; headingBase?: number }) {
  return <div className="markdown">{renderMarkdown(text, headingBase)}</div>;
}
