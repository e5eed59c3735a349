/**
 * Carries protocol messages over a stream socket (a Unix socket or a Windows
 * named pipe) as one JSON document per line. Node's sockets have no message
 * framing of their own; newline-delimited JSON is the simplest framing both
 * ends can check.
 */
import type { Socket } from 'node:net';
import { isWireMessage, type WireMessage } from '../rpc';

export function socketChannel(socket: Socket, receive: (message: WireMessage) => void): (message: WireMessage) => void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.trim()) continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // Not ours: ignore rather than crash the other side.
      }
      if (isWireMessage(message)) receive(message);
    }
  });
  return (message) => {
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
  };
}
