/**
 * Every message of the extension, in one place, for its three channels, all
 * run on src/rpc.ts: what a caller (the training service, the CLI) asks of the
 * worker thread and what the worker streams back; what the extension host
 * asks of the training service over its socket; and what the host and the
 * dashboard webview say to each other. Type-only imports, so the webview
 * bundle pulls in no Node code.
 */
import type { ArchitectureSummary } from './core/architecture';
import type { BackendInfo } from './core/backend';
import type { BackendPreference } from './core/backend-names';
import type { DataSource } from './core/dataset/source';
import type { AttributionMethod, Explanation } from './core/explain/types';
import type { ValidationReport } from './core/dataset/labelled';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics, Prediction } from './core/metrics';
import type { Hyperparameters, PresetName } from './core/presets';
import type { ExportedFiles } from './core/keras/export';
import type { WordIndexOptions } from './core/keras/word-index';
import type { ProgressUpdate } from './core/progress';
import type { RunRecord } from './core/runs';
import type { ShortTextEvaluation } from './core/short-text';
import type { TableUnit } from './core/document/table';

// ---------------------------------------------------------------- host → worker

export interface TrainParams {
  hyperparameters: Hyperparameters;
  data: DataSource;
  /** Keep only the first N reviews of each shuffled split. */
  limit?: number;
  cacheDir: string;
  runsDir: string;
  backend: BackendPreference;
  /** Evaluate on the test split and the short-text set once trained (the extension does; quick CLI runs may not). */
  evaluate: boolean;
  /**
   * A partial or cancelled run folder to continue from its last epoch, with
   * its optimizer state, into the same folder. `hyperparameters` and `limit`
   * must be the run's own.
   */
  resumeFrom?: string;
  /**
   * A run folder to fine-tune: the new run starts from its weights and keeps
   * its vocabulary (words it never saw become OOV). `hyperparameters` must
   * build the same architecture (learning rate, epochs and batch size may differ).
   */
  fineTuneFrom?: string;
}

export interface TrainResult {
  runDir: string;
  record: RunRecord;
  /** Stopped early: the saved run is the last finished epoch's checkpoint. */
  cancelled: boolean;
}

export interface PredictParams {
  runDir: string;
  texts: string[];
  backend: BackendPreference;
}

export interface PredictResult {
  predictions: Prediction[];
  runId: string;
  preset: PresetName;
  maxlen: number;
  backend: string;
  recurrentImplementation: string;
  milliseconds: number;
}

export interface ExplainParams {
  runDir: string;
  text: string;
  method: AttributionMethod;
  backend: BackendPreference;
}

export interface ExplainResult {
  explanation: Explanation;
  runId: string;
  backend: string;
  recurrentImplementation: string;
}

export interface EvaluateParams {
  runDir: string;
  data: DataSource;
  limit?: number;
  cacheDir: string;
  backend: BackendPreference;
  /** Store the metrics in the run's record. */
  save: boolean;
  /** Also evaluate on short texts cut from the test reviews (sentences and 10–30-word windows). */
  shortText?: boolean;
}

export interface EvaluateResult {
  metrics: EvaluationMetrics;
  shortText?: ShortTextEvaluation;
  backend: string;
}

export interface ImportKerasParams {
  /** A Keras .h5 (or .keras v3) model file. */
  file: string;
  wordIndex: WordIndexOptions;
  /** For a model without a fixed input length. */
  maxlen?: number;
  runsDir: string;
  backend: BackendPreference;
}

export interface WorkerMethods {
  [method: string]: { params: unknown; result: unknown };
  train: { params: TrainParams; result: TrainResult };
  predict: { params: PredictParams; result: PredictResult };
  explain: { params: ExplainParams; result: ExplainResult };
  evaluate: { params: EvaluateParams; result: EvaluateResult };
  backend: { params: { preference: BackendPreference }; result: BackendInfo };
  /** A Keras model and its word index become a run. */
  importKeras: { params: ImportKerasParams; result: TrainResult };
  /** A run written as a Keras model, word_index.json and predict_keras.py (h5wasm stays out of the extension host). */
  exportKeras: { params: { runDir: string; out: string }; result: ExportedFiles };
}

