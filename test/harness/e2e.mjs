// Browser-side functions for end-to-end flows against a workbench served by
// code-server.mjs: Debian's chromium driven by playwright-core (both installed
// by scripts/setup-vscode-test-env.sh; playwright-core never downloads a
// browser here).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { REPO_ROOT, toolPaths } from './code-server.mjs';

export const SCREENSHOT_DIR = process.env.VSCODE_TEST_SCREENSHOT_DIR || path.join(REPO_ROOT, 'test-results', 'screenshots');

// Flags for a headless browser on a build machine: no sandbox (we run as
// root), no GPU, and no background traffic towards update or sync services.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let playwrightPromise;
export function loadPlaywright() {
  if (!playwrightPromise) {
    const dir = toolPaths().playwrightCore;
    if (!fs.existsSync(dir)) throw new Error(`playwright-core not found at ${dir}; run scripts/setup-vscode-test-env.sh`);
    playwrightPromise = import(pathToFileURL(path.join(dir, 'index.mjs')).href);
  }
  return playwrightPromise;
}

/**
 * Launch chromium and return { browser, context, page }.
 * options: headless (default true), viewport, args (extra flags), consoleLog
 * (a function that receives the page's console messages).
 */
export async function launchBrowser(options = {}) {
  const { chromium } = await loadPlaywright();
  const browser = await chromium.launch({
    executablePath: toolPaths().chromium,
    headless: options.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(options.args || [])],
  });
  const context = await browser.newContext({
    viewport: options.viewport || { width: 1280, height: 800 },
    // The workbench asks for clipboard access in some flows; granting it up
    // front avoids a permission prompt that headless mode cannot answer.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  if (options.consoleLog) page.on('console', (msg) => options.consoleLog(`[browser ${msg.type()}] ${msg.text()}`));
  return { browser, context, page };
}

/**
 * Call `cb(type, text)` for each console message of the extension host (tests'
 * and extensions' console.log and friends). The extension host forwards them
 * to the workbench, which prints them as '%c[Extension Host] %c<first arg>',
 * '<css>', '<css>', ...rest; this undoes that decoration. Messages are passed
 * on in the order they arrived.
 */
export function onExtensionHostConsole(page, cb) {
  let chain = Promise.resolve();
  page.on('console', (msg) => {
    if (!msg.text().startsWith('%c[Extension Host]')) return;
    const handles = msg.args();
    const values = Promise.all(handles.map((h) => h.jsonValue().catch(() => '[unserializable]')));
    chain = chain.then(async () => {
      const [first, , , ...rest] = await values;
      cb(msg.type(), format(String(first).replace(/^%c\[Extension Host\] %c/, ''), ...rest));
    }).catch(() => {});
  });
}

/** Open the workbench and wait until it has rendered. */
export async function openWorkbench(page, url, { timeoutMs = 60000 } = {}) {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.locator('div.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  // The status bar is painted once the workbench has restored its parts.
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Wait until a command title shows in the command palette, i.e. the workbench
 * has read the contributions of the extension that declares it (the extension
 * itself activates when the command runs). Polls, reopening the palette,
 * because the palette does not refresh an open list when extensions arrive.
 */
export async function waitForCommand(page, title, { timeoutMs = 60000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await paletteHasCommand(page, title);
    await page.keyboard.press('Escape');
    if (found) return;
    if (Date.now() > deadline) throw new Error(`command "${title}" did not appear within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
}

async function openPalette(page) {
  const input = page.locator('.quick-input-widget input.input');
  // F1 opens the command palette with the '>' prefix already typed.
  await page.locator('div.monaco-workbench').focus().catch(() => {});
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  return input;
}

async function paletteHasCommand(page, title) {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

/** Run a command by its palette title (e.g. 'Sample: Say Hello'). */
export async function runCommand(page, title, { timeoutMs = 15000 } = {}) {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  // Prefer an exact label match: fuzzy matching can rank a longer title first.
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.monaco-highlighted-label', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
  await rows.first().waitFor({ state: 'visible', timeout: timeoutMs });
  if (await exact.count()) {
    await exact.click();
  } else {
    const any = rows.filter({ hasText: title }).first();
    await any.waitFor({ state: 'visible', timeout: timeoutMs });
    await any.click();
  }
  await input.waitFor({ state: 'hidden', timeout: timeoutMs });
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The content frame of the active webview. Webviews are an outer iframe
 * (class "webview ready") hosting an inner iframe (#active-frame) with the
 * extension's HTML.
 */
export function webviewFrame(page, { index } = {}) {
  const outer = page.locator('iframe.webview.ready');
  const chosen = index === undefined ? outer.last() : outer.nth(index);
  return chosen.contentFrame().locator('#active-frame').contentFrame();
}

/** Text of the visible notification toasts. */
export async function notifications(page) {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}

/** Wait until a notification toast containing `text` is shown. */
export async function waitForNotification(page, text, { timeoutMs = 15000 } = {}) {
  const item = page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  return item.innerText();
}

/** Save a full-window PNG under test-results/screenshots/ and return its path. */
export async function screenshot(page, name) {
  await fsp.mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  // Finish CSS transitions first so toasts and panels are not caught mid-fade.
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/** Close the browser; safe to call twice or on a half-started browser. */
export async function closeBrowser(handles) {
  if (!handles || !handles.browser) return;
  await handles.browser.close().catch(() => {});
}
