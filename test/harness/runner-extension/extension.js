'use strict';
// Runs a mocha suite inside the real extension host, so the tests get the
// real `vscode` module. The harness (../integration.mjs) installs this folder
// next to the extension under test and points it at a run description through
// the VSCODE_TEST_RUNNER_CONFIG environment variable, which code-server passes
// on to the extension host it forks. Without that variable (or the
// mochaHostRunner.configFile setting) the extension does nothing, so leaving it
// installed in a normal profile is harmless.
//
// Run description (JSON):
//   mochaPath   absolute path of the mocha package folder (the project's own
//               node_modules/mocha; this folder ships no dependencies)
//   files       absolute paths of the compiled test files, in load order
//   resultFile  where the final JSON result goes; `<resultFile>.log` receives
//               mocha's text output as it is produced, `<resultFile>.started`
//               marks that the run began and `<resultFile>.progress` holds the
//               counts so far (read by the harness when the run times out)
//   ui, timeout, grep, slow   passed to mocha as-is (optional)

const fs = require('fs');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');
const vscode = require('vscode');

function readRunDescription() {
  const fromEnv = process.env.VSCODE_TEST_RUNNER_CONFIG;
  const fromSettings = vscode.workspace.getConfiguration('mochaHostRunner').get('configFile');
  const file = fromEnv || fromSettings;
  if (!file) return undefined;
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const key of ['mochaPath', 'files', 'resultFile']) {
    if (!cfg[key]) throw new Error(`run description ${file} lacks "${key}"`);
  }
  return cfg;
}

// Write to a temporary name and rename, so a reader polling for the file
// never sees it half written.
function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function serializeError(err) {
  if (!err) return undefined;
  const out = { message: String(err.message || err), stack: err.stack ? String(err.stack) : undefined };
  if (err.actual !== undefined || err.expected !== undefined) {
    out.actual = util.inspect(err.actual, { depth: 4 });
    out.expected = util.inspect(err.expected, { depth: 4 });
  }
  return out;
}

async function loadMocha(mochaPath) {
  // Dynamic import loads both the CommonJS builds (mocha <= 11) and the ES
  // module build (mocha 12), and gives the constructor as `default` for both.
  const entry = require.resolve(mochaPath);
  const mod = await import(pathToFileURL(entry).href);
  const Mocha = mod.default || mod;
  if (typeof Mocha !== 'function' || !Mocha.reporters) {
    throw new Error(`${entry} did not export the Mocha constructor`);
  }
  return Mocha;
}

async function runSuite(cfg) {
  const logFile = `${cfg.resultFile}.log`;
  const outputLines = [];
  const emit = (line) => {
    outputLines.push(line);
    fs.appendFileSync(logFile, line + '\n');
  };
  const started = Date.now();
  const tests = [];
  const counts = { passed: 0, failed: 0, pending: 0 };
  let stats;
  let fatal;

  try {
    const Mocha = await loadMocha(cfg.mochaPath);
    const Base = Mocha.reporters.Base;
    // The spec reporter prints through Base.consoleLog; in the extension host
    // console output ends up in the browser's console, so send it to the log
    // file instead, without colours.
    Base.consoleLog = (...args) => emit(util.format(...args));
    Base.useColors = false;

    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
    class HarnessReporter extends Mocha.reporters.Spec {
      constructor(runner, options) {
        super(runner, options);
        const record = (state) => (test, err) => {
          counts[state] += 1;
          writeAtomic(`${cfg.resultFile}.progress`, JSON.stringify(counts));
          tests.push({
            title: test.title,
            fullTitle: test.fullTitle(),
            file: test.file,
            state,
            durationMs: test.duration,
            error: serializeError(err),
          });
        };
        runner.on(EVENT_TEST_PASS, record('passed'));
        runner.on(EVENT_TEST_FAIL, record('failed'));
        runner.on(EVENT_TEST_PENDING, record('pending'));
      }
    }

    const mocha = new Mocha({
      ui: cfg.ui || 'bdd',
      timeout: cfg.timeout ?? 20000,
      slow: cfg.slow ?? 2000,
      color: false,
      reporter: HarnessReporter,
      grep: cfg.grep || undefined,
    });
    for (const file of cfg.files) mocha.addFile(file);
    await mocha.loadFilesAsync();
    const runner = await new Promise((resolve) => {
      const r = mocha.run(() => resolve(r));
    });
    stats = runner.stats;
  } catch (err) {
    fatal = serializeError(err);
    emit(`Test run aborted: ${err && err.stack ? err.stack : err}`);
  }

  const passed = tests.filter((t) => t.state === 'passed').length;
  const pending = tests.filter((t) => t.state === 'pending').length;
  // mocha counts failing hooks as failures too, and they appear as 'failed'
  // entries through EVENT_TEST_FAIL; an aborted run counts as one failure.
  const failed = tests.filter((t) => t.state === 'failed').length + (fatal ? 1 : 0);
  writeAtomic(cfg.resultFile, JSON.stringify({
    passed,
    failed,
    pending,
    total: tests.length,
    durationMs: Date.now() - started,
    mochaStats: stats,
    fatal,
    vscodeVersion: vscode.version,
    nodeVersion: process.version,
    tests,
    output: outputLines.join('\n'),
  }, null, 2));
}

function activate() {
  let cfg;
  try {
    cfg = readRunDescription();
  } catch (err) {
    console.error('[mocha-host-runner] unreadable run description:', err);
    return;
  }
  if (!cfg) return;
  const startedMarker = `${cfg.resultFile}.started`;
  // A reloaded window starts a new extension host; the suite must run once.
  if (fs.existsSync(startedMarker) || fs.existsSync(cfg.resultFile)) return;
  fs.mkdirSync(path.dirname(cfg.resultFile), { recursive: true });
  writeAtomic(startedMarker, JSON.stringify({ pid: process.pid, at: new Date().toISOString(), vscodeVersion: vscode.version }));
  // Not awaited: activation must finish so that the rest of the workbench and
  // the extension under test keep starting while the suite runs.
  runSuite(cfg).catch((err) => {
    try {
      writeAtomic(cfg.resultFile, JSON.stringify({ passed: 0, failed: 1, pending: 0, total: 0, fatal: serializeError(err), tests: [], output: String(err && err.stack) }));
    } catch (writeErr) {
      console.error('[mocha-host-runner] could not write result', writeErr);
    }
  });
}

function deactivate() {}

module.exports = { activate, deactivate };
