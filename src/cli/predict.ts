/** `predict`: the sentiment of each text given as an argument, or of each line of standard input. */
import type { Command } from '@commander-js/extra-typings';
import { LabError } from '../core/errors';
import { confidenceOf, formatVerdict, knownWords, readingNotes, wordsRead } from '../core/verdict';
import { defaultRunsDir } from '../core/paths';
import { backendOption, jsonOption } from './options';
import { readStdin } from './stdin';
import { resolveModelDir, workerClient } from './worker';

async function readStdinLines(): Promise<string[]> {
  return (await readStdin()).split(/\r?\n/).filter((l) => l.trim() !== '');
}

export function addPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('sentiment of each TEXT (or of each line of standard input)')
    .argument('[text...]', 'texts to analyze')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(backendOption())
    .addOption(jsonOption('one JSON object per line'))
    .action(async (texts, opts) => {
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      const inputs = texts.length > 0 ? texts : await readStdinLines();
      if (inputs.length === 0) throw new LabError('bad-argument', 'No text to analyze.');
      const client = workerClient();
      try {
        const result = await client.request('predict', { runDir, texts: inputs, backend: opts.backend }).result;
        for (const [i, p] of result.predictions.entries()) {
          if (opts.json) {
            // probability is P(positive); label is null when the text has no word the model knows.
            const line = { probability: p.probability, label: p.label, confidence: p.label ? confidenceOf(p.probability) : null, wordsRead: wordsRead(p), unknownWords: p.oovCount, knownWords: knownWords(p), truncated: p.truncated };
            process.stdout.write(`${JSON.stringify(line)}\n`);
          } else {
            const excerpt = inputs[i].length > 60 ? `${inputs[i].slice(0, 57)}...` : inputs[i];
            const notes = readingNotes(p);
            process.stdout.write(`${formatVerdict(p).padEnd(24)} ${excerpt}${notes.length ? `  (${notes.join('; ')})` : ''}\n`);
          }
        }
      } finally {
        await client.terminate();
      }
    });
}
