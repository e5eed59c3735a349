/**
 * A training's state as the dashboards show it, rebuilt from the worker's
 * events. One reducer, used by whoever holds the state (the training service
 * that outlives window reloads, and the extension host that mirrors it).
 */
import { describeArchitecture } from './architecture';
import { PRESETS, type Hyperparameters } from './presets';
import type { TrainingEvents, TrainingState, TrainingUpdate } from '../protocol';

export function newTrainingState(h: Hyperparameters): TrainingState {
  return {
    preset: h.preset,
    hyperparameters: h,
    architecture: describeArchitecture(h),
    phase: 'preparing',
    startedAt: new Date().toISOString(),
    batches: [],
    epochs: [],
    cancelling: false,
  };
}

/** "LSTM, 2/5 epochs done": which training this is, for a message. */
export function describeTraining(state: TrainingState): string {
  const done = state.epochs.length ? `, ${state.epochs.length}/${state.hyperparameters.epochs} epochs done` : '';
  return `${PRESETS[state.preset].title}${done}`;
}

/** Applies one worker event to the state; the update to forward, or undefined for events the state ignores. */
export function applyTrainingEvent(state: TrainingState, event: string, payload: unknown): TrainingUpdate | undefined {
  switch (event) {
    case 'progress': {
      const data = payload as TrainingEvents['progress'];
      state.progress = data;
      if (data.phase === 'evaluate') state.phase = 'evaluating';
      return { event, data, phase: state.phase };
    }
    case 'started': {
      const data = payload as TrainingEvents['started'];
      Object.assign(state, { phase: 'training', backend: data.backend, recurrentImplementation: data.recurrentImplementation, architecture: data.architecture, progress: undefined });
      // A resumed training shows the epochs it continues.
      if (data.resumed && state.epochs.length === 0) Object.assign(state, { batches: [...data.resumed.batches], epochs: [...data.resumed.epochs] });
      return { event, data, phase: state.phase };
    }
    case 'batch': {
      const data = payload as TrainingEvents['batch'];
      state.batches.push(data);
      return { event, data, phase: state.phase };
    }
    case 'epoch': {
      const data = payload as TrainingEvents['epoch'];
      state.epochs.push(data);
      return { event, data, phase: state.phase };
    }
    default:
      return undefined;
  }
}