/** What a training or evaluation streams to its caller while it runs. */
export interface TrainingEvents {
  [event: string]: unknown;
  /** Dataset download / reading / tokenising, evaluation progress. */
  progress:
    | ProgressUpdate
    | { phase: 'evaluate'; done: number; total: number; unit: 'reviews'; message: string }
    /** Predicting many texts at once (a whole document). */
    | { phase: 'predict'; done: number; total: number; unit: 'texts'; message: string };
  /** The backend and recurrent implementation chosen, once the model is built; a resumed training brings the history it continues. */
  started: {
    backend: string;
    recurrentImplementation: string;
    architecture: ArchitectureSummary;
    train: number;
    /** With trainOn 'reviews-and-sentences': the sentence rows an epoch shows besides the `train` reviews. */
    sentences?: number;
    validation: number;
    test: number;
    resumed?: { runId: string; batches: BatchMetrics[]; epochs: EpochMetrics[] };
  };
  /** Something went wrong that costs time, not results (e.g. the corpus cache could not be written). */
  warning: { message: string };
  /** A labelled dataset's validation, before the model is built. */
  validation: ValidationReport;
  batch: BatchMetrics;
  epoch: EpochMetrics;
}

/** Given to the worker when it starts. */
export interface WorkerSettings {
  /** Where an on-demand install of @tensorflow/tfjs-node lives (see BackendOptions). */
  nativeModulesDir?: string;
  /**
   * Work nobody waits on from one moment to the next (a training, an
   * explanation): the thread, and the threads it starts, run below normal
   * priority so that they leave the cores to the editor when it needs them.
   */
  background?: boolean;
}

/** The host serves nothing to the worker. */
export type HostMethods = Record<string, never>;

// ---------------------------------------------------------------- host ↔ dashboard webview

/** A saved run as the dashboard lists it; a folder that is not a readable run is listed too. */
export type RunItem =
  | { ok: true; id: string; record: RunRecord }
  | { ok: false; id: string; problems: string[] };

export interface PresetItem {
  name: PresetName;
  title: string;
  description: string;
  defaults: Hyperparameters;
  architecture: ArchitectureSummary;
}

export type TrainingPhase = 'preparing' | 'training' | 'evaluating' | 'saving';

/** The training in progress, as much of it as the host has seen (a reopened dashboard gets all of it). */
export interface TrainingState {
  preset: PresetName;
  hyperparameters: Hyperparameters;
  architecture: ArchitectureSummary;
  phase: TrainingPhase;
  startedAt: string;
  progress?: TrainingEvents['progress'];
  backend?: string;
  recurrentImplementation?: string;
  batches: BatchMetrics[];
  epochs: EpochMetrics[];
  cancelling: boolean;
}

export interface PredictionEntry {
  id: string;
  at: string;
  /** The start of the analyzed text (at most a few hundred characters). */
  excerpt: string;
  prediction: Prediction;
  runId: string;
  preset: PresetName;
  maxlen: number;
  backend: string;
  milliseconds: number;
  source: 'editor' | 'dashboard';
}

/** One event of the running training, as the worker streamed it, with the phase it put the training in. */
export type TrainingUpdate = { phase: TrainingPhase } & (
  | { event: 'progress'; data: TrainingEvents['progress'] }
  | { event: 'started'; data: TrainingEvents['started'] }
  | { event: 'batch'; data: BatchMetrics }
  | { event: 'epoch'; data: EpochMetrics }
);

export interface DashboardState {
  presets: PresetItem[];
  runs: RunItem[];
  activeRunId?: string;
  training?: TrainingState;
  predictions: PredictionEntry[];
  /** The backend setting (the backend actually used is in each run and prediction). */
  backendSetting: BackendPreference;
}

