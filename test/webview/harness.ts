/**
 * Runs the dashboard in Chromium the way VS Code serves it: the host's exact
 * HTML with a strict nonce-based Content-Security-Policy (as header and meta),
 * dist/webview.js and media/dashboard.css, from a loopback-only HTTP server.
 *
 * A plain page has no VS Code host. An init script stands in for
 * `acquireVsCodeApi` (postMessage recorded and forwarded to the test,
 * getState/setState kept in sessionStorage so they survive a reload), and the
 * test answers the dashboard's requests with an RpcEndpoint of its own. This
 * stands in for the extension host only; the real host is tested in VS Code
 * separately.
 */
import { randomBytes } from 'node:crypto';
import { after, afterEach, before } from 'node:test';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DashboardToHost, HostToDashboard } from '../../src/protocol';
import { RpcEndpoint, isWireMessage, type WireMessage } from '../../src/rpc';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const BUNDLE = path.join(ROOT, 'dist', 'webview.js');
const STYLESHEET = path.join(ROOT, 'media', 'dashboard.css');

/** The bundle must exist and be newer than every source of the webview. */
export function requireFreshBundle(): void {
  if (!existsSync(BUNDLE)) throw new Error('dist/webview.js is missing: run `node scripts/build.mjs` first.');
  const built = statSync(BUNDLE).mtimeMs;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const stale = walk(path.join(ROOT, 'webview')).filter((f) => f.endsWith('.ts') && statSync(f).mtimeMs > built);
  if (stale.length) throw new Error(`dist/webview.js is older than ${path.relative(ROOT, stale[0])}: run \`node scripts/build.mjs\` first.`);
}

// ------------------------------------------------------------------ server

export interface DashboardServer {
  origin: string;
  url(view: 'sidebar' | 'panel'): string;
  close(): Promise<void>;
}

function csp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'nonce-${nonce}'; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

/** The HTML the extension host serves into the webview, verbatim but for the substituted values. */
function dashboardHtml(cspSource: string, nonce: string, mediaUri: string, distUri: string, view: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${mediaUri}/dashboard.css" nonce="${nonce}">
<title>RNN Sentiment Lab</title></head>
<body data-view="${view}"><div id="app" aria-live="polite"></div>
<script nonce="${nonce}" src="${distUri}/webview.js"></script></body></html>`;
}

export async function startServer(): Promise<DashboardServer> {
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      const view = url.searchParams.get('view') === 'sidebar' ? 'sidebar' : 'panel';
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp(origin, nonce), 'Cache-Control': 'no-store' });
      response.end(dashboardHtml(origin, nonce, `${origin}/media`, `${origin}/dist`, view));
    } else if (url.pathname === '/dist/webview.js' || url.pathname === '/dist/webview.js.map' || url.pathname === '/media/dashboard.css') {
      const file = url.pathname === '/media/dashboard.css' ? STYLESHEET : path.join(ROOT, 'dist', path.basename(url.pathname));
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'text/javascript' : 'application/json';
      response.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' });
      response.end(readFileSync(file));
    } else if (url.pathname === '/favicon.ico') {
      // Browsers ask for it unprompted; VS Code webviews never serve one.
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (view) => `${origin}/?view=${view}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ------------------------------------------------------------------ browser

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// ------------------------------------------------------------------ themes

export type ThemeName = 'dark' | 'light' | 'high-contrast';

/** A subset of VS Code's Dark Modern and Light Modern colours: what the dashboard and the toolkit read. */
const COMMON_VARIABLES: Record<string, string> = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
};

