/** The training worker thread and the run folders the commands hand it. */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../core/errors';
import { WorkerClient } from '../core/worker-client';

/** The worker bundle sits beside the CLI bundle in dist/. */
export function workerClient(): WorkerClient {
  return new WorkerClient(path.join(__dirname, 'worker.js'));
}

/** `--model` is a run folder, or the id of a run in the runs folder. */
export async function resolveModelDir(model: string, runsDir: string): Promise<string> {
  if (await stat(model).then(() => true, () => false)) return model;
  const underRuns = path.join(runsDir, model);
  if (!model.includes(path.sep) && (await stat(underRuns).then(() => true, () => false))) return underRuns;
  throw new LabError('not-found', `No trained model at ${model}.`);
}
