import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { decodeEntities, SafeMarkdown } from './SafeMarkdown.js';

const render = (text: string) => renderToStaticMarkup(<SafeMarkdown text={text} />);

/** The tags in rendered markup: React escapes `<` in text, so every `<x …>` left is a real element. */
function tags(html: string): string[] {
  return [...html.matchAll(/<[a-z][^>]*>/g)].map((m) => m[0]);
}

function elements(html: string): string[] {
  return tags(html).map((tag) => /^<([a-z][a-z0-9]*)/.exec(tag)?.[1] as string);
}

describe('safe markdown', () => {
  it('never turns HTML in scanner text into elements', () => {
    const attacks = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      'inline <img src=x onerror="alert(1)"> in a paragraph',
      '<iframe src="https://evil.example"></iframe>',
      '<a href="javascript:alert(1)">click</a>',
      '<svg onload=alert(1)>',
      '**bold <script>alert(1)</script>**',
      '| a |\n|---|\n| <img src=x onerror=alert(1)> |',
      '> <style>body{display:none}</style>',
    ];
    for (const attack of attacks) {
      const html = render(attack);
      const names = elements(html);
      for (const forbidden of ['script', 'img', 'iframe', 'svg', 'style']) expect(names, attack).not.toContain(forbidden);
      for (const tag of tags(html)) {
        expect(tag, attack).not.toMatch(/\son[a-z]+=/i);
        expect(tag, attack).not.toContain('javascript:');
      }
    }
    expect(render('<script>alert(1)</script>')).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(render('x <img src=x onerror=alert(1)> y')).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('keeps only http(s) and mailto links, opened safely', () => {
    const html = render('[ok](https://example.com/a?b=1&c=2) [bad](javascript:alert(1)) [data](data:text/html,x) <https://auto.example>');
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">ok</a>');
    expect(html).toContain('<span>bad</span>');
    expect(html).toContain('<span>data</span>');
    expect(html).toContain('href="https://auto.example/"');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('data:text');
  });

  it('shows images as links instead of loading them', () => {
    const html = render('![diagram](https://tracker.example/pixel.png)');
    expect(elements(html)).not.toContain('img');
    expect(html).toContain('<a href="https://tracker.example/pixel.png" target="_blank" rel="noopener noreferrer nofollow">[image: diagram]</a>');
  });

  it('renders ordinary markdown', () => {
    expect(render('# Title\n\nSome **bold**, _em_, ~~old~~ and `a<b>&amp;` code.')).toBe(
      '<div class="markdown"><h4>Title</h4><p>Some <strong>bold</strong>, <em>em</em>, <del>old</del> and <code>a&lt;b&gt;&amp;amp;</code> code.</p></div>',
    );
    expect(render('- one\n- two')).toBe('<div class="markdown"><ul><li>one</li><li>two</li></ul></div>');
    expect(render('3. three\n4. four')).toBe('<div class="markdown"><ol start="3"><li>three</li><li>four</li></ol></div>');
    expect(render('```\nconst a = "<b>";\n```')).toBe('<div class="markdown"><pre><code>const a = &quot;&lt;b&gt;&quot;;</code></pre></div>');
  });

  it('resolves character references in text to what they stand for', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &#39;d&#39; &#x41; &unknown; &#0;')).toBe("a & b <c> 'd' A &unknown; &#0;");
    expect(render('Fish &amp; chips')).toBe('<div class="markdown"><p>Fish &amp; chips</p></div>');
  });
});
