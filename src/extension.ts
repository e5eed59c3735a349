/**
 * Activation: wiring only. Nothing here loads TensorFlow — the worker thread
 * does, on the first training or prediction — so activating costs
 * milliseconds.
 */
import * as vscode from 'vscode';
import { analyzeSentiment, type AnalyzeArgs } from './commands/analyze-sentiment';
import { analyzeDocument, exportDocument, revealDocumentLine, type AnalyzeDocumentArgs } from './commands/analyze-document';
import { DocumentChoices } from './commands/document-choices';
import { cancelTraining } from './commands/cancel-training';
import type { CommandContext } from './commands/context';
import { deleteModel } from './commands/delete-model';
import { evaluateModel } from './commands/evaluate-model';
import { exportKerasModel } from './commands/export-keras-model';
import { importKerasModel, type ImportKerasArgs } from './commands/import-keras-model';
import { COMMANDS, CONTEXT_KEYS, PANEL_VIEW_TYPE, VIEWS } from './commands/ids';
import { openDashboard } from './commands/open-dashboard';
import { resumeTraining } from './commands/resume-training';
import { selectActiveModel } from './commands/select-active-model';
import { announce, progressReporter, trainModel, type TrainModelArgs } from './commands/train-model';
import type { PresetName } from './core/presets';
import { trainingTitle } from './lab/training-description';
import { EditorAnnotations } from './editor/annotations';
import type { ActiveModelChange } from './lab/active-model';
import { LabLog } from './log';
import { installNativeBackendCommand } from './commands/install-native-backend';
import { nativeModulesDir } from './lab/native-backend';
import { ServiceClient, serviceRoots } from './lab/service-client';
import { serviceEndpoint, serviceLogPath } from './service/address';
import { DashboardPanel } from './dashboard/panel';
import { DashboardViewProvider } from './dashboard/view-provider';
import { Lab } from './lab/lab';
import { SETTINGS_SECTION, USER_ONLY_SETTINGS, readSettings, settingGetter, type LabSettings } from './lab/settings';
import { LabStatusBar } from './status-bar';
import type { TrainResult, TrainingState } from './protocol';
import { logFailuresTo, reportError } from './commands/errors';
import { errorCode } from './rpc';

/** How long after activation, or after the last change of a folder setting, the training service is started in the background (see ServiceClient.startInBackground). */
const SERVICE_START_DELAY_MS = 1_000;

export interface ExtensionApi {
  /** For tests and other extensions: the lab behind the commands. */
  lab: Lab;
  settings(): LabSettings;
  /** How long activate() itself took (for the activation budget). */
  activationMs: number;
  /** The labels, colouring and marks drawn in editors (tests read what Analyze Sentiment and Analyze Document drew). */
  annotations: EditorAnnotations;
}

