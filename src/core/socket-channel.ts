/**
 * Carries protocol messages over a stream socket (a Unix socket or a Windows
 * named pipe) as one JSON document per line. Node's sockets have no message
 * framing of their own; newline-delimited JSON is the simplest framing both
 * ends can check.
 *
 * The framing is written here rather than taken from a line-splitting
 * library because the ones at hand (split2, readline) rescan or re-split the
 * whole pending text on every chunk and count characters, not bytes: a
 * newline-less flood must cost one scan of each new byte and stop at a byte cap.
 */
import type { Socket } from 'node:net';
import { isWireMessage, type WireMessage } from '../rpc';

/** The longest line either side accepts; a peer that sends more is cut off. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines. Only the bytes of each new chunk are
 * scanned; a line longer than `maxBytes` calls `onOverflow` and nothing
 * after it is read.
 */
export function lineSplitter(onLine: (line: string) => void, onOverflow: () => void, maxBytes = MAX_LINE_BYTES): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowed = false;
  return (chunk) => {
    if (overflowed) return;
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (pendingBytes + piece.length > maxBytes) {
        overflowed = true;
        onOverflow();
        return;
      }
      // A newline byte never occurs inside a multi-byte UTF-8 character, so each line decodes on its own.
      const line = pendingBytes === 0 ? piece.toString('utf8') : Buffer.concat([...pending, piece]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      onLine(line);
      if (overflowed) return;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (pendingBytes + rest.length > maxBytes) {
      overflowed = true;
      onOverflow();
      return;
    }
    pending.push(rest);
    pendingBytes += rest.length;
  };
}

/** Parses a line as JSON; anything unparseable is undefined (ignored, never a crash). */
export function parseLine(line: string): unknown {
  if (!line.trim()) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Writes one message as a line, unless the socket is already gone. */
export function writeLine(socket: Socket, message: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}

/**
 * Feeds every protocol message of `socket` to `receive` and returns the
 * sender. `intercept` (when given) sees each parsed line before it is taken as a
 * protocol message and returns true to consume it (the authentication handshake).
 * A line over the cap destroys the socket.
 */
export function socketChannel(
  socket: Socket,
  receive: (message: WireMessage) => void,
  options: { intercept?: (message: unknown) => boolean; maxLineBytes?: number } = {},
): (message: WireMessage) => void {
  const split = lineSplitter(
    (line) => {
      const message = parseLine(line);
      if (options.intercept?.(message)) return;
      if (isWireMessage(message)) receive(message);
    },
    () => socket.destroy(),
    options.maxLineBytes,
  );
  socket.on('data', (chunk: Buffer) => split(chunk));
  return (message) => writeLine(socket, message);
}
