'use strict';
// Entry for VS Code's own extension-test hook (extensionTestsPath), used by
// ../integration.mjs --mode dev: VS Code loads this module in the extension
// host of a development window and awaits run(); a rejection makes the
// workbench report exit code 1 through window.codeAutomationExit.

const { readRunDescription, claimRun, runSuite, writeCrash } = require('./run-suite');

exports.run = async function run() {
  const cfg = readRunDescription();
  if (!cfg) throw new Error('no run description: VSCODE_TEST_RUNNER_CONFIG is not set');
  if (!claimRun(cfg)) return;
  let result;
  try {
    result = await runSuite(cfg);
  } catch (err) {
    writeCrash(cfg, err);
    throw err;
  }
  if (result.failed > 0) throw new Error(`${result.failed} test(s) failed`);
};
