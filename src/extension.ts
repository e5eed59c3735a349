/**
 * Activation: wiring only. Nothing here loads TensorFlow — the worker thread
 * does, on the first training or prediction — so activating costs
 * milliseconds.
 */
import * as vscode from 'vscode';
import { analyzeSentiment } from './commands/analyze-sentiment';
import { analyzeDocument, exportDocument, revealDocumentLine, type AnalyzeDocumentArgs } from './commands/analyze-document';
import { cancelTraining } from './commands/cancel-training';
import type { CommandContext } from './commands/context';
import { deleteModel } from './commands/delete-model';
import { evaluateModel } from './commands/evaluate-model';
import { COMMANDS, CONTEXT_KEYS, PANEL_VIEW_TYPE, VIEWS } from './commands/ids';
import { openDashboard } from './commands/open-dashboard';
import { resumeTraining } from './commands/resume-training';
import { selectActiveModel } from './commands/select-active-model';
import { trainModel } from './commands/train-model';
import { installNativeBackendCommand } from './commands/install-native-backend';
import { nativeModulesDir } from './lab/native-backend';
import { ServiceClient } from './lab/service-client';
import { serviceAddress } from './service/address';
import { DashboardPanel } from './dashboard/panel';
import { DashboardViewProvider } from './dashboard/view-provider';
import { Lab } from './lab/lab';
import { SETTINGS_SECTION, readSettings, type LabSettings } from './lab/settings';
import { LabStatusBar } from './status-bar';
import { reportError } from './commands/errors';

export interface ExtensionApi {
  /** For tests and other extensions: the lab behind the commands. */
  lab: Lab;
  settings(): LabSettings;
  /** How long activate() itself took (for the activation budget). */
  activationMs: number;
}

let lab: Lab | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const storageDir = context.globalStorageUri.fsPath;
  const settings = () =>
    readSettings(
      (key) => vscode.workspace.getConfiguration(SETTINGS_SECTION).get(key),
      storageDir,
      vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    );
  const service = new ServiceClient({
    address: serviceAddress(storageDir, String(context.extension.packageJSON.version)),
    servicePath: context.asAbsolutePath('dist/service.js'),
    nativeModulesDir: nativeModulesDir(storageDir),
  });
  lab = new Lab(service, context.globalState, settings);
  const viewProvider = new DashboardViewProvider(context.extensionUri, lab);
  const statusBar = new LabStatusBar(lab);

  const ctx: CommandContext = {
    lab,
    extensionUri: context.extensionUri,
    settings,
    async revealDashboard() {
      if (DashboardPanel.isOpen()) DashboardPanel.show(context.extensionUri, ctx.lab);
      else if (!viewProvider.visible) await vscode.commands.executeCommand(`${VIEWS.dashboard}.focus`, { preserveFocus: true });
    },
    showResultInStatusBar: (text, tooltip) => statusBar.showResult(text, tooltip),
  };

  const updateContextKeys = () => {
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, Boolean(ctx.lab.trainingState));
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasModel, ctx.lab.runListings.length > 0);
  };

  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(VIEWS.dashboard, viewProvider),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, DashboardPanel.serializer(context.extensionUri, lab)),
    viewProvider,
    statusBar,
    lab.onDidChange((change) => change.kind === 'state' && updateContextKeys()),
    vscode.commands.registerCommand(COMMANDS.trainModel, (args) => trainModel(ctx, args)),
    vscode.commands.registerCommand(COMMANDS.resumeTraining, (runId?: string) => resumeTraining(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.analyzeSentiment, (args) => analyzeSentiment(ctx, args)),
    vscode.commands.registerCommand(COMMANDS.analyzeDocument, (uri?: vscode.Uri, args?: AnalyzeDocumentArgs) => analyzeDocument(ctx, uri instanceof vscode.Uri ? uri : undefined, args)),
    vscode.commands.registerCommand(COMMANDS.revealDocumentLine, (line: number) => revealDocumentLine(ctx, line)),
    vscode.commands.registerCommand(COMMANDS.exportDocument, (format: 'csv' | 'json') => exportDocument(ctx, format)),
    vscode.commands.registerCommand(COMMANDS.openDashboard, () => openDashboard(ctx)),
    vscode.commands.registerCommand(COMMANDS.cancelTraining, () => cancelTraining(ctx)),
    vscode.commands.registerCommand(COMMANDS.evaluateModel, (runId?: string) => evaluateModel(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.selectActiveModel, (runId?: string) => selectActiveModel(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.deleteModel, (runId?: string) => deleteModel(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.installNativeBackend, () => installNativeBackendCommand({ ...ctx, storageDir })),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.backend`)) ctx.lab.restartWorker().catch((error: unknown) => reportError('Switching the backend', error));
      void ctx.lab.refreshRuns();
    }),
  );
  updateContextKeys();
  // Listing runs reads a few small JSON files; it must not delay activation.
  // Then, after a window reload, pick up a training the service is still running.
  void lab.refreshRuns().then(() => ctx.lab.reattach());
  return { lab, settings, activationMs: performance.now() - started };
}

export async function deactivate(): Promise<void> {
  await lab?.dispose();
  lab = undefined;
}
