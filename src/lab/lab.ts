/**
 * The extension host's model of the lab: saved runs, the active model, the
 * training in progress, recent predictions. Commands and dashboards act
 * through it and listen to it; it talks to the training service (which runs
 * the worker thread) and never loads TensorFlow itself. No `vscode` import,
 * so it is unit-tested directly.
 */
import { describeArchitecture } from '../core/architecture';
import { parseDataSource } from '../core/dataset/source';
import type { LabelledOptions } from '../core/dataset/labelled';
import type { AnalysedUnit } from '../core/document/export';
import { LabError, cancelledError } from '../core/errors';
import { PRESETS, PRESET_NAMES, resolveHyperparameters, type Hyperparameters } from '../core/presets';
import { deleteRun, isResumable, listRuns, type RunListing, type RunRecord } from '../core/runs';
import type { AttributionMethod, Explanation } from '../core/explain/types';
import { applyTrainingEvent, newTrainingState } from '../core/training-state';
import { thinBatches } from '../core/metrics';
import type {
  DashboardState,
  DashboardTab,
  EvaluateResult,
  ImportKerasParams,
  PredictionEntry,
  PresetItem,
  RunItem,
  TrainResult,
  TrainingEvents,
  TrainingState,
  TrainingUpdate,
  PredictResult,
} from '../protocol';
import type { ExportedFiles } from '../core/keras/export';
import type { ServiceClient } from './service-client';
import type { EventListener, PendingRequest } from '../rpc';
import type { LabSettings } from './settings';
import { activeAfterDelete, activeAfterTraining, resolveActiveRun, type ActiveModelChange } from './active-model';

/** Batches per run sent to dashboards: more than a chart has pixels across, far fewer than a long training's thousands. */
const CHART_BATCHES = 1000;

/** What a Memento offers; the host passes the extension's global state. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export type LabChange =
  | { kind: 'state' }
  | { kind: 'training'; update: TrainingUpdate }
  /** The active model changed without the user choosing it, or a new run was not made active: say so. */
  | { kind: 'active'; change: ActiveModelChange }
  /** A training this window did not start (it was running before a window reload) is followed; `done` settles when it ends. */
  | { kind: 'reattached'; state: TrainingState; done: Promise<TrainResult> }
  /** A training ended while no window was there to see it (a reload): its end is told now. */
  | { kind: 'ended-unseen'; result: TrainResult }
  | { kind: 'reveal'; tab: DashboardTab; runId?: string; predictionId?: string }
  | { kind: 'document' };

export interface TrainingRequest {
  hyperparameters: Hyperparameters;
  /** Make the new run the active model when it completes (default true). */
  activate?: boolean;
  /** Continue this run folder from its last epoch, with the limit it was trained with. */
  resume?: { runDir: string; limit: number | undefined };
  /** How a labelled data source (a CSV/TSV/JSONL file or label folders) is read: the positive label chosen, say. */
  labelled?: LabelledOptions;
}

const ACTIVE_RUN_KEY = 'rnnSentimentLab.activeRunId';
const PREDICTIONS_KEY = 'rnnSentimentLab.predictions';
const MAX_PREDICTIONS = 50;
/** Explanations kept (a 500-token Bi-LSTM's is a few megabytes): the latest analyses'. */
const MAX_EXPLANATIONS = 4;
const EXCERPT_LENGTH = 280;

export class Lab {
  private runs: RunListing[] = [];
  private training: { state: TrainingState; request?: PendingRequest<TrainResult> } | undefined;
  private predictions: PredictionEntry[];
  private readonly predictionTexts = new Map<string, string>();
  /** By prediction and method: the editor's coloring and the dashboard's Explain view share one computation. */
  private readonly explanations = new Map<string, Promise<Explanation>>();
  private readonly listeners = new Set<(change: LabChange) => void>();
  private predictionCounter = 0;

  constructor(
    /** The training service: it owns the worker thread and outlives window reloads. */
    private readonly service: ServiceClient,
    private readonly store: KeyValueStore,
    private readonly settings: () => LabSettings,
  ) {
    this.predictions = store.get<PredictionEntry[]>(PREDICTIONS_KEY) ?? [];
  }

