/** `predict`: the sentiment of each text given as an argument, of each line of standard input, or of each unit of a file (`--file`). */
import * as path from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { LabError } from '../core/errors';
import { confidenceOf, formatVerdict, knownWords, readingNotes, wordsRead } from '../core/verdict';
import { defaultRunsDir } from '../core/paths';
import { exportUnits, summariseUnits, type AnalysedUnit } from '../core/document/export';
import { readDocumentFile } from '../core/document/read';
import { UNIT_KINDS, formatOfFile, splitDocument, type DocumentUnit } from '../core/document/units';
import { backendOption, jsonOption } from './options';
import { readStdin } from './stdin';
import { cancelOnInterrupt, progressReporter } from './progress';
import { resolveModelDir, workerClient } from './worker';

async function readStdinLines(): Promise<string[]> {
  return (await readStdin()).split(/\r?\n/).filter((l) => l.trim() !== '');
}

interface FileOptions {
  file: string;
  unit?: (typeof UNIT_KINDS)[number];
  column?: string;
  field?: string;
}

async function readUnits(opts: FileOptions): Promise<DocumentUnit[]> {
  const format = formatOfFile(opts.file);
  const name = path.basename(opts.file);
  if (opts.column && format !== 'csv' && format !== 'tsv') throw new LabError('bad-argument', `--column is for CSV and TSV files; ${name} is read as ${format}.`);
  if (opts.field && format !== 'jsonl') throw new LabError('bad-argument', `--field is for JSONL files; ${name} is read as ${format}.`);
  if (opts.unit && (format === 'csv' || format === 'tsv' || format === 'jsonl')) throw new LabError('bad-argument', `--unit is for text and Markdown files; ${name} is read one row per unit.`);
  const { units, skipped } = splitDocument(await readDocumentFile(opts.file), { format, name, unit: opts.unit, column: opts.column, field: opts.field });
  if (skipped.length > 0) process.stderr.write(`rnn-sentiment-lab: ${skipped.length} of ${skipped.length + units.length} rows skipped: ${skipped[0].reason} (first at line ${skipped[0].startLine}).\n`);
  if (units.length === 0) throw new LabError('bad-argument', `${name} has no text to analyze.`);
  return units;
}

export function addPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('sentiment of each TEXT, of each line of standard input, or of each paragraph, line, row or JSON line of a file')
    .argument('[text...]', 'texts to analyze')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .option('--file <file>', 'a .txt, .md, .csv, .tsv or .jsonl file to analyze unit by unit')
    .addOption(new Option('--unit <unit>', 'text and Markdown: the unit analyzed (default paragraph)').choices(UNIT_KINDS))
    .option('--column <name>', 'CSV/TSV: the column to analyze, by its header name')
    .option('--field <path>', 'JSONL: the field to analyze, by key path (review.text)')
    .addOption(backendOption())
    .addOption(jsonOption('one JSON object per line (with --file: one JSON array)').conflicts('csv'))
    .addOption(new Option('--csv', 'with --file: the results as CSV'))
    .action(async (texts, opts) => {
      if (opts.file && texts.length > 0) throw new LabError('bad-argument', 'Give texts or --file, not both.');
      if (!opts.file && (opts.unit || opts.column || opts.field || opts.csv)) throw new LabError('bad-argument', '--unit, --column, --field and --csv go with --file.');
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      const units = opts.file ? await readUnits({ ...opts, file: opts.file }) : undefined;
      const inputs = units ? units.map((u) => u.text) : texts.length > 0 ? texts : await readStdinLines();
      if (inputs.length === 0) throw new LabError('bad-argument', 'No text to analyze.');
      const client = workerClient();
      const reporter = progressReporter(false);
      try {
        const request = client.request('predict', { runDir, texts: inputs, backend: opts.backend }, reporter.onEvent);
        const stopInterrupt = cancelOnInterrupt(request, 'the analysis');
        const result = await request.result.finally(() => {
          stopInterrupt();
          reporter.done();
        });
        if (units) {
          const analyzed: AnalysedUnit[] = units.map((u, i) => ({ ...u, probability: result.predictions[i].probability, label: result.predictions[i].label }));
          if (opts.json || opts.csv) process.stdout.write(exportUnits(analyzed, opts.csv ? 'csv' : 'json'));
          else {
            for (const [i, u] of analyzed.entries()) process.stdout.write(`${String(u.startLine).padStart(6)}  ${formatVerdict(result.predictions[i]).padEnd(24)} ${excerpt(u.text)}\n`);
            process.stdout.write(`${summariseUnits(analyzed).text}\n`);
          }
          return;
        }
        for (const [i, p] of result.predictions.entries()) {
          if (opts.json) {
            // probability is P(positive); label is null when the text has no word the model knows.
            const line = { probability: p.probability, label: p.label, confidence: p.label ? confidenceOf(p.probability) : null, wordsRead: wordsRead(p), unknownWords: p.oovCount, knownWords: knownWords(p), truncated: p.truncated };
            process.stdout.write(`${JSON.stringify(line)}\n`);
          } else {
            const notes = readingNotes(p);
            process.stdout.write(`${formatVerdict(p).padEnd(24)} ${excerpt(inputs[i])}${notes.length ? `  (${notes.join('; ')})` : ''}\n`);
          }
        }
      } finally {
        await client.terminate();
      }
    });
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}
