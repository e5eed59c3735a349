/**
 * Folds the host's `training` notifications into state.training. A reopened
 * dashboard receives the whole training so far in its `ready` answer while
 * notifications keep streaming, so an event can arrive twice around that
 * moment; batches and epochs are appended only when they come after the last
 * one held, which makes replaying an update harmless.
 */
import type { TrainingState, TrainingUpdate } from '../../src/protocol.js';

export type AppliedUpdate =
  | { kind: 'batch'; update: TrainingUpdate & { event: 'batch' } }
  | { kind: 'epoch'; update: TrainingUpdate & { event: 'epoch' } }
  | { kind: 'progress' | 'started' | 'phase' }
  /** Already held, and the phase unchanged: nothing to redraw. */
  | { kind: 'duplicate' };

export function applyTrainingUpdate(training: TrainingState, update: TrainingUpdate): AppliedUpdate {
  const phaseChanged = training.phase !== update.phase;
  training.phase = update.phase;
  switch (update.event) {
    case 'progress':
      training.progress = update.data;
      return { kind: 'progress' };
    case 'started':
      training.backend = update.data.backend;
      training.recurrentImplementation = update.data.recurrentImplementation;
      training.architecture = update.data.architecture;
      if (update.data.resumed && training.epochs.length === 0) {
        training.batches = [...update.data.resumed.batches];
        training.epochs = [...update.data.resumed.epochs];
      }
      return { kind: 'started' };
    case 'batch': {
      const last = training.batches[training.batches.length - 1];
      const isNew = !last || update.data.epoch > last.epoch || (update.data.epoch === last.epoch && update.data.batch > last.batch);
      if (!isNew) return phaseChanged ? { kind: 'phase' } : { kind: 'duplicate' };
      training.batches.push(update.data);
      return { kind: 'batch', update };
    }
    case 'epoch': {
      const last = training.epochs[training.epochs.length - 1];
      if (last && update.data.epoch <= last.epoch) return phaseChanged ? { kind: 'phase' } : { kind: 'duplicate' };
      training.epochs.push(update.data);
      return { kind: 'epoch', update };
    }
  }
}
