/**
 * `rnn-sentiment-lab`: the sentiment core without VS Code, for servers, CI
 * and benchmarks. Training, evaluation and prediction run in the same worker
 * thread the extension uses; `summary` and `runs` need no TensorFlow at all.
 * What a command throws becomes one line on stderr and an exit code (errors.ts).
 */
import { CommanderError } from '@commander-js/extra-typings';
import { describeCliFailure } from './errors';
import { buildProgram } from './program';

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Commander has already printed what was wrong with the arguments.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const failure = describeCliFailure(error);
    process.stderr.write(failure.exitCode === 130 ? `${failure.message}\n` : `rnn-sentiment-lab: ${failure.message}\n`);
    if (failure.stack && argv.includes('--debug')) process.stderr.write(`${failure.stack}\n`);
    return failure.exitCode;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
