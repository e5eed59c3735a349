/**
 * Train Model: pick a preset, keep the tutorial's settings or change the
 * common ones, then train in the worker with a cancellable progress
 * notification. Arguments skip the questions (the dashboard's buttons and
 * tests pass them).
 */
import * as vscode from 'vscode';
import { formatCount, formatDuration, formatProgressAmount } from '../core/format';
import { PRESETS, PRESET_NAMES, TUNABLE_HYPERPARAMETERS, describeBounds, isPresetName, resolveHyperparameters, type ChoiceName, type Hyperparameters, type PresetName, type TunableName } from '../core/presets';
import { describeArchitecture } from '../core/architecture';
import { describeTraining } from '../core/training-state';
import type { TrainResult, TrainingEvents } from '../protocol';
import type { CommandContext } from './context';
import { COMMANDS } from './ids';
import { errorCode } from '../rpc';
import { reportError } from './errors';
import { describeSettings, trainingTitle } from '../lab/training-description';
import { requireWorkspaceTrust } from './trust';
import * as path from 'node:path';
import { parseDataSource } from '../core/dataset/source';
import { describeReport, labelledLabels, type LabelledOptions } from '../core/dataset/labelled';

export interface TrainModelArgs {
  preset?: PresetName;
  /** Hyperparameters to change; given, no question is asked. */
  hyperparameters?: Partial<Hyperparameters>;
  /** Make the new run the active model (default true). */
  activate?: boolean;
}

export async function trainModel(ctx: CommandContext, args?: TrainModelArgs | PresetName): Promise<TrainResult | undefined> {
  if (!requireWorkspaceTrust('Training')) return undefined;
  const options: TrainModelArgs = typeof args === 'string' ? { preset: args } : args ?? {};
  // The service decides (one training at a time, across windows); asking first spares the questions.
  const running = await ctx.lab.runningTraining().catch(() => undefined);
  if (running) {
    void vscode.window.showInformationMessage(`A training is already running (${describeTraining(running)}). One training runs at a time.`, 'Show Training').then(async (choice) => {
      if (!choice) return;
      await ctx.revealDashboard();
      ctx.lab.reveal('training');
    });
    return undefined;
  }

  const settings = ctx.settings();
  const preset = isPresetName(options.preset) ? options.preset : await pickPreset(settings.defaultPreset, settings.overrides);
  if (!preset) return undefined;
  let hyperparameters: Hyperparameters;
  try {
    const base = resolveHyperparameters(preset, settings.overrides);
    const changes = options.hyperparameters ?? (await askForChanges(base, settings.overrides, settings.limit));
    if (!changes) return undefined;
    hyperparameters = resolveHyperparameters(preset, { ...settings.overrides, ...changes });
  } catch (error) {
    reportError('Train Model', error);
    return undefined;
  }

  let labelled: LabelledOptions | undefined | null;
  try {
    labelled = await askLabelledOptions(settings.dataSource);
  } catch (error) {
    reportError('Train Model', error);
    return undefined;
  }
  if (labelled === null) return undefined;

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: trainingTitle(preset, settings.limit), cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => ctx.lab.cancelTraining());
      const reporter = progressReporter(progress, hyperparameters);
      try {
        const result = await ctx.lab.train({ hyperparameters, activate: options.activate, ...(labelled ? { labelled } : {}) }, reporter);
        void announce(ctx, result);
        return result;
      } catch (error) {
        if (errorCode(error) === 'cancelled') void vscode.window.showInformationMessage(`Training cancelled before its first epoch ended: nothing was saved.`);
        else reportError('Training', error);
        return undefined;
      }
    },
  );
}

async function pickPreset(defaultPreset: PresetName, overrides: Partial<Hyperparameters>): Promise<PresetName | undefined> {
  type Item = vscode.QuickPickItem & { preset: PresetName };
  const items: Item[] = PRESET_NAMES.map((name) => {
    const h = resolveHyperparameters(name, overrides);
    return {
      preset: name,
      label: PRESETS[name].title,
      description: `${formatCount(describeArchitecture(h).totalParams)} parameters · ${h.optimizer}`,
      detail: PRESETS[name].description,
    };
  });
  items.sort((a, b) => Number(b.preset === defaultPreset) - Number(a.preset === defaultPreset));
  const picked = await vscode.window.showQuickPick(items, { title: 'Train Model (1/2): choose a model', placeHolder: 'Which recurrent model of the tutorial?' });
  return picked?.preset;
}

