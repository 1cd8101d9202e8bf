import type { OutputBundle } from 'rolldown';
import type { HtmlTagDescriptor, Plugin } from 'vite';

/**
 * The entry (web/src/main.tsx) is small: it starts the page's API requests, then imports the app.
 * This asks the browser for the app's files from the HTML already, so that they download while the
 * entry runs, instead of after it.
 */
export function appFilesOf(bundle: OutputBundle, entryFile: string): string[] {
  const entry = bundle[entryFile];
  if (!entry || entry.type !== 'chunk') return [];
  const files = new Set<string>();
  const visit = (file: string) => {
    const chunk = bundle[file];
    if (files.has(file) || !chunk || chunk.type !== 'chunk') return;
    files.add(file);
    for (const imported of chunk.imports) visit(imported);
  };
  for (const app of entry.dynamicImports) visit(app);
  // The entry itself, and what it imports statically, Vite loads already.
  files.delete(entryFile);
  for (const imported of entry.imports) files.delete(imported);
  return [...files];
}

export function preloadApp(): Plugin {
  return {
    name: 'lantern-preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context): HtmlTagDescriptor[] {
        if (!context.bundle || !context.chunk) return [];
        return appFilesOf(context.bundle, context.chunk.fileName).map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' }));
      },
    },
  };
}
