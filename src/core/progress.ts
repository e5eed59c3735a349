/** Progress of a long step, as every layer (CLI bar, notification, dashboard) reports it. */
export type ProgressPhase = 'download' | 'read' | 'tokenize' | 'encode';

export interface ProgressUpdate {
  phase: ProgressPhase;
  done: number;
  /** Undefined when the size is not known in advance (a server without Content-Length). */
  total?: number;
  unit: 'bytes' | 'reviews';
  message: string;
}

export type ProgressListener = (update: ProgressUpdate) => void;
