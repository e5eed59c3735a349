/**
 * Connects one dashboard webview (side panel or editor panel) to the lab.
 * The webview asks for the whole state when it starts (`ready`); until then
 * nothing is pushed, so a reloaded or re-shown dashboard never misses or
 * double-counts an update. Buttons in the dashboard run the same commands as
 * the command palette.
 */
import * as vscode from 'vscode';
import type { Lab, LabChange } from '../lab/lab';
import { DOCUMENT_EXCERPT, type DashboardToHost, type HostToDashboard } from '../protocol';
import { RpcEndpoint, isWireMessage, type HandlerContext } from '../rpc';
import { COMMANDS } from '../commands/ids';
import { validateDashboardRequest } from './validation';

type NoEvents = Record<string, never>;

export class DashboardConnection implements vscode.Disposable {
  private readonly endpoint: RpcEndpoint<DashboardToHost, HostToDashboard, NoEvents>;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pendingReveal: Extract<LabChange, { kind: 'reveal' }> | undefined;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly lab: Lab,
  ) {
    // A bug's stack goes to the extension host's log, never to the dashboard.
    this.endpoint = new RpcEndpoint((message) => void webview.postMessage(message), (stack) => console.error(stack));
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => {
        if (isWireMessage(message)) this.endpoint.receive(message);
      }),
      lab.onDidChange((change) => this.forward(change)),
    );
    this.serve('ready', () => {
      this.ready = true;
      const reveal = this.pendingReveal;
      this.pendingReveal = undefined;
      if (reveal) setTimeout(() => this.forward(reveal), 0);
      if (lab.analysedDocument) setTimeout(() => this.forward({ kind: 'document' }), 0);
      return lab.snapshot();
    });
    this.serve('setActiveRun', ({ runId }) => lab.setActiveRun(runId));
    this.serve('deleteRun', async ({ runId }) => ({ deleted: Boolean(await vscode.commands.executeCommand(COMMANDS.deleteModel, runId)) }));
    this.serve('predict', async ({ runId, text }) => (await lab.predict([text], { runId, source: 'dashboard' }))[0]);
    this.serve('explain', ({ predictionId, method }) => lab.explain(predictionId, method));
    this.serve('trainModel', ({ preset }) => {
      // Not awaited: the training outlives the request; progress arrives as notifications.
      void vscode.commands.executeCommand(COMMANDS.trainModel, preset);
    });
    this.serve('resumeRun', ({ runId }) => {
      // Not awaited, like trainModel: the training outlives the request.
      void vscode.commands.executeCommand(COMMANDS.resumeTraining, runId);
    });
    this.serve('cancelTraining', () => void lab.cancelTraining());
    this.serve('revealDocumentLine', async ({ line }) => {
      await vscode.commands.executeCommand(COMMANDS.revealDocumentLine, line);
    });
    this.serve('exportDocument', async ({ format }) => {
      await vscode.commands.executeCommand(COMMANDS.exportDocument, format);
    });
    this.serve('evaluateRun', async ({ runId }) => {
      await vscode.commands.executeCommand(COMMANDS.evaluateModel, runId);
    });
    this.serve('exportRun', async ({ runId }) => {
      await vscode.commands.executeCommand(COMMANDS.exportKerasModel, runId);
    });
  }

  /** Registers a handler that only ever sees parameters that passed validation. */
  private serve<K extends keyof DashboardToHost & string>(
    method: K,
    handler: (params: DashboardToHost[K]['params'], context: HandlerContext<NoEvents>) => Promise<DashboardToHost[K]['result']> | DashboardToHost[K]['result'],
  ): void {
    this.endpoint.handle(method, (params, context) => handler(validateDashboardRequest(method, params), context));
  }

  private forward(change: LabChange): void {
    if (!this.ready) {
      // The snapshot sent on `ready` covers state and training; only a reveal must wait.
      if (change.kind === 'reveal') this.pendingReveal = change;
      return;
    }
    if (change.kind === 'state') this.endpoint.notify('state', this.lab.snapshot());
    else if (change.kind === 'document') {
      const d = this.lab.analysedDocument;
      if (d) this.endpoint.notify('document', { uri: d.uri, name: d.name, summary: d.summary, units: d.units.map((u) => ({ ...u, text: u.text.slice(0, DOCUMENT_EXCERPT) })) });
    }
    else if (change.kind === 'training') this.endpoint.notify('training', change.update);
    else if (change.kind === 'reveal') this.endpoint.notify('reveal', { tab: change.tab, runId: change.runId, predictionId: change.predictionId });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
