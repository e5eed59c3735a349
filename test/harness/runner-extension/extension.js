'use strict';
// Installed next to the extension under test by ../integration.mjs (default
// mode). Activates as soon as the extension host starts ("*"), and runs the
// suite named by the run description (see run-suite.js). Without a run
// description it does nothing, so leaving it installed is harmless.

const { readRunDescription, claimRun, runSuite, writeCrash } = require('./run-suite');

function activate() {
  let cfg;
  try {
    cfg = readRunDescription();
  } catch (err) {
    console.error('[mocha-host-runner] unreadable run description:', err);
    return;
  }
  if (!cfg || !claimRun(cfg)) return;
  // Not awaited: activation must finish so that the rest of the workbench and
  // the extension under test keep starting while the suite runs.
  runSuite(cfg).catch((err) => writeCrash(cfg, err));
}

function deactivate() {}

module.exports = { activate, deactivate };
