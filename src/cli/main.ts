/**
 * `rnn-sentiment-lab`: the sentiment core without VS Code, for servers, CI
 * and benchmarks. Training, evaluation and prediction run in the same worker
 * thread the extension uses; `summary` and `runs` need no TensorFlow at all.
 * This file maps what a command throws to one line on stderr and an exit code.
 */
import { CommanderError } from '@commander-js/extra-typings';
import { errorMessage } from '../core/errors';
import { errorCode, errorStack } from '../rpc';
import { buildProgram } from './program';

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const code = errorCode(error);
    if (code === 'cancelled') {
      process.stderr.write(`${errorMessage(error)}\n`);
      return 130;
    }
    // A bad hyperparameter is a RangeError from resolveHyperparameters.
    const userError = error instanceof RangeError || (code !== undefined && code !== 'internal');
    process.stderr.write(`rnn-sentiment-lab: ${errorMessage(error)}\n`);
    // A bug: where it was thrown follows the message (stderr is the CLI's log).
    const stack = userError ? undefined : errorStack(error);
    if (stack) process.stderr.write(`${stack}\n`);
    return userError && (code === 'bad-argument' || error instanceof RangeError) ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
