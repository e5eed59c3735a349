#!/usr/bin/env node
// Runs a mocha suite inside the extension host of a real VS Code (code-server).
//
//   node test/harness/integration.mjs \
//     --extension <folder|file.vsix> [--extension ...] \
//     --tests <folder|file> [--tests ...] \
//     --workspace <folder> \
//     [--mocha <path of the mocha package>] [--ui bdd|tdd] [--grep <re>] \
//     [--pattern <re on file names>] [--test-timeout <ms>] [--timeout <ms>] \
//     [--setting key=<json value>]... [--results-dir <dir>] [--keep] \
//     [--mode runner|dev] [--quiet-console]
//
// How: a run description (mocha path, test files, result file) is handed to
// the extension host through VSCODE_TEST_RUNNER_CONFIG, which it inherits from
// code-server. code-server starts an extension host only for a connected
// window, so chromium opens the workbench. The suite then runs in one of two
// ways, both in the real extension host with the real `vscode` API:
//   runner (default): the extension(s) under test and runner-extension/ are
//     installed into a fresh profile; the runner activates on startup ("*").
//   dev: extension folders are loaded as development extensions and
//     runner-extension/tests-entry.js as extensionTestsPath, through the
//     workbench's `payload` URL parameter, the way VS Code's own test tooling
//     does it. The built workbench honours that parameter only when the
//     server runs with enable-smoke-test-driver.
// The result file is what this script waits for; mocha's report and the
// extension host's console output are printed as they come (the extension
// host has no terminal of its own). Logs stay in --results-dir (default
// test-results/integration). The last line printed is
// "N passed, N failed"; the exit code is 0 only if at least one test ran and
// none failed.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startCodeServer } from './code-server.mjs';
import { launchBrowser, openWorkbench, closeBrowser, screenshot, onExtensionHostConsole } from './e2e.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const RUNNER_EXTENSION_DIR = path.join(HERE, 'runner-extension');

function resolveMocha(explicit, searchFrom) {
  if (explicit) {
    const dir = path.resolve(explicit);
    if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`--mocha ${dir} is not a package folder`);
    return dir;
  }
  for (const from of searchFrom) {
    try {
      const req = createRequire(path.join(path.resolve(from), 'package.json'));
      return path.dirname(req.resolve('mocha/package.json'));
    } catch { /* try the next place */ }
  }
  throw new Error(`mocha not found from ${searchFrom.join(', ')}; add it as a devDependency or pass --mocha`);
}