export const THEMES: Record<ThemeName, { bodyClass: string; variables: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    variables: {
      ...COMMON_VARIABLES,
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-errorForeground': '#f85149',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-editor-foreground': '#cccccc',
      '--vscode-sideBar-background': '#181818',
      '--vscode-panel-background': '#181818',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-widget-border': '#313131',
      '--vscode-editorWidget-background': '#202020',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-border': '#ffffff12',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-button-secondaryHoverBackground': '#3c3c3c',
      '--vscode-dropdown-background': '#313131',
      '--vscode-dropdown-border': '#3c3c3c',
      '--vscode-dropdown-foreground': '#cccccc',
      '--vscode-dropdown-listBackground': '#1f1f1f',
      '--vscode-input-background': '#313131',
      '--vscode-input-border': '#3c3c3c',
      '--vscode-input-foreground': '#cccccc',
      '--vscode-input-placeholderForeground': '#989898',
      '--vscode-checkbox-background': '#313131',
      '--vscode-checkbox-border': '#3c3c3c',
      '--vscode-checkbox-foreground': '#cccccc',
      '--vscode-panelTitle-activeBorder': '#0078d4',
      '--vscode-panelTitle-activeForeground': '#cccccc',
      '--vscode-panelTitle-inactiveForeground': '#9d9d9d',
      '--vscode-badge-background': '#616161',
      '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-progressBar-background': '#0078d4',
      '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-list-activeSelectionBackground': '#04395e',
      '--vscode-list-inactiveSelectionBackground': '#37373d',
      '--vscode-settings-dropdownListBorder': '#454545',
      '--vscode-scrollbarSlider-background': '#79797966',
      '--vscode-textLink-foreground': '#4daafc',
      '--vscode-charts-foreground': '#cccccc',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-testing-iconPassed': '#73c991',
      '--vscode-testing-iconFailed': '#f14c4c',
      '--vscode-editorWarning-foreground': '#cca700',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    variables: {
      ...COMMON_VARIABLES,
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#717171',
      '--vscode-errorForeground': '#e51400',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-editor-background': '#ffffff',
      '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-sideBar-background': '#f8f8f8',
      '--vscode-panel-background': '#f8f8f8',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-widget-border': '#e5e5e5',
      '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-border': '#0000001a',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-border': '#cecece',
      '--vscode-dropdown-foreground': '#3b3b3b',
      '--vscode-dropdown-listBackground': '#ffffff',
      '--vscode-input-background': '#ffffff',
      '--vscode-input-border': '#cecece',
      '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-placeholderForeground': '#767676',
      '--vscode-checkbox-background': '#f8f8f8',
      '--vscode-checkbox-border': '#cecece',
      '--vscode-checkbox-foreground': '#3b3b3b',
      '--vscode-panelTitle-activeBorder': '#005fb8',
      '--vscode-panelTitle-activeForeground': '#3b3b3b',
      '--vscode-panelTitle-inactiveForeground': '#3b3b3b',
      '--vscode-badge-background': '#cccccc',
      '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-progressBar-background': '#005fb8',
      '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-inactiveSelectionBackground': '#e4e6f1',
      '--vscode-settings-dropdownListBorder': '#cecece',
      '--vscode-scrollbarSlider-background': '#64646466',
      '--vscode-textLink-foreground': '#005fb8',
      '--vscode-charts-foreground': '#3b3b3b',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
      '--vscode-testing-iconPassed': '#388a34',
      '--vscode-testing-iconFailed': '#f14c4c',
      '--vscode-editorWarning-foreground': '#bf8803',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    variables: {
      ...COMMON_VARIABLES,
      '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffffb3',
      '--vscode-errorForeground': '#f48771',
      '--vscode-focusBorder': '#f38518',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-editor-background': '#000000',
      '--vscode-editor-foreground': '#ffffff',
      '--vscode-sideBar-background': '#000000',
      '--vscode-panel-background': '#000000',
      '--vscode-panel-border': '#6fc3df',
      '--vscode-widget-border': '#6fc3df',
      '--vscode-editorWidget-background': '#0c141f',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-dropdown-background': '#000000',
      '--vscode-dropdown-border': '#6fc3df',
      '--vscode-dropdown-foreground': '#ffffff',
      '--vscode-dropdown-listBackground': '#000000',
      '--vscode-input-background': '#000000',
      '--vscode-input-border': '#6fc3df',
      '--vscode-input-foreground': '#ffffff',
      '--vscode-input-placeholderForeground': '#ffffffb3',
      '--vscode-checkbox-background': '#000000',
      '--vscode-checkbox-border': '#6fc3df',
      '--vscode-checkbox-foreground': '#ffffff',
      '--vscode-panelTitle-activeBorder': '#6fc3df',
      '--vscode-panelTitle-activeForeground': '#ffffff',
      '--vscode-panelTitle-inactiveForeground': '#ffffff',
      '--vscode-badge-background': '#000000',
      '--vscode-badge-foreground': '#ffffff',
      '--vscode-progressBar-background': '#6fc3df',
      '--vscode-list-hoverBackground': '#000000',
      '--vscode-list-activeSelectionBackground': '#000000',
      '--vscode-textLink-foreground': '#21a6ff',
      '--vscode-charts-foreground': '#ffffff',
      '--vscode-charts-red': '#f48771',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#ffd700',
      '--vscode-charts-orange': '#ff9800',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-lines': '#ffffff',
    },
  },
};

/**
 * Runs in the page before its own scripts. Applies a theme the way VS Code
 * does (body class, then --vscode-* variables on <html>), reports CSP
 * violations, and provides the acquireVsCodeApi stand-in. Plain JavaScript
 * source, so nothing the TypeScript loader adds to functions reaches the page.
 */
function pageInitScript(theme: ThemeName, view: string): string {
  return `(() => {
  const themes = ${JSON.stringify(THEMES)};
  const view = ${JSON.stringify(view)};
  let current = ${JSON.stringify(theme)};
  function applyTheme(name) {
    current = name;
    const theme = themes[name];
    const body = document.body;
    if (!body) return;
    body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
    body.classList.add(theme.bodyClass);
    body.setAttribute('data-vscode-theme-kind', theme.bodyClass);
    const style = document.documentElement.style;
    for (const [property, value] of Object.entries(theme.variables)) style.setProperty(property, value);
    // The webview's own background: the side bar's in the side bar, the editor's in an editor tab.
    style.setProperty('background-color', view === 'sidebar' ? 'var(--vscode-sideBar-background)' : 'var(--vscode-editor-background)');
  }
  window.__setTheme = applyTheme;
  // <body> does not exist yet when this runs; apply the theme as soon as it does.
  const observer = new MutationObserver(() => {
    if (document.body) {
      observer.disconnect();
      applyTheme(current);
    }
  });
  observer.observe(document, { childList: true, subtree: true });

  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    const v = { directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber };
    window.__violations.push(v);
    if (window.__reportViolation) window.__reportViolation(v);
  });

  window.__posted = [];
  let acquired = false;
  const KEY = 'vscode-webview-state';
  window.acquireVsCodeApi = () => {
    // VS Code allows one acquisition per page load.
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage(message) {
        window.__posted.push(message);
        window.__toHost(JSON.parse(JSON.stringify(message)));
      },
      getState() {
        const stored = sessionStorage.getItem(KEY);
        return stored === null ? undefined : JSON.parse(stored);
      },
      setState(state) {
        sessionStorage.setItem(KEY, JSON.stringify(state));
        return state;
      },
    });
  };
})();`;
}

// ------------------------------------------------------------------ host stand-in

type HostHandlers = { [K in keyof DashboardToHost & string]?: (params: DashboardToHost[K]['params']) => DashboardToHost[K]['result'] | Promise<DashboardToHost[K]['result']> };

export interface Problems {
  console: string[];
  violations: string[];
}

/** Largest piece of a message FakeHost hands the page in one evaluate. */
const PIECE = 64 * 1024;

export class FakeHost {
  readonly endpoint: RpcEndpoint<DashboardToHost, HostToDashboard, Record<string, never>>;
  readonly requests: { method: string; params: unknown }[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly page: Page, handlers: HostHandlers) {
    // send() never rejects (a closed page drops the message): its promise only orders the messages.
    this.endpoint = new RpcEndpoint((message) => void this.send(message));
    for (const [method, handler] of Object.entries(handlers)) {
      this.endpoint.handle(method, handler as never);
    }
  }

  receive(message: unknown): void {
    if (!isWireMessage(message)) return;
    if (message.kind === 'request') this.requests.push({ method: message.method, params: message.params });
    this.endpoint.receive(message);
  }

  /**
   * Delivers a message to the webview as VS Code does: a window "message" event. In order.
   * The message crosses as JSON in pieces of at most 64 KiB, decoded in the
   * page when the last one is in: handed over whole, a large message (an
   * explanation's states, 1 MB) would cost the page's main thread hundreds of
   * milliseconds of DevTools-protocol parsing in one task, which VS Code's
   * postMessage does not (its structured clone decodes the same in a few).
   */
  send(message: WireMessage): Promise<unknown> {
    const json = JSON.stringify(message);
    this.queue = this.queue.then(async () => {
      try {
        for (let at = 0; at + PIECE < json.length; at += PIECE) {
          await this.page.evaluate((piece) => {
            const w = window as unknown as { __incoming?: string[] };
            (w.__incoming ??= []).push(piece);
          }, json.slice(at, at + PIECE));
        }
        await this.page.evaluate((last) => {
          const w = window as unknown as { __incoming?: string[] };
          const whole = [...(w.__incoming ?? []), last].join('');
          w.__incoming = [];
          window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(whole) as unknown }));
        }, json.slice(Math.floor(Math.max(0, json.length - 1) / PIECE) * PIECE));
      } catch {
        // the page was closed: the message is dropped
      }
    });
    return this.queue;
  }

  notify<K extends keyof HostToDashboard & string>(method: K, params: HostToDashboard[K]['params']): Promise<unknown> {
    this.endpoint.notify(method, params);
    return this.queue;
  }

  async waitForRequest(method: string, count = 1, timeoutMs = 5000): Promise<{ method: string; params: unknown }[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.filter((r) => r.method === method);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`No "${method}" request within ${timeoutMs} ms; received: ${this.requests.map((r) => r.method).join(', ') || 'nothing'}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export interface OpenOptions {
  view?: 'sidebar' | 'panel';
  theme?: ThemeName;
  handlers: HostHandlers;
  width?: number;
  height?: number;
  reducedMotion?: boolean;
}

export interface OpenDashboard {
  page: Page;
  host: FakeHost;
  problems: Problems;
  close(): Promise<void>;
}

export async function openDashboard(browser: Browser, server: DashboardServer, options: OpenOptions): Promise<OpenDashboard> {
  const view = options.view ?? 'panel';
  const context = await browser.newContext({
    viewport: { width: options.width ?? (view === 'sidebar' ? 300 : 1200), height: options.height ?? 900 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: options.reducedMotion ? 'reduce' : 'no-preference',
  });
  const page = await context.newPage();
  const problems: Problems = { console: [], violations: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.console.push(`pageerror: ${error.message}`));
  const host = new FakeHost(page, options.handlers);
  await page.exposeBinding('__toHost', (_source, message: unknown) => host.receive(message));
  await page.exposeBinding('__reportViolation', (_source, v: { directive: string; blocked: string; sample: string; source: string }) => {
    problems.violations.push(`${v.directive} blocked ${v.blocked || "(inline)"} ${v.sample} at ${v.source}`.trim());
  });
  await page.addInitScript({ content: pageInitScript(options.theme ?? 'dark', view) });
  await page.goto(server.url(view));
  return { page, host, problems, close: () => context.close() };
}

export async function setTheme(page: Page, theme: ThemeName): Promise<void> {
  await page.evaluate(`window.__setTheme(${JSON.stringify(theme)})`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The hooks every webview test file needs: one page server and one Chromium
 * for the file, and every dashboard a test opened closed after it.
 */
export function dashboardSession(): { open(options: OpenOptions): Promise<OpenDashboard>; opened: OpenDashboard[] } {
  let browser: Browser | undefined;
  let server: DashboardServer | undefined;
  const opened: OpenDashboard[] = [];
  before(async () => {
    requireFreshBundle();
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close();
  });
  return {
    opened,
    async open(options) {
      if (!browser || !server) throw new Error('dashboardSession: the page server and Chromium start in the file\'s before hook.');
      const d = await openDashboard(browser, server, options);
      opened.push(d);
      return d;
    },
  };
}
