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
 * Runs a command by its palette title, as a user does: F1, type the title, click its row.
 * Starts again from a closed palette when the row does not show: the palette can open with
 * its own '>' over what was typed, or list its commands before the workbench has read an
 * extension's contributions (it does not refresh an open list). The error names what the
 * palette held, so a real absence reads as one.
 */
export async function runCommand(page, title, { attempts = 3, rowTimeoutMs = 10_000 } = {}) {
  const input = page.locator('.quick-input-widget input.input');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const row = rows.filter({ hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    // No focus is moved first: the palette gives it back to the editor that had it.
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: rowTimeoutMs });
      await row.click();
      return;
    } catch (error) {
      const typed = await input.inputValue().catch(() => '(no palette open)');
      const listed = (await rows.allInnerTexts().catch(() => [])).slice(0, 5).map((t) => t.replace(/\s+/g, ' '));
      const state = `the palette held "${typed}", listing ${listed.length ? listed.join(' | ') : 'nothing'}`;
      if (attempt >= attempts) throw new Error(`"${title}" was not in the command palette after ${attempts} tries: ${state}`, { cause: error });
      console.error(`# "${title}" not listed yet (try ${attempt}): ${state}; reopening the palette`);
      await page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
  }
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
