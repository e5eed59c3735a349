/** Default folders of the command line (the extension uses its own storage instead). */
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultCacheDir(env = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rnn-sentiment-lab');
}

export function defaultRunsDir(env = process.env): string {
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'rnn-sentiment-lab', 'runs');
}
