/**
 * Entry of the dashboard webview (bundled to dist/webview.js). Connects to the
 * extension host, asks for the state with `ready`, renders it, and applies the
 * host's notifications: `state` replaces everything, `training` appends to the
 * running training, `reveal` brings a tab (and a run or prediction) forward.
 */
// First: sets up the style nonce before the toolkit's modules evaluate.
import './csp-nonce.js';
import type { DashboardState } from '../src/protocol.js';
import { connectToHost } from './host/host-connection.js';
import { acquireHostApi } from './host/vscode-api.js';
import { UiStateStore } from './state/ui-state.js';
import { registerToolkit } from './toolkit.js';
import { DashboardApp } from './views/app.js';

function start(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const api = acquireHostApi<unknown>();
  registerToolkit();
  const host = connectToHost(api);
  const app = new DashboardApp(root, host, new UiStateStore(api));

  // Handlers first: the host may push before it answers `ready`.
  host.handle('state', (state: DashboardState) => app.setState(state));
  host.handle('training', (update) => app.applyTraining(update));
  host.handle('reveal', (target) => app.reveal(target));
  host.handle('document', (data) => app.setDocument(data));

  app.showLoading();
  const load = (): void => {
    host.request('ready', {}).result.then(
      (state) => app.setState(state),
      (error: unknown) => app.showStartupError(error, () => {
        app.showLoading();
        load();
      }),
    );
  };
  load();
}

start();
