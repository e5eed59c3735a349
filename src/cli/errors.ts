/**
 * What the command line says when a command fails: one line on stderr and an
 * exit code, whatever threw. Wrong arguments exit 2; everything else that a
 * user can meet (a missing or unwritable file, a full disk, a corrupt model,
 * TensorFlow refusing a model, memory running out) exits 1 with a sentence
 * naming it; an interruption exits 130. A stack is printed only with
 * `--debug`, and only for what looks like a bug.
 */
import { LabError, errorMessage } from '../core/errors';
import { RpcError } from '../rpc';

export interface CliFailure {
  exitCode: number;
  /** One line, without the program's name. */
  message: string;
  /** Where a bug was thrown (printed with --debug). */
  stack?: string;
}

/** File-system error codes a user can meet, in words. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'an input/output error of the disk',
  EBUSY: 'it is busy',
  ELOOP: 'too many symbolic links',
};

/** "ENOSPC: no space left on device, write" / "EACCES: permission denied, open '/x'": Node's wording, also as it crosses the worker's channel. */
const SYSTEM_MESSAGE = /^(E[A-Z]+): [^,]*, (\w+)(?: '([^']*)')?/;

/** What TensorFlow (the JavaScript library or its C core) says when it cannot run a model on the given input or memory. */
const TENSORFLOW_MESSAGE = /GatherV2|indices\[[^\]]*\] = -?\d+ is not in|OOM when allocating|Resource exhausted|Invalid argument:|Error when checking|expected .* to have shape|Based on the provided shape|Tensor is disposed|Size\(\d+\) must match|backend .* not found/i;

/** RangeErrors that mean memory ran out, not a wrong argument. */
const MEMORY_MESSAGE = /Array buffer allocation failed|Invalid (typed )?array length|Invalid string length|Cannot create a string longer than|Maximum call stack size exceeded|out of memory/i;

function codeOf(error: unknown): string | undefined {
  return error instanceof LabError || error instanceof RpcError ? error.code : undefined;
}

function stackOf(error: unknown): string | undefined {
  const remote = (error as { remoteStack?: unknown }).remoteStack;
  if (typeof remote === 'string') return remote;
  // A bug in the worker thread arrives with its stack after the first line of the message.
  const rest = errorMessage(error).split('\n').slice(1).join('\n').trim();
  if (error instanceof RpcError && rest) return rest;
  return error instanceof Error ? error.stack : undefined;
}

/** Errors from the worker thread may carry their stack after the message: the user sees the first line. */
function firstLine(text: string): string {
  return text.split('\n', 1)[0].trim();
}

export function describeCliFailure(error: unknown): CliFailure {
  const code = codeOf(error);
  const message = firstLine(errorMessage(error));
  if (code === 'cancelled') return { exitCode: 130, message };
  if (code === 'bad-argument') return { exitCode: 2, message };
  if (code !== undefined && code !== 'internal') return { exitCode: 1, message };

  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const local = typeof errno === 'string' && SYSTEM_ERRORS[errno] ? { errno, syscall: (error as NodeJS.ErrnoException).syscall, file: (error as NodeJS.ErrnoException).path } : undefined;
  const remote = SYSTEM_MESSAGE.exec(message);
  const system = local ?? (remote && SYSTEM_ERRORS[remote[1]] ? { errno: remote[1], syscall: remote[2], file: remote[3] } : undefined);
  if (system) {
    const where = system.file ? ` ${system.file}` : '';
    return { exitCode: 1, message: `Cannot ${system.syscall ?? 'access'}${where}: ${SYSTEM_ERRORS[system.errno]} (${system.errno}).` };
  }
  const stack = stackOf(error);
  if (TENSORFLOW_MESSAGE.test(message) || (stack !== undefined && /@tensorflow[\\/]/.test(stack) && !(error instanceof RangeError && MEMORY_MESSAGE.test(message)))) {
    return { exitCode: 1, message: `TensorFlow could not run the model: ${message}`, stack };
  }
  if (MEMORY_MESSAGE.test(message)) return { exitCode: 1, message: `Out of memory: ${message}. Try a smaller --limit, --maxlen or --batch-size.`, stack };
  return { exitCode: 1, message: `Internal error: ${message} (run again with --debug for where it happened).`, stack };
}
