/**
 * `rnn-sentiment-lab`: the sentiment core without VS Code, for servers, CI
 * and benchmarks. Training, evaluation and prediction run in the same worker
 * thread the extension uses; `summary` and `runs` need no TensorFlow at all.
 * This file maps what a command throws to one line on stderr and an exit code.
 */
import { CommanderError } from '@commander-js/extra-typings';
import { LabError, errorMessage } from '../core/errors';
import { RpcError } from '../rpc';
import { buildProgram } from './program';

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const code = error instanceof LabError || error instanceof RpcError ? error.code : undefined;
    if (code === 'cancelled') {
      process.stderr.write(`${errorMessage(error)}\n`);
      return 130;
    }
    const userError = error instanceof RangeError || code !== undefined && code !== 'internal';
    process.stderr.write(`rnn-sentiment-lab: ${userError ? errorMessage(error) : (error as Error)?.stack ?? String(error)}\n`);
    return userError && (code === 'bad-argument' || error instanceof RangeError) ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