/** Undefined when the user backs out; {} to keep the settings shown. */
async function askForChanges(base: Hyperparameters, overrides: Partial<Hyperparameters>, limit: number | undefined): Promise<Partial<Hyperparameters> | undefined> {
  const keep = `Train with these settings`;
  const change = 'Change epochs, batch size, maxlen, units, training seed, short texts, sentences and the epoch kept…';
  const customised = Object.keys(overrides).length > 0;
  const choice = await vscode.window.showQuickPick(
    [
      { label: keep, detail: describeSettings(base, overrides, limit) },
      { label: change },
    ],
    { title: `Train Model (2/2): ${PRESETS[base.preset].title}`, placeHolder: customised ? 'The tutorial\'s settings with yours applied: keep them or change them' : 'Keep the tutorial\'s settings or change them' },
  );
  if (!choice) return undefined;
  if (choice.label === keep) return {};
  const changes: Partial<Hyperparameters> = {};
  const questions: [TunableName, string][] = [
    ['epochs', 'Epochs'],
    ['batchSize', 'Batch size'],
    ['maxlen', 'Words read per review (maxlen)'],
    ['units', 'Recurrent units'],
    ['trainingSeed', 'Training seed: another value draws other initial weights and batches on the same split'],
    ['shortTextShare', 'Share of training rows shown as a short window of their review (0: whole reviews only, as the tutorial)'],
  ];
  for (const [key, prompt] of questions) {
    const schema = TUNABLE_HYPERPARAMETERS[key];
    const value = await vscode.window.showInputBox({
      title: `Train Model: ${PRESETS[base.preset].title}`,
      prompt,
      value: String(base[key]),
      validateInput: (text) => (text.trim() !== '' && schema.safeParse(Number(text)).success ? undefined : `${capitalise(describeBounds(schema))}.`),
    });
    if (value === undefined) return undefined;
    changes[key] = Number(value);
  }
  const trainOn = await pickChoice(base, 'trainOn', 'What each epoch trains on', { reviews: 'the training reviews, as the tutorial', 'reviews-and-sentences': 'also every sentence of each review (longer epochs)' });
  if (!trainOn) return undefined;
  changes.trainOn = trainOn;
  const kept = await pickChoice(base, 'keep', 'Which epoch\'s weights to keep', { best: 'the epoch with the lowest validation loss', last: 'the last epoch, as the tutorial' });
  if (!kept) return undefined;
  changes.keep = kept;
  return changes;
}

/**
 * One of a training choice's options, the current one highlighted (so Enter
 * keeps it); undefined when the user backs out. `descriptions` has a line for
 * every option (its type asks for each), in the order shown.
 */
