/**
 * Import Keras Model: a Keras .h5 / .keras file of the tutorial's shape and
 * its word index become a run (then the active model). The word index is
 * offered from ~/.keras/datasets/ when Keras left it there; maxlen is asked
 * only when the model has no fixed input length.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { findKerasImdbWordIndex, type WordIndexOptions } from '../core/keras/word-index';
import type { TrainResult } from '../protocol';
import type { CommandContext } from './context';
import { errorCode } from '../rpc';
import { reportError } from './errors';

const TITLE = 'Import Keras Model';

async function pickFile(title: string, filters: Record<string, string[]>, defaultUri?: vscode.Uri): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters, defaultUri });
  return picked?.[0]?.fsPath;
}

async function askWordIndex(): Promise<WordIndexOptions | undefined> {
  const found = await findKerasImdbWordIndex();
  type Choice = vscode.QuickPickItem & { choose(): Promise<WordIndexOptions | undefined> };
  const other = (kind: WordIndexOptions['kind']) => async () => {
    const file = await pickFile(kind === 'imdb' ? 'imdb_word_index.json (word → rank, index_from 3)' : "A Tokenizer's word_index or tokenizer.to_json()", { JSON: ['json'] });
    if (!file || kind === 'imdb') return file ? { file, kind } : undefined;
    const oovToken = await vscode.window.showInputBox({ title: TITLE, prompt: "The Tokenizer's oov_token (empty: it had none; tokenizer.to_json() files say so themselves)", value: '<OOV>' });
    if (oovToken === undefined) return undefined;
    return { file, kind, ...(oovToken ? { oovToken } : {}) };
  };
  const choices: Choice[] = [
    ...(found ? [{ label: '$(book) imdb_word_index.json from Keras', description: found, detail: 'keras.datasets.imdb: index_from 3, start 1, OOV 2 (the tutorial)', choose: () => Promise.resolve({ file: found, kind: 'imdb' as const }) }] : []),
    { label: '$(file) An imdb word index file…', detail: 'word → rank, as imdb.get_word_index() returns it', choose: other('imdb') },
    { label: "$(file) A Tokenizer's word index…", detail: 'Tokenizer.word_index as JSON, or tokenizer.to_json()', choose: other('tokenizer') },
  ];
  const picked = await vscode.window.showQuickPick(choices, { title: `${TITLE}: the word index the model was trained with` });
  return picked?.choose();
}

/** What the command asks for, given up front by a caller (another extension, a test): no dialogs then. */
export interface ImportKerasArgs {
  file: string;
  wordIndex: WordIndexOptions;
  maxlen?: number;
}

export async function importKerasModel(ctx: CommandContext, args?: ImportKerasArgs): Promise<TrainResult | undefined> {
  const file = args?.file ?? (await pickFile(`${TITLE}: a Keras model`, { 'Keras models': ['h5', 'hdf5', 'keras'] }));
  if (!file) return undefined;
  const wordIndex = args?.wordIndex ?? (await askWordIndex());
  if (!wordIndex) return undefined;
  const run = (maxlen?: number) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Importing ${path.basename(file)}` }, () => ctx.lab.importKeras({ file, wordIndex, maxlen }));
  try {
    let result: TrainResult;
    try {
      result = await run(args?.maxlen);
    } catch (error) {
      // A model without a fixed input length: ask for the maxlen its sequences were padded to.
      if (args || errorCode(error) !== 'bad-argument' || !/no fixed input length/.test(errorMessage(error))) throw error;
      const answer = await vscode.window.showInputBox({
        title: TITLE,
        prompt: `${path.basename(file)} has no fixed input length: the maxlen its sequences were padded to`,
        value: '500',
        validateInput: (v) => (/^[1-9]\d{0,4}$/.test(v) ? undefined : 'A whole number from 1 to 99999'),
      });
      if (!answer) return undefined;
      result = await run(Number(answer));
    }
    await ctx.lab.setActiveRun(result.record.id);
    void vscode.window.showInformationMessage(`Imported ${path.basename(file)} from Keras as the active model (${result.record.architecture.layers.map((l) => l.type).join(' → ')}).`);
    ctx.lab.reveal('runs', { runId: result.record.id });
    return result;
  } catch (error) {
    reportError(TITLE, error);
    return undefined;
  }
}
