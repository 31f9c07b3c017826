import { buildUi } from './browser.js';

/** Global setup of the browser tests: the UI is built once, before any of them opens a page. */
export default function setup(): void {
  buildUi();
}
