'use strict';
// Shared by both ways the harness starts a suite (see ../integration.mjs):
// extension.js (this folder installed as an extension that activates on
// startup) and tests-entry.js (loaded by VS Code itself as the
// extensionTestsPath of a development window). Both run in the real extension
// host, so the tests get the real `vscode` module.
//
// Run description (JSON), found through the VSCODE_TEST_RUNNER_CONFIG
// environment variable (code-server passes its environment on to the
// extension host) or the mochaHostRunner.configFile setting:
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

/**
 * Claim the run: returns false when this run description was already started
 * (a reloaded window starts a new extension host, and the suite must run
 * once).
 */
function claimRun(cfg) {
  const startedMarker = `${cfg.resultFile}.started`;
  if (fs.existsSync(startedMarker) || fs.existsSync(cfg.resultFile)) return false;
  fs.mkdirSync(path.dirname(cfg.resultFile), { recursive: true });
  writeAtomic(startedMarker, JSON.stringify({ pid: process.pid, at: new Date().toISOString(), vscodeVersion: vscode.version }));
  return true;
}

/** Run the suite and write the result file; resolves to the result object. */
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
  // The extension host only logs a rejection nobody handled; here it fails the run, as it would crash a plain Node process.
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);

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
  process.off('unhandledRejection', onUnhandled);
  for (const reason of unhandled) {
    counts.failed += 1;
    tests.push({ title: 'no unhandled promise rejection', fullTitle: 'no unhandled promise rejection', state: 'failed', durationMs: 0, error: serializeError(reason) });
    emit(`Unhandled promise rejection: ${reason && reason.stack ? reason.stack : reason}`);
  }

  // mocha reports failing hooks through EVENT_TEST_FAIL as well, so they are
  // counted like failing tests; an aborted run counts as one failure.
  const result = {
    passed: counts.passed,
    failed: counts.failed + (fatal ? 1 : 0),
    pending: counts.pending,
    total: tests.length,
    durationMs: Date.now() - started,
    mochaStats: stats,
    fatal,
    vscodeVersion: vscode.version,
    nodeVersion: process.version,
    tests,
    output: outputLines.join('\n'),
  };
  writeAtomic(cfg.resultFile, JSON.stringify(result, null, 2));
  return result;
}

/** Last resort when runSuite itself throws (e.g. the result folder vanished). */
function writeCrash(cfg, err) {
  try {
    writeAtomic(cfg.resultFile, JSON.stringify({ passed: 0, failed: 1, pending: 0, total: 0, fatal: serializeError(err), tests: [], output: String(err && err.stack) }));
  } catch (writeErr) {
    console.error('[mocha-host-runner] could not write result', writeErr);
  }
}

module.exports = { readRunDescription, claimRun, runSuite, writeCrash };
