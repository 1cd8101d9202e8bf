/**
 * A DOM for the components' tests, from this workspace's jsdom: vitest looks for its `jsdom`
 * environment beside itself, in Lantern's root install, which does not have it.
 */
import { JSDOM, VirtualConsole } from 'jsdom';

// jsdom cannot parse some of Material UI's CSS and says so for each sheet: the tests do not read styles.
const virtualConsole = new VirtualConsole();
virtualConsole.on('jsdomError', (error) => {
  if (!error.message.startsWith('Could not parse CSS stylesheet')) console.error(error);
});
const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true, virtualConsole });
const global = globalThis as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (!(key in global)) global[key] = (dom.window as unknown as Record<string, unknown>)[key];
}
// The window's own event methods live on its prototype.
for (const key of ['addEventListener', 'removeEventListener', 'dispatchEvent'] as const) global[key] = dom.window[key].bind(dom.window);
global.window = dom.window;
global.document = dom.window.document;
global.navigator = dom.window.navigator;
global.IS_REACT_ACT_ENVIRONMENT = true;
