/**
 * The extension's settings, read and checked in one place. No `vscode`
 * import: the host passes a getter, so the rules are unit-tested.
 */
import * as path from 'node:path';
import { BACKEND_PREFERENCES, type BackendPreference } from '../core/backend-names';
import { isPresetName, type Hyperparameters, type PresetName } from '../core/presets';

export const SETTINGS_SECTION = 'rnnSentimentLab';

export interface LabSettings {
  /** "official", a path to a .tar.gz or an aclImdb folder, or an http(s) URL. */
  dataSource: string;
  cacheDir: string;
  runsDir: string;
  defaultPreset: PresetName;
  /** Overrides of the preset's hyperparameters; absent keys keep the tutorial's values. */
  overrides: Partial<Hyperparameters>;
  /** Train on the first N reviews of each split (0 = all). */
  limit?: number;
  backend: BackendPreference;
  evaluateAfterTraining: boolean;
  /** Analyze Sentiment also answers in a notification (the inline label and status bar always do). */
  notifyAnalysis: boolean;
}

/** Setting key (under rnnSentimentLab.training.) → hyperparameter. */
export const HYPERPARAMETER_SETTINGS = {
  epochs: 'epochs',
  batchSize: 'batchSize',
  maxlen: 'maxlen',
  numWords: 'numWords',
  embeddingDim: 'embeddingDim',
  units: 'units',
  denseUnits: 'denseUnits',
  dropout: 'dropout',
  learningRate: 'learningRate',
  validationSplit: 'validationSplit',
  seed: 'seed',
} as const satisfies Record<string, keyof Hyperparameters>;

export type SettingGetter = (key: string) => unknown;

/**
 * Reads the settings; empty folders mean the extension's own storage. A value
 * of the wrong kind is ignored (VS Code's settings editor already checks the
 * schema; hand-edited JSON may not be).
 */
export function readSettings(get: SettingGetter, storageDir: string, workspaceDir?: string): LabSettings {
  const text = (key: string) => (typeof get(key) === 'string' ? (get(key) as string).trim() : '');
  const folder = (key: string, fallback: string) => {
    const value = expandHome(text(key));
    if (!value) return fallback;
    return path.isAbsolute(value) || !workspaceDir ? path.resolve(value) : path.resolve(workspaceDir, value);
  };
  const overrides: Partial<Hyperparameters> = {};
  for (const [key, name] of Object.entries(HYPERPARAMETER_SETTINGS)) {
    const value = get(`training.${key}`);
    if (typeof value === 'number' && Number.isFinite(value)) (overrides as Record<string, number>)[name] = value;
  }
  const preset = get('defaultPreset');
  const backend = get('backend');
  const limit = get('training.limit');
  let dataSource = text('data.source') || 'official';
  if (dataSource !== 'official' && !/^https?:\/\//i.test(dataSource)) dataSource = folder('data.source', dataSource);
  return {
    dataSource,
    cacheDir: folder('cacheFolder', path.join(storageDir, 'cache')),
    runsDir: folder('runsFolder', path.join(storageDir, 'runs')),
    defaultPreset: isPresetName(preset) ? preset : 'lstm',
    overrides,
    limit: typeof limit === 'number' && Number.isInteger(limit) && limit > 0 ? limit : undefined,
    backend: (BACKEND_PREFERENCES as readonly unknown[]).includes(backend) ? (backend as BackendPreference) : 'auto',
    evaluateAfterTraining: get('evaluateAfterTraining') !== false,
    notifyAnalysis: get('analyze.notification') === true,
  };
}

function expandHome(value: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && (value === '~' || value.startsWith('~/')) ? path.join(home, value.slice(1)) : value;
}