function pickChoice<N extends ChoiceName>(base: Hyperparameters, name: N, placeHolder: string, descriptions: Record<Hyperparameters[N], string>): Promise<Hyperparameters[N] | undefined> {
  type Item = vscode.QuickPickItem & { option: Hyperparameters[N] };
  const options = Object.keys(descriptions) as Hyperparameters[N][];
  const items: Item[] = options.map((option) => ({ label: option, option, description: option === base[name] ? `${descriptions[option]} (current)` : descriptions[option] }));
  const pick = vscode.window.createQuickPick<Item>();
  Object.assign(pick, { title: `Train Model: ${PRESETS[base.preset].title}`, placeholder: placeHolder, items });
  pick.activeItems = items.filter((item) => item.option === base[name]);
  return new Promise((resolve) => {
    let chosen: Hyperparameters[N] | undefined;
    pick.onDidAccept(() => {
      chosen = pick.selectedItems[0]?.option;
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(chosen);
    });
    pick.show();
  });
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Turns the worker's events into the notification's message and bar (warnings into warning messages). */
export function progressReporter(progress: vscode.Progress<{ message?: string; increment?: number }>, h: Hyperparameters) {
  let reported = 0;
  return <E extends keyof TrainingEvents & string>(event: E, data: TrainingEvents[E]) => {
    if (event === 'progress') {
      const p = data as TrainingEvents['progress'];
      progress.report({ message: `${p.message}: ${formatProgressAmount(p.done, p.total, p.unit)}` });
    } else if (event === 'warning') {
      void vscode.window.showWarningMessage((data as TrainingEvents['warning']).message);
    } else if (event === 'validation') {
      // The whole report (every issue's line) is in the run's record; the message says what trains and what was left out.
      const report = data as TrainingEvents['validation'];
      const summary = describeReport(report).split('\n')[0];
      void (report.clean < report.rows ? vscode.window.showWarningMessage(summary) : vscode.window.showInformationMessage(summary));
    } else if (event === 'started') {
      const s = data as TrainingEvents['started'];
      progress.report({ message: `${formatCount(s.train)} reviews${s.sentences !== undefined ? ` and their ${formatCount(s.sentences)} sentences` : ''} on ${s.backend}…` });
    } else if (event === 'batch') {
      const b = data as TrainingEvents['batch'];
      const done = ((b.epoch - 1) * b.batchesPerEpoch + b.batch) / (h.epochs * b.batchesPerEpoch);
      const increment = Math.max(0, done * 100 - reported);
      reported += increment;
      progress.report({
        increment,
        message: `epoch ${b.epoch}/${b.epochs}, batch ${b.batch}/${b.batchesPerEpoch} · loss ${b.loss.toFixed(3)} · acc ${b.accuracy.toFixed(3)} · ${formatDuration(b.etaSeconds)} left`,
      });
    }
  };
}

/**
 * A labelled data source (the data source setting names a CSV/TSV/JSONL file
 * or a folder of label subfolders): which label is positive, asked once per
 * training and stored with the run. Undefined for IMDB sources; null when the
 * question is dismissed.
 */
async function askLabelledOptions(dataSource: string): Promise<LabelledOptions | undefined | null> {
  const source = await parseDataSource(dataSource);
  if (source.kind !== 'labelled') return undefined;
  const { labels, guessedPositive } = await labelledLabels(source.path);
  if (labels.length !== 2) return {}; // The training refuses it with the labels listed.
  const ordered = guessedPositive ? [guessedPositive, ...labels.filter((l) => l !== guessedPositive)] : labels;
  const picked = await vscode.window.showQuickPick(
    ordered.map((label) => ({ label, description: label === guessedPositive ? 'guessed from its name' : undefined })),
    { title: `Train Model: ${path.basename(source.path)}`, placeHolder: 'Which label is positive?' },
  );
  return picked ? { positiveLabel: picked.label } : null;
}

export async function announce(ctx: CommandContext, result: TrainResult): Promise<void> {
  const r = result.record;
  const lastEpoch = r.history.epochs.at(-1);
  const parts = [
    result.cancelled
      ? `Training cancelled: kept epoch ${r.epochsCompleted} of ${r.hyperparameters.epochs} as a checkpoint (marked "cancelled").`
      : `${PRESETS[r.preset].title} trained in ${formatDuration(r.timings.trainingSeconds)}${r.dataset.limit ? ` on a subset (${formatCount(r.dataset.train)} training reviews)` : ''}.`,
    lastEpoch ? `Validation accuracy ${lastEpoch.valAccuracy.toFixed(3)}` : '',
    r.test ? `test accuracy ${r.test.accuracy.toFixed(3)} on ${formatCount(r.test.count)} reviews.` : '',
  ];
  const choice = await vscode.window.showInformationMessage(parts.filter(Boolean).join(' ').replace(/(\d) test/, '$1, test'), 'Open Dashboard', 'Analyze Selection');
  if (choice === 'Open Dashboard') await vscode.commands.executeCommand(COMMANDS.openDashboard);
  else if (choice === 'Analyze Selection') await vscode.commands.executeCommand(COMMANDS.analyzeSentiment);
}
