/** Standard input as the commands that analyze text read it. */
import { LabError } from '../core/errors';

/** All of standard input; a terminal (nothing piped in) is an error, as no text was given. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new LabError('bad-argument', 'No text to analyze: give it as an argument or on standard input.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