async function collectTestFiles(entries, pattern) {
  const files = [];
  const walk = async (p) => {
    const st = await fsp.stat(p);
    if (st.isFile()) {
      files.push(p);
      return;
    }
    const names = (await fsp.readdir(p)).sort();
    for (const name of names) {
      if (name === 'node_modules') continue;
      const child = path.join(p, name);
      const cst = await fsp.stat(child);
      if (cst.isDirectory()) await walk(child);
      else if (pattern.test(name)) files.push(child);
    }
  };
  for (const e of entries) await walk(path.resolve(e));
  return files;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

// Print the runner's text output as it grows, so a long or hanging suite
// shows where it is.
function makeLogFollower(file, write) {
  let offset = 0;
  return () => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        write(buf.toString('utf8'));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
}

function logTails(userDataDir) {
  // The extension host writes its own log under <user-data>/logs/<session>/.
  const out = [];
  const walk = (dir) => {
    let entries;
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost.*\.log$|remoteexthost\.log$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return out;
}

/**
 * Programmatic entry. Returns { passed, failed, pending, timedOut, result,
 * resultsDir }; prints mocha's output through `write` (stdout by default).
 */
export async function runIntegration(opts) {
  const write = opts.write || ((s) => process.stdout.write(s));
  const t0 = Date.now();
  const extensions = (opts.extensions || []).map((e) => path.resolve(e));
  if (!extensions.length) throw new Error('no --extension given');
  if (!opts.tests || !opts.tests.length) throw new Error('no --tests given');
  const pattern = opts.pattern instanceof RegExp ? opts.pattern : new RegExp(opts.pattern || '\\.test\\.[cm]?js$');
  const files = await collectTestFiles(opts.tests, pattern);
  if (!files.length) throw new Error(`no test files matching ${pattern} under ${opts.tests.join(', ')}`);
  const extensionFolders = extensions.filter((e) => fs.statSync(e).isDirectory());
  const mode = opts.mode || 'runner';
  if (mode !== 'runner' && mode !== 'dev') throw new Error(`unknown --mode ${mode} (runner or dev)`);
  if (mode === 'dev' && !extensionFolders.length) throw new Error('--mode dev loads extension folders; none given');
  const mochaPath = resolveMocha(opts.mocha, [process.cwd(), ...extensionFolders, REPO_ROOT]);

  const resultsDir = path.resolve(opts.resultsDir || path.join(REPO_ROOT, 'test-results', 'integration'));
  await fsp.mkdir(resultsDir, { recursive: true });
  const resultFile = path.join(resultsDir, 'results.json');
  // The runner refuses to start when an old result or start marker exists.
  for (const suffix of ['', '.started', '.log', '.progress']) {
    await fsp.rm(resultFile + suffix, { force: true });
  }
  await fsp.rm(path.join(resultsDir, 'code-server.log'), { force: true });
  await fsp.rm(path.join(resultsDir, 'vscode-logs'), { recursive: true, force: true });
  const runDescription = path.join(resultsDir, 'run.json');
  await fsp.writeFile(runDescription, JSON.stringify({
    mochaPath,
    files,
    resultFile,
    ui: opts.ui || 'bdd',
    timeout: opts.testTimeout ?? 20000,
    grep: opts.grep,
  }, null, 2));

  write(`integration: ${files.length} test file(s), mocha from ${mochaPath}, mode ${mode}\n`);
  const cs = await startCodeServer({
    folder: opts.workspace,
    extensions: mode === 'runner' ? [...extensions, RUNNER_EXTENSION_DIR] : extensions.filter((e) => !extensionFolders.includes(e)),
    settings: opts.settings,
    env: { ...(opts.env || {}), VSCODE_TEST_RUNNER_CONFIG: runDescription },
    logFile: path.join(resultsDir, 'code-server.log'),
    keepTemp: opts.keep,
    extraArgs: mode === 'dev' ? ['--vscode-option', 'enable-smoke-test-driver'] : [],
  });
  const tServer = Date.now();
  write(`integration: code-server ${cs.url} ready in ${tServer - t0} ms (installed: ${cs.installed.join(', ') || 'none'}${mode === 'dev' ? `; development: ${extensionFolders.join(', ')}` : ''})\n`);
  let url = cs.workbenchUrl;
  if (mode === 'dev') {
    // Locations in the payload are URIs on the server side of the window.
    const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
    const payload = [
      ...extensionFolders.map((f) => ['extensionDevelopmentPath', remote(f)]),
      ['extensionTestsPath', remote(path.join(RUNNER_EXTENSION_DIR, 'tests-entry.js'))],
    ];
    url += `${url.includes('?') ? '&' : '?'}payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }

  let browser;
  let timedOut = false;
  let result;
  const browserLog = fs.createWriteStream(path.join(resultsDir, 'browser-console.log'));
  try {
    browser = await launchBrowser({ consoleLog: (line) => browserLog.write(line + '\n') });
    // console output of the tests and of the extension under test; the
    // extension host itself has no terminal to print to.
    if (!opts.quietConsole) {
      onExtensionHostConsole(browser.page, (type, text) => {
        write(text.split('\n').map((l) => `[extension host ${type}] ${l}`).join('\n') + '\n');
      });
    }
    // In dev mode the workbench reports the end of the test run by calling
    // this function; a call without a result file means the run never began.
    let automationExit;
    await browser.page.exposeFunction('codeAutomationExit', (code) => { automationExit = code; });
    await openWorkbench(browser.page, url);
    write(`integration: workbench ready in ${Date.now() - tServer} ms\n`);

    const follow = makeLogFollower(`${resultFile}.log`, write);
    const deadline = Date.now() + (opts.timeout ?? 300000);
    let serverDied = false;
    for (;;) {
      follow();
      result = readJson(resultFile);
      if (result) break;
      try {
        process.kill(-cs.pid, 0);
      } catch {
        serverDied = true;
      }
      // run() writes the result before it returns, so by the time the
      // workbench reports the end there is a result unless the run failed to
      // start.
      if (automationExit !== undefined) {
        write(`\nintegration: the workbench ended the test run (exit code ${automationExit}) without a result\n`);
        timedOut = true;
        break;
      }
      if (serverDied || Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await sleep(200);
    }
    follow();
    if (result) write(`integration: suite finished ${Date.now() - tServer} ms after code-server was up\n`);
    if (timedOut) {
      const started = fs.existsSync(`${resultFile}.started`);
      const why = serverDied
        ? 'code-server exited before the suite finished'
        : started
          ? `the suite started but did not finish within ${opts.timeout ?? 300000} ms`
          : `the runner extension never started within ${opts.timeout ?? 300000} ms (extension host not up, or activation failed)`;
      write(`\nintegration: FAILED: ${why}\n`);
      await screenshot(browser.page, 'integration-timeout').then((f) => write(`integration: screenshot ${f}\n`)).catch(() => {});
    }
  } finally {
    const tStop = Date.now();
    await closeBrowser(browser);
    browserLog.end();
    if (timedOut || !result || result.failed) {
      // Keep VS Code's own logs (extension host, server) for diagnosis.
      await fsp.cp(path.join(cs.userDataDir, 'logs'), path.join(resultsDir, 'vscode-logs'), { recursive: true }).catch(() => {});
      for (const f of logTails(cs.userDataDir)) {
        const text = fs.readFileSync(f, 'utf8').split('\n').filter((l) => /error|fail|exception/i.test(l)).slice(-15).join('\n');
        if (text) write(`\n--- errors in ${path.relative(cs.userDataDir, f)}:\n${text}\n`);
      }
    }
    await cs.stop();
    write(`integration: browser and code-server stopped in ${Date.now() - tStop} ms\n`);
  }

  const progress = readJson(`${resultFile}.progress`) || { passed: 0, failed: 0, pending: 0 };
  const passed = result ? result.passed : progress.passed;
  // A run that did not finish counts as one more failure.
  const failed = result ? result.failed : progress.failed + 1;
  const pending = result ? result.pending : progress.pending;
  write(`integration: VS Code ${result?.vscodeVersion ?? '?'} on Node ${result?.nodeVersion ?? '?'}, wall time ${Date.now() - t0} ms, results in ${path.relative(process.cwd(), resultsDir) || '.'}\n`);
  return { passed, failed, pending, timedOut, result, resultsDir };
}

function parseSettings(list, file) {
  const settings = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const item of list || []) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new Error(`--setting ${item}: expected key=value`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    try {
      settings[key] = JSON.parse(raw);
    } catch {
      settings[key] = raw;
    }
  }
  return settings;
}

async function main() {
  const { values } = parseArgs({
    options: {
      extension: { type: 'string', multiple: true },
      tests: { type: 'string', multiple: true },
      workspace: { type: 'string' },
      mocha: { type: 'string' },
      ui: { type: 'string' },
      grep: { type: 'string' },
      pattern: { type: 'string' },
      'test-timeout': { type: 'string' },
      timeout: { type: 'string' },
      setting: { type: 'string', multiple: true },
      'settings-file': { type: 'string' },
      'results-dir': { type: 'string' },
      keep: { type: 'boolean' },
      mode: { type: 'string' },
      'quiet-console': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    // The usage is the file's opening comment up to its second blank line.
    const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    const usage = lines.slice(0, lines.findIndex((l, i) => i > 1 && l.trim() === '//'));
    process.stdout.write(usage.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return 0;
  }
  const summary = await runIntegration({
    extensions: values.extension,
    tests: values.tests,
    workspace: values.workspace,
    mocha: values.mocha,
    ui: values.ui,
    grep: values.grep,
    pattern: values.pattern,
    testTimeout: values['test-timeout'] ? Number(values['test-timeout']) : undefined,
    timeout: values.timeout ? Number(values.timeout) : undefined,
    settings: parseSettings(values.setting, values['settings-file']),
    resultsDir: values['results-dir'],
    keep: values.keep,
    mode: values.mode,
    quietConsole: values['quiet-console'],
  });
  const skipped = summary.pending ? `, ${summary.pending} skipped` : '';
  process.stdout.write(`${summary.passed} passed, ${summary.failed} failed${skipped}\n`);
  return summary.failed === 0 && summary.passed > 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`integration: ${err && err.stack ? err.stack : err}\n`);
      process.stdout.write('0 passed, 1 failed\n');
      process.exit(2);
    },
  );
}
