/**
 * The extension's settings, read and checked in one place. No `vscode`
 * import: the host passes a getter, so the rules are unit-tested.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND_PREFERENCES, type BackendPreference } from '../core/backend-names';
import { CHOICE_NAMES, REVIEW_LIMIT, TRAINING_CHOICES, TUNABLE_HYPERPARAMETERS, TUNABLE_NAMES, isPresetName, type Hyperparameters, type PresetName } from '../core/presets';
import type { ZodEnum, ZodNumber } from 'zod';

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
  /** After Analyze Sentiment, each word of the text is coloured by its attribution (with a hover). */
  editorExplanations: boolean;
}

/** Every hyperparameter the schema lets a user change is a setting `training.<name>`. */
const trainingKey = (name: string) => `training.${name}`;

export type SettingGetter = (key: string) => unknown;

/** Where a setting was set, as VS Code's `WorkspaceConfiguration.inspect` tells it. */
export interface SettingLayers {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The settings that choose what the extension reads and writes on disk. They
 * are the user's alone: a workspace's settings file never sets them, trusted
 * or not, so a cloned repository cannot point the runs folder at the home
 * folder or the data source at someone else's files. The training service is
 * started with them and is shared by all the profile's windows. (Not VS
 * Code's `machine` scope: in a remote window, code-server's included, that
 * scope ignores the user's own settings too.)
 */
export const USER_ONLY_SETTINGS = ['data.source', 'cacheFolder', 'runsFolder'] as const;

/** Settings a workspace may set only once the user trusts it (package.json's restrictedConfigurations). */
export const TRUSTED_WORKSPACE_SETTINGS = [...TUNABLE_NAMES, ...CHOICE_NAMES, 'limit'].map(trainingKey);

/** package.json's `capabilities.untrustedWorkspaces.restrictedConfigurations` (scripts/write-settings.ts writes it). */
export function restrictedConfigurations(): string[] {
  return [...USER_ONLY_SETTINGS, ...TRUSTED_WORKSPACE_SETTINGS].map((key) => `${SETTINGS_SECTION}.${key}`);
}

/**
 * The value of each setting under the rules above: the user's value for the
 * path settings; the workspace's value for the training settings only in a
 * trusted workspace; the effective value for the rest.
 */
export function settingGetter(inspect: (key: string) => SettingLayers | undefined, trusted: boolean): SettingGetter {
  return (key) => {
    const layers = inspect(key);
    if (!layers) return undefined;
    const user = layers.globalValue ?? layers.defaultValue;
    if ((USER_ONLY_SETTINGS as readonly string[]).includes(key)) return user;
    if (!trusted && TRUSTED_WORKSPACE_SETTINGS.includes(key)) return user;
    return layers.workspaceFolderValue ?? layers.workspaceValue ?? user;
  };
}

/**
 * Reads the settings; empty folders mean the extension's own storage. A value
 * of the wrong kind is ignored (VS Code's settings editor already checks the
 * schema; hand-edited JSON may not be). Relative paths resolve against
 * `workspaceDir`, which the host gives only for a trusted workspace (else
 * against the home folder).
 */
export function readSettings(get: SettingGetter, storageDir: string, workspaceDir?: string): LabSettings {
  const text = (key: string) => (typeof get(key) === 'string' ? (get(key) as string).trim() : '');
  const folder = (key: string, fallback: string) => {
    const value = expandHome(text(key));
    if (!value) return fallback;
    return path.resolve(workspaceDir ?? os.homedir(), value);
  };
  // A number out of bounds is kept: resolveHyperparameters names the setting and its bounds when a training starts.
  const overrides: Partial<Hyperparameters> = {};
  for (const name of TUNABLE_NAMES) {
    const value = get(trainingKey(name));
    if (typeof value === 'number' && Number.isFinite(value)) overrides[name] = value;
  }
  for (const name of CHOICE_NAMES) {
    const value = TRAINING_CHOICES[name].safeParse(get(trainingKey(name)));
    // Parsed by the choice's own schema, so the value fits the field it names.
    if (value.success) Object.assign(overrides, { [name]: value.data });
  }
  const preset = get('defaultPreset');
  const backend = BACKEND_PREFERENCES.find((b) => b === get('backend'));
  const limit = REVIEW_LIMIT.safeParse(get(trainingKey('limit')));
  let dataSource = text('data.source') || 'official';
  if (dataSource !== 'official' && !/^https?:\/\//i.test(dataSource)) dataSource = folder('data.source', dataSource);
  return {
    dataSource,
    cacheDir: folder('cacheFolder', path.join(storageDir, 'cache')),
    runsDir: folder('runsFolder', path.join(storageDir, 'runs')),
    defaultPreset: isPresetName(preset) ? preset : 'lstm',
    overrides,
    limit: limit.success ? limit.data : undefined,
    backend: backend ?? 'auto',
    evaluateAfterTraining: get('evaluateAfterTraining') !== false,
    notifyAnalysis: get('analyze.notification') === true,
    editorExplanations: get('editor.explanations') !== false,
  };
}

function expandHome(value: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && (value === '~' || value.startsWith('~/')) ? path.join(home, value.slice(1)) : value;
}


/**
 * package.json's settings `rnnSentimentLab.training.*`, derived from the
 * schema (types, bounds, descriptions). A unit test holds package.json to it;
 * `npm run settings:write` rewrites those entries.
 */
export function trainingSettingsContribution(): Record<string, unknown> {
  const numberSetting = (schema: ZodNumber, emptyMeans: string) => ({
    type: [schema.isInt ? 'integer' : 'number', 'null'],
    default: null,
    ...(schema.minValue === null ? {} : { minimum: schema.minValue }),
    ...(schema.maxValue === null ? {} : { maximum: schema.maxValue }),
    markdownDescription: `${schema.description ?? ''} ${emptyMeans}`,
  });
  const choiceSetting = (schema: ZodEnum<[string, ...string[]]>) => ({
    type: ['string', 'null'],
    enum: [...schema.options, null],
    default: null,
    markdownDescription: `${schema.description ?? ''} Empty: the preset's value.`,
  });
  const section = (key: string) => `${SETTINGS_SECTION}.${key}`;
  return {
    [section(trainingKey('limit'))]: numberSetting(REVIEW_LIMIT, 'Empty: all 25,000.'),
    ...Object.fromEntries(TUNABLE_NAMES.map((name) => [section(trainingKey(name)), numberSetting(TUNABLE_HYPERPARAMETERS[name], 'Empty: the preset\'s value.')])),
    ...Object.fromEntries(CHOICE_NAMES.map((name) => [section(trainingKey(name)), choiceSetting(TRAINING_CHOICES[name])])),
  };
}
