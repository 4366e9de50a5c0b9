/** Debian's Chromium, which the browser tests drive through playwright-core (`requireTool('chromium')` checks it). */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless, no GPU, nothing fetched by the browser itself (no component updates, no sync). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
