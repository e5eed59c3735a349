/**
 * Every message of the extension, in one place: what the host asks of the
 * training worker, what the worker streams back, and what the host and the
 * dashboard webview say to each other. Both channels run on src/rpc.ts.
 * Type-only imports, so the webview bundle pulls in no Node code.
 */
import type { ArchitectureSummary } from './core/architecture';
import type { BackendInfo } from './core/backend';
import type { BackendPreference } from './core/backend-names';
import type { DataSource } from './core/dataset/source';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics, Prediction } from './core/metrics';
import type { Hyperparameters, PresetName } from './core/presets';
import type { ProgressUpdate } from './core/progress';
import type { RunRecord } from './core/runs';

// ---------------------------------------------------------------- host → worker

export interface TrainParams {
  hyperparameters: Hyperparameters;
  data: DataSource;
  /** Keep only the first N reviews of each shuffled split. */
  limit?: number;
  cacheDir: string;
  runsDir: string;
  backend: BackendPreference;
  /** Evaluate on the test split once trained (the extension does; quick CLI runs may not). */
  evaluate: boolean;
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
  milliseconds: number;
}

export interface EvaluateParams {
  runDir: string;
  data: DataSource;
  limit?: number;
  cacheDir: string;
  backend: BackendPreference;
  /** Store the metrics in the run's record. */
  save: boolean;
}

export interface EvaluateResult {
  metrics: EvaluationMetrics;
  backend: string;
}

export interface WorkerMethods {
  [method: string]: { params: unknown; result: unknown };
  train: { params: TrainParams; result: TrainResult };
  predict: { params: PredictParams; result: PredictResult };
  evaluate: { params: EvaluateParams; result: EvaluateResult };
  backend: { params: { preference: BackendPreference }; result: BackendInfo };
}

/** What a training or evaluation streams to its caller while it runs. */
export interface TrainingEvents {
  [event: string]: unknown;
  /** Dataset download / reading / tokenising, evaluation progress. */
  progress: ProgressUpdate | { phase: 'evaluate'; done: number; total: number; unit: 'reviews'; message: string };
  /** The backend and recurrent implementation chosen, once the model is built. */
  started: { backend: string; recurrentImplementation: string; architecture: ArchitectureSummary; train: number; validation: number; test: number };
  batch: BatchMetrics;
  epoch: EpochMetrics;
}

/** The host serves nothing to the worker. */
export type HostMethods = Record<string, never>;