export type DashboardTab = 'architecture' | 'training' | 'runs' | 'predictions' | 'document';

/** The last analyzed document, for the Document view (sent on its own: it can hold 100,000 units). */
export interface DocumentTableData {
  uri: string;
  name: string;
  summary: string;
  /** Each unit's text is an excerpt (at most DOCUMENT_EXCERPT characters). */
  units: TableUnit[];
}

export const DOCUMENT_EXCERPT = 300;

/** What the dashboard asks of the host. Every payload is validated on arrival (src/dashboard/validation.ts). */
export interface DashboardToHost {
  [method: string]: { params: unknown; result: unknown };
  /** The webview has loaded: the host answers with the whole state, then streams changes. */
  ready: { params: Record<string, never>; result: DashboardState };
  setActiveRun: { params: { runId: string }; result: void };
  /** The host asks the user to confirm. */
  deleteRun: { params: { runId: string }; result: { deleted: boolean } };
  predict: { params: { runId: string; text: string }; result: PredictionEntry };
  /** Why the model decided on an earlier prediction of this session (its text is kept in memory only). */
  explain: { params: { predictionId: string; method: AttributionMethod }; result: Explanation };
  trainModel: { params: { preset?: PresetName }; result: void };
  /** Continue a partial or cancelled run from its last epoch (Resume Training). */
  resumeRun: { params: { runId: string }; result: void };
  cancelTraining: { params: Record<string, never>; result: void };
  evaluateRun: { params: { runId: string }; result: void };
  /** The host asks where to write the Keras file. */
  exportRun: { params: { runId: string }; result: void };
  /** Show a line of the analyzed document in its editor. */
  revealDocumentLine: { params: { line: number }; result: void };
  /** Save the analyzed document's results (the host asks where). */
  exportDocument: { params: { format: 'csv' | 'json' }; result: void };
}

/** What the host pushes to the dashboard (notifications: no answer). */
export interface HostToDashboard {
  [method: string]: { params: unknown; result: unknown };
  /** Replaces the whole state (runs changed, training started or ended, ...). */
  state: { params: DashboardState; result: void };
  /** A training's new progress, batch or epoch, appended to state.training. */
  training: { params: TrainingUpdate; result: void };
  /** The last analyzed document, whole (Analyze Document). */
  document: { params: DocumentTableData; result: void };
  /** Bring a tab (and optionally a run or a prediction) to the front. */
  reveal: { params: { tab: DashboardTab; runId?: string; predictionId?: string }; result: void };
}

// ---------------------------------------------------------------- host ↔ training service

/**
 * The training service is a process of its own that owns the worker thread,
 * so a training outlives a window reload (which restarts the extension host).
 * It serves the worker's methods plus these.
 */
export interface ServiceMethods extends WorkerMethods {
  /** Train, and make the run the active model when done (remembered for a host that reattaches). */
  train: { params: TrainParams & { activate?: boolean }; result: TrainResult };
  /** The training in progress, if any, with everything it has reported so far. */
  status: {
    params: Record<string, never>;
    result: {
      training?: { state: TrainingState; activate: boolean };
      /** A training that ended while no window followed it (all were reloading): told once, to the first window that asks. */
      finished?: { result: TrainResult; activate: boolean };
    };
  };
  /** Follow the training in progress: its events stream to the caller, the answer is its result. Cancelling this request cancels the training. */
  attach: { params: Record<string, never>; result: TrainResult };
  /** Start a fresh worker thread on the next request (after the backend setting changed, say); during a training, once it ends. */
  restartWorker: { params: Record<string, never>; result: void };
}

/** The first line a client sends the training service: the token from the service's token file. */
export interface ServiceHello {
  kind: 'hello';
  token: string;
}

/** The service's answer once the token matched; any other first line closes the connection. */
export interface ServiceWelcome {
  kind: 'welcome';
}