  onDidChange(listener: (change: LabChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(change: LabChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  reveal(tab: DashboardTab, ids: { runId?: string; predictionId?: string } = {}): void {
    this.emit({ kind: 'reveal', tab, ...ids });
  }

  // ------------------------------------------------------------ runs

  async refreshRuns(): Promise<RunListing[]> {
    this.runs = await listRuns(this.settings().runsDir);
    await this.applyActive(resolveActiveRun(this.runs, this.activeRunId));
    this.emit({ kind: 'state' });
    return this.runs;
  }

  get runListings(): readonly RunListing[] {
    return this.runs;
  }

  get activeRunId(): string | undefined {
    return this.store.get<string>(ACTIVE_RUN_KEY);
  }

  /** The active run's folder, if it is still a readable run. */
  activeRun(): Extract<RunListing, { ok: true }> | undefined {
    const id = this.activeRunId;
    return this.runs.find((r): r is Extract<RunListing, { ok: true }> => r.ok && r.id === id);
  }

  private findRun(runId: string): Extract<RunListing, { ok: true }> {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) throw new LabError('not-found', `No run "${runId}" in ${this.settings().runsDir}.`);
    if (!run.ok) throw new LabError('corrupt-model', `Run "${runId}" is unusable: ${run.problems.join('; ')}.`);
    return run;
  }

  private async applyActive(decision: { activeRunId: string | undefined; change?: ActiveModelChange }): Promise<void> {
    if (decision.activeRunId !== this.activeRunId) await this.store.update(ACTIVE_RUN_KEY, decision.activeRunId);
    if (decision.change) this.emit({ kind: 'active', change: decision.change });
  }

  async setActiveRun(runId: string): Promise<void> {
    this.findRun(runId);
    await this.store.update(ACTIVE_RUN_KEY, runId);
    this.emit({ kind: 'state' });
  }

  async deleteRun(runId: string): Promise<void> {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) throw new LabError('not-found', `No run "${runId}".`);
    await deleteRun(this.settings().runsDir, runId);
    const left = this.runs.filter((r) => r !== run);
    await this.applyActive(activeAfterDelete(left, this.activeRunId, runId));
    await this.refreshRuns();
  }

  // ------------------------------------------------------------ training

  /** The training this window shows (started here, or followed after a reload). */
  get trainingState(): TrainingState | undefined {
    return this.training?.state;
  }

  /** The training the service runs, if any, whichever window started it. */
  async runningTraining(): Promise<TrainingState | undefined> {
    if (this.training) return this.training.state;
    if (!(await this.service.connectIfRunning())) return undefined;
    return (await this.service.request('status', {}).result).training?.state;
  }

  /**
   * Trains in the training service. Whether it may start is the service's
   * call (one training at a time, across windows): a refusal fails with
   * 'busy'. Progress goes to listeners (dashboards) and to `onEvent` (the
   * command's notification).
   */
  async train(request: TrainingRequest, onEvent?: EventListener<TrainingEvents>): Promise<TrainResult> {
    const settings = this.settings();
    const h = request.hyperparameters;
    const state = newTrainingState(h);
    const training: { state: TrainingState; request?: PendingRequest<TrainResult> } = { state };
    // This window shows one training; a request made while it shows one is refused by the service and never shown.
    const shown = !this.training;
    if (shown) {
      this.training = training;
      this.emit({ kind: 'state' });
    }
    try {
      const data = await parseDataSource(settings.dataSource, request.labelled);
      if (state.cancelling) throw cancelledError('Training');
      training.request = this.service.request(
        'train',
        {
          hyperparameters: h,
          data,
          limit: request.resume ? request.resume.limit : settings.limit,
          cacheDir: settings.cacheDir,
          runsDir: settings.runsDir,
          backend: settings.backend,
          evaluate: settings.evaluateAfterTraining,
          activate: request.activate !== false,
          ...(request.resume ? { resumeFrom: request.resume.runDir } : {}),
        },
        (event, payload) => (shown ? this.follow(state, event, payload, onEvent) : onEvent?.(event, payload)),
      );
      return await this.finish(training.request, request.activate !== false);
    } finally {
      if (shown) this.training = undefined;
      await this.refreshRuns();
    }
  }

  /** Continues a partial or cancelled run from its last epoch, with its own settings and the data source setting. */
  async resume(runId: string, onEvent?: EventListener<TrainingEvents>): Promise<TrainResult> {
    const run = this.findRun(runId);
    const r = run.record;
    if (!isResumable(r)) throw new LabError('bad-argument', `Run "${runId}" is ${r.status} with ${r.epochsCompleted} of ${r.hyperparameters.epochs} epochs: there is nothing to resume.`);
    return this.train({ hyperparameters: r.hyperparameters, resume: { runDir: run.dir, limit: r.dataset.limit } }, onEvent);
  }

  /** Runs that Resume Training can continue. */
  resumableRuns(): Extract<RunListing, { ok: true }>[] {
    return this.runs.filter((r): r is Extract<RunListing, { ok: true }> => r.ok && isResumable(r.record));
  }

  /**
   * After a window reload: if the training service is running a training,
   * show it again and follow it to its end, as if this window had started it.
   */
  async reattach(): Promise<void> {
    if (this.training || !(await this.service.connectIfRunning())) return;
    const { training: running, finished } = await this.service.request('status', {}).result.catch(() => ({ training: undefined, finished: undefined }));
    if (finished) {
      await this.refreshRuns();
      await this.applyActive(activeAfterTraining(this.runs, this.activeRunId, finished.result.record, finished.activate));
      this.emit({ kind: 'state' });
      this.emit({ kind: 'ended-unseen', result: finished.result });
    }
    if (!running || this.training) return;
    const state = running.state;
    const training: { state: TrainingState; request?: PendingRequest<TrainResult> } = { state };
    training.request = this.service.request('attach', {}, (event, payload) => this.follow(state, event, payload));
    this.training = training;
    const done = this.finish(training.request, running.activate);
    this.emit({ kind: 'state' });
    this.emit({ kind: 'reattached', state, done });
    try {
      await done;
    } catch {
      // A failed or cancelled training is reported where it was started.
    } finally {
      this.training = undefined;
      await this.refreshRuns();
    }
  }

  private follow(state: TrainingState, event: keyof TrainingEvents & string, payload: unknown, onEvent?: EventListener<TrainingEvents>): void {
    const update = applyTrainingEvent(state, event, payload);
    if (update) this.emit({ kind: 'training', update });
    onEvent?.(event, payload);
  }

  private async finish(pending: PendingRequest<TrainResult>, activate: boolean): Promise<TrainResult> {
    const result = await pending.result;
    await this.applyActive(activeAfterTraining(this.runs, this.activeRunId, result.record, activate));
    return result;
  }

  /** Stops the running training after its current batch; false if none runs. */
  cancelTraining(): boolean {
    if (!this.training) return false;
    this.training.state.cancelling = true;
    this.training.request?.cancel();
    this.emit({ kind: 'state' });
    return true;
  }

  // ------------------------------------------------------------ prediction and evaluation

  /**
   * Many texts at once (a whole document) with the active run: progress as
   * the worker reports it, `signal` cancels between two chunks. Nothing is
   * kept in the prediction list.
   */
  async predictMany(texts: string[], options: { signal?: AbortSignal; onProgress?(done: number, total: number): void } = {}): Promise<PredictResult> {
    const runId = this.activeRunId;
    if (!runId) throw new LabError('not-found', 'There is no trained model yet: train one first.');
    const run = this.findRun(runId);
    const request = this.service.request('predict', { runDir: run.dir, texts, backend: this.settings().backend }, (event, data) => {
      if (event === 'progress') {
        const p = data as TrainingEvents['progress'];
        if (p.total) options.onProgress?.(p.done, p.total);
      }
    });
    options.signal?.addEventListener('abort', () => request.cancel());
    return request.result;
  }

  /** Sentiment of each text with a run (the active one by default); entries are kept and shown. */
  async predict(texts: string[], options: { runId?: string; source: PredictionEntry['source'] }): Promise<PredictionEntry[]> {
    const runId = options.runId ?? this.activeRunId;
    if (!runId) throw new LabError('not-found', 'There is no trained model yet: train one first.');
    const run = this.findRun(runId);
    const result = await this.service.request('predict', { runDir: run.dir, texts, backend: this.settings().backend }).result;
    const at = new Date().toISOString();
    const entries = result.predictions.map((prediction, i): PredictionEntry => ({
      id: `${Date.now().toString(36)}-${(this.predictionCounter++).toString(36)}`,
      at,
      excerpt: texts[i].length > EXCERPT_LENGTH ? `${texts[i].slice(0, EXCERPT_LENGTH)}…` : texts[i],
      prediction,
      runId: result.runId,
      preset: result.preset,
      maxlen: result.maxlen,
      backend: result.backend,
      milliseconds: result.milliseconds / texts.length,
      source: options.source,
    }));
    entries.forEach((entry, i) => this.rememberText(entry.id, texts[i]));
    // The newest analysis first, as the dashboard lists them; its texts in the order they were given (document order).
    this.predictions = [...entries, ...this.predictions].slice(0, MAX_PREDICTIONS);
    await this.store.update(PREDICTIONS_KEY, this.predictions);
    this.emit({ kind: 'state' });
    return entries;
  }

  /** Keeps the text of the latest predictions (memory only: the stored entries hold an excerpt) for explanations. */
  private rememberText(predictionId: string, text: string): void {
    this.predictionTexts.set(predictionId, text);
    for (const id of this.predictionTexts.keys()) {
      if (this.predictionTexts.size <= MAX_PREDICTIONS) break;
      this.predictionTexts.delete(id);
    }
  }

  /**
   * Why the run that made a prediction of this session decided as it did.
   * Asked for twice (the editor and the dashboard), it is computed once.
   */
  explain(predictionId: string, method: AttributionMethod): Promise<Explanation> {
    const key = `${method} ${predictionId}`;
    const known = this.explanations.get(key);
    if (known) return known;
    const explanation = this.computeExplanation(predictionId, method);
    this.explanations.set(key, explanation);
    explanation.catch(() => this.explanations.delete(key));
    for (const oldest of this.explanations.keys()) {
      if (this.explanations.size <= MAX_EXPLANATIONS) break;
      this.explanations.delete(oldest);
    }
    return explanation;
  }

  private async computeExplanation(predictionId: string, method: AttributionMethod): Promise<Explanation> {
    const entry = this.predictions.find((p) => p.id === predictionId);
    const text = this.predictionTexts.get(predictionId);
    if (!entry || text === undefined) throw new LabError('not-found', 'The text of this prediction is no longer at hand (it is kept for this session only): analyze it again to explain it.');
    const run = this.findRun(entry.runId);
    const result = await this.service.request('explain', { runDir: run.dir, text, method, backend: this.settings().backend }).result;
    return result.explanation;
  }

  /** Test-set metrics of a run, stored in it. Evaluates as many test reviews as the run was trained with (all, or its limit). */
  async evaluate(runId: string, options: { onEvent?: EventListener<TrainingEvents>; signal?: AbortSignal } = {}): Promise<EvaluateResult> {
    const run = this.findRun(runId);
    const settings = this.settings();
    const data = await parseDataSource(settings.dataSource);
    const pending = this.service.request(
      'evaluate',
      // A lab run is evaluated on the reviews it was limited to in training; an imported one on the limit setting.
      { runDir: run.dir, data, limit: run.record.origin ? settings.limit : run.record.dataset.limit, cacheDir: settings.cacheDir, backend: settings.backend, save: true },
      options.onEvent,
    );
    options.signal?.addEventListener('abort', () => pending.cancel(), { once: true });
    try {
      return await pending.result;
    } finally {
      await this.refreshRuns();
    }
  }

  /** A Keras model and its word index become a run in the runs folder (see core/keras). */
  async importKeras(params: Omit<ImportKerasParams, 'runsDir' | 'backend'>): Promise<TrainResult> {
    const settings = this.settings();
    try {
      return await this.service.request('importKeras', { ...params, runsDir: settings.runsDir, backend: settings.backend }).result;
    } finally {
      await this.refreshRuns();
    }
  }

  /** Writes a run as a Keras model file (see core/keras/export). */
  exportKeras(runId: string, out: string): Promise<ExportedFiles> {
    return this.service.request('exportKeras', { runDir: this.findRun(runId).dir, out }).result;
  }

  // ------------------------------------------------------------ views

  /** The last analyzed document, whole, for the Document view and its export. */
  analysedDocument: { uri: string; name: string; summary: string; units: AnalysedUnit[] } | undefined;

  showDocument(analysis: { uri: string; name: string; summary: string; units: AnalysedUnit[] }): void {
    this.analysedDocument = analysis;
    this.emit({ kind: 'document' });
    this.emit({ kind: 'reveal', tab: 'document' });
  }

  snapshot(): DashboardState {
    const { defaultPreset } = this.settings();
    // The default preset first: every picker that starts on the first preset then starts on it.
    const names = [defaultPreset, ...PRESET_NAMES.filter((n) => n !== defaultPreset)];
    const presets: PresetItem[] = names.map((name) => {
      const defaults = resolveHyperparameters(name, this.settings().overrides);
      return { name, title: PRESETS[name].title, description: PRESETS[name].description, defaults, architecture: describeArchitecture(defaults) };
    });
    // Each run's batches thinned to what a chart draws (CHART_BATCHES): a long training's record holds thousands, and every dashboard gets the whole state.
    const charted = (record: RunRecord): RunRecord => ({ ...record, history: { ...record.history, batches: [...thinBatches(record.history.batches, CHART_BATCHES)] } });
    const runs: RunItem[] = this.runs.map((r) => (r.ok ? { ok: true, id: r.id, record: charted(r.record) } : { ok: false, id: r.id, problems: r.problems }));
    const training = this.training?.state;
    return {
      presets,
      runs,
      activeRunId: this.activeRun()?.id,
      training: training && { ...training, batches: [...thinBatches(training.batches, CHART_BATCHES)] },
      predictions: this.predictions,
      backendSetting: this.settings().backend,
    };
  }

  /** The backend the worker starts with a given preference (loads it if needed). */
  async backendInfo(): Promise<{ name: string; notes: string[] }> {
    return this.service.request('backend', { preference: this.settings().backend }).result;
  }

  /**
   * The backend setting changed: the service's next request starts a worker
   * thread with the new one; a running training keeps its own and the worker
   * restarts when it ends. Nothing to do when no service runs.
   */
  async restartWorker(): Promise<void> {
    if (await this.service.connectIfRunning()) await this.service.request('restartWorker', {}).result;
  }

  async dispose(): Promise<void> {
    // The training service keeps a training going across reloads: only this window's connection closes.
    await this.service.disconnect();
    this.listeners.clear();
  }
}
