/**
 * Errors a user can act on. Each carries a stable code so the CLI, the worker
 * protocol and the extension can tell "your input is wrong" (one clear line)
 * from a bug (a stack trace worth reporting).
 */
export type LabErrorCode =
  | 'bad-argument'
  | 'not-found'
  | 'corrupt-archive'
  | 'unsafe-archive'
  | 'checksum-mismatch'
  | 'download-failed'
  | 'cancelled'
  | 'corrupt-model'
  | 'busy'
  | 'backend-unavailable'
  /** The worker thread stopped (a crash, or it was ended) with requests pending. */
  | 'worker-crashed'
  /** The training service did not start. */
  | 'service-unavailable'
  /** The connection to the training service closed with requests pending. */
  | 'service-disconnected'
  /** A file or folder could not be written (full disk, permissions); nothing half-written is left. */
  | 'write-failed'
  /** A folder or file the training service relies on is not private to the user. */
  | 'unsafe-folder'
  /** A client of the training service without the right token. */
  | 'unauthorized';

export class LabError extends Error {
  constructor(
    readonly code: LabErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LabError';
  }
}

export function isLabError(error: unknown, code?: LabErrorCode): error is LabError {
  return error instanceof LabError && (code === undefined || error.code === code);
}

export function cancelledError(what = 'Operation'): LabError {
  return new LabError('cancelled', `${what} cancelled.`);
}

/** Throws the standard cancellation error when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
