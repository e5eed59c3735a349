/** `explain`: why the model decided on a text: each word's attribution, and with --json the whole trace. */
import { Option, type Command } from '@commander-js/extra-typings';
import { styleText } from 'node:util';
import { LabError } from '../core/errors';
import { ATTRIBUTION_METHODS, type Explanation, type ExplainedToken } from '../core/explain/types';
import { defaultRunsDir } from '../core/paths';
import { backendOption, jsonOption } from './options';
import { readStdin } from './stdin';
import { resolveModelDir, workerClient } from './worker';

const METHOD_NAMES = { ig: 'integrated gradients', occlusion: 'occlusion (word replaced by OOV)' } as const;

/** One row per token: index, word, how it was read, attribution, verdict after it. */
function plainLines(e: Explanation): string[] {
  return e.tokens.map((token, j) => {
    const k = j - e.read.from;
    const read = k >= 0;
    const attribution = read ? formatSigned(e.attributions.values[k]) : '';
    const verdict = read ? e.verdict[k].toFixed(4) : '';
    return [j, token.text, token.status, attribution, verdict].join('\t');
  });
}

function formatSigned(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}

/** A word coloured by its push: green toward positive, red toward negative, stronger on a background; dropped words dim. */
function colouredWord(token: ExplainedToken, attribution: number | undefined, scale: number): string {
  if (attribution === undefined) return styleText(['dim', 'strikethrough'], token.text);
  const text = token.status === 'oov' ? `${token.text}?` : token.text;
  const strength = scale > 0 ? Math.abs(attribution) / scale : 0;
  if (strength < 0.15) return text;
  const positive = attribution > 0;
  if (strength < 0.5) return styleText(positive ? 'green' : 'red', text);
  return styleText([positive ? 'bgGreen' : 'bgRed', 'black'], text);
}

function colouredText(e: Explanation): string {
  const values = e.attributions.values;
  const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const words = e.tokens.map((token, j) => colouredWord(token, j >= e.read.from ? values[j - e.read.from] : undefined, scale));
  const legend = styleText('dim', `green: toward positive, red: toward negative, word?: not in the vocabulary${e.read.from > 0 ? `, struck out: the ${e.read.from} words before the last ${e.maxlen - 1} (not read)` : ''}`);
  return `${words.join(' ')}\n${legend}`;
}

function header(e: Explanation): string {
  const a = e.attributions;
  const check = a.completenessError !== undefined ? `, ${a.steps} steps, completeness within ${(100 * a.completenessError).toFixed(2)}%` : '';
  return `${e.label.padEnd(8)} ${e.probability.toFixed(4)}  (${e.preset}, ${METHOD_NAMES[a.method]}${check}; ${e.milliseconds.toFixed(0)} ms)`;
}

export function addExplainCommand(program: Command): void {
  program
    .command('explain')
    .description('why the model decided on TEXT (or on standard input): each word\'s push toward positive or negative, the verdict as it reads')
    .argument('[text]', 'the text to explain')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(new Option('--method <method>', 'attribution method').choices(ATTRIBUTION_METHODS).default('ig' as const))
    .addOption(backendOption())
    .addOption(jsonOption('the whole explanation (tokens, trace, verdict as it reads, attributions) as JSON'))
    .action(async (text, opts) => {
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      const input = text ?? (await readStdin());
      if (input.trim() === '') throw new LabError('bad-argument', 'No text to explain.');
      const client = workerClient();
      try {
        const { explanation } = await client.request('explain', { runDir, text: input, method: opts.method, backend: opts.backend }).result;
        if (opts.json) process.stdout.write(`${JSON.stringify(explanation)}\n`);
        else if (process.stdout.isTTY) process.stdout.write(`${header(explanation)}\n${colouredText(explanation)}\n`);
        else process.stdout.write(`${header(explanation)}\n${plainLines(explanation).join('\n')}\n`);
      } finally {
        await client.terminate();
      }
    });
}