let lab: Lab | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const storageDir = context.globalStorageUri.fsPath;
  const version = (context.extension.packageJSON as { version: string }).version;
  // Path settings are the user's only; training settings come from a workspace only once it is trusted (lab/settings.ts).
  const readCurrentSettings = () => {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const trusted = vscode.workspace.isTrusted;
    return readSettings(
      settingGetter((key) => configuration.inspect(key), trusted),
      storageDir,
      trusted ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : undefined,
    );
  };
  // Read once, then kept until a setting, the workspace's trust or its folders change: every command, request and
  // dashboard update asks for them, and each reading inspects two dozen keys on the extension host's thread.
  let currentSettings: LabSettings | undefined;
  const settings = () => (currentSettings ??= readCurrentSettings());
  const log = new LabLog();
  const locateService = () => {
    const roots = serviceRoots(settings());
    return {
      endpoint: serviceEndpoint(storageDir, version, roots),
      roots,
      servicePath: context.asAbsolutePath('dist/service.js'),
      nativeModulesDir: nativeModulesDir(storageDir),
    };
  };
  const service = new ServiceClient(locateService);
  // One start for several settings changed in a row (each folder setting is another service's).
  let serviceStart: NodeJS.Timeout | undefined;
  const startServiceSoon = () => {
    clearTimeout(serviceStart);
    serviceStart = setTimeout(() => service.startInBackground(), SERVICE_START_DELAY_MS);
  };
  context.subscriptions.push({ dispose: () => clearTimeout(serviceStart) });
  try {
    // The service's log, beside its socket in the user's private folder; every window of the profile follows it.
    log.follow(serviceLogPath(locateService().endpoint));
  } catch {
    // No private folder for the service: the first request says why.
  }
  logFailuresTo((message) => log.error(message));
  const annotations = new EditorAnnotations(vscode.Uri.joinPath(context.extensionUri, 'media'));
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
    annotations,
    log,
    documentChoices: new DocumentChoices(context.workspaceState),
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
    log,
    annotations,
    lab.onDidChange((change) => {
      if (change.kind === 'state') updateContextKeys();
      else if (change.kind === 'active') tellActiveChange(change.change);
      else if (change.kind === 'reattached') followReattached(ctx, change.state, change.done);
      else if (change.kind === 'ended-unseen') void announce(ctx, change.result);
    }),
    vscode.commands.registerCommand(COMMANDS.trainModel, (args?: TrainModelArgs | PresetName) => trainModel(ctx, args)),
    vscode.commands.registerCommand(COMMANDS.resumeTraining, (runId?: string) => resumeTraining(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.analyzeSentiment, (args?: AnalyzeArgs) => analyzeSentiment(ctx, args)),
    vscode.commands.registerCommand(COMMANDS.analyzeDocument, (uri?: vscode.Uri, args?: AnalyzeDocumentArgs) => analyzeDocument(ctx, uri instanceof vscode.Uri ? uri : undefined, args)),
    vscode.commands.registerCommand(COMMANDS.revealDocumentLine, (line: number) => revealDocumentLine(ctx, line)),
    vscode.commands.registerCommand(COMMANDS.exportDocument, (format: 'csv' | 'json') => exportDocument(ctx, format)),
    vscode.commands.registerCommand(COMMANDS.openDashboard, () => openDashboard(ctx)),
    vscode.commands.registerCommand(COMMANDS.cancelTraining, () => cancelTraining(ctx)),
    vscode.commands.registerCommand(COMMANDS.evaluateModel, (runId?: string) => evaluateModel(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.selectActiveModel, (runId?: string) => selectActiveModel(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.deleteModel, (runId?: string) => deleteModel(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.importKerasModel, (args?: ImportKerasArgs) => importKerasModel(ctx, args)),
    vscode.commands.registerCommand(COMMANDS.exportKerasModel, (runId?: string, out?: string) => exportKerasModel(ctx, runId, out)),
    vscode.commands.registerCommand(COMMANDS.clearSentimentLabels, () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      annotations.clear(editor.document, 'sentiment');
      annotations.clear(editor.document, 'document');
    }),
    vscode.commands.registerCommand(COMMANDS.clearExplanations, () => {
      const editor = vscode.window.activeTextEditor;
      if (editor) annotations.clear(editor.document, 'words');
    }),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
    vscode.commands.registerCommand(COMMANDS.installNativeBackend, () => installNativeBackendCommand({ ...ctx, storageDir })),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      currentSettings = undefined;
      // Other folders are another service's: started now, not by the next training.
      if (USER_ONLY_SETTINGS.some((key) => e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`))) startServiceSoon();
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.backend`)) ctx.lab.restartWorker().catch((error: unknown) => reportError('Switching the backend', error));
      void ctx.lab.refreshRuns();
    }),
    // Trusting the workspace brings its training settings (and relative paths) into effect.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      currentSettings = undefined;
      void ctx.lab.refreshRuns();
    }),
    // Relative paths in the settings are the first workspace folder's.
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      currentSettings = undefined;
    }),
  );
  updateContextKeys();
  // Listing runs reads a few small JSON files; it must not delay activation.
  // Then, after a window reload, pick up a training the service is still running.
  void lab.refreshRuns().then(() => ctx.lab.reattach());
  // The lab was opened (its view, or one of its commands): have the service ready before the first training or
  // analysis asks for it, once activation and the first paint are out of the way.
  startServiceSoon();
  log.info(`Activated; runs in ${settings().runsDir}`);
  return { lab, settings, activationMs: performance.now() - started, annotations };
}

/** The active model changed without the user choosing it (or a new run was not made active): say so, with the way to change it. */
function tellActiveChange(change: ActiveModelChange): void {
  const actions = [change.offerRunId ? 'Make It Active' : undefined, change.offerSelect ? 'Select Active Model' : undefined].filter((a): a is string => Boolean(a));
  void vscode.window.showInformationMessage(change.message, ...actions).then((choice) => {
    if (choice === 'Make It Active' && change.offerRunId) void vscode.commands.executeCommand(COMMANDS.selectActiveModel, change.offerRunId);
    else if (choice === 'Select Active Model') void vscode.commands.executeCommand(COMMANDS.selectActiveModel);
  });
}

/**
 * After a window reload during a training: the same progress notification,
 * with Cancel, as the window that started it showed, and the same notice at
 * its end.
 */
function followReattached(ctx: CommandContext, state: TrainingState, done: Promise<TrainResult>): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: trainingTitle(state.preset, ctx.settings().limit), cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => ctx.lab.cancelTraining());
      const report = progressReporter(progress, state.hyperparameters);
      // What the training reported before the reload, then what comes.
      const last = state.batches.at(-1);
      if (last) report('batch', last);
      else if (state.progress) report('progress', state.progress);
      const subscription = ctx.lab.onDidChange((change) => {
        if (change.kind === 'training') report(change.update.event, change.update.data);
      });
      try {
        const result = await done;
        void announce(ctx, result);
      } catch (error) {
        if (errorCode(error) !== 'cancelled') reportError('Training', error);
      } finally {
        subscription.dispose();
      }
    },
  );
}

export async function deactivate(): Promise<void> {
  await lab?.dispose();
  lab = undefined;
}
