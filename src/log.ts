/**
 * The "RNN Sentiment Lab" output channel: what the extension does and what
 * fails, plus the training service's own log (its worker thread's output
 * included), which the service writes to a file beside its socket and this
 * module follows while the window is open.
 */
import { closeSync, openSync, readSync, statSync, unwatchFile, watchFile } from 'node:fs';
import * as vscode from 'vscode';

export class LabLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('RNN Sentiment Lab', { log: true });
  private followed: string | undefined;
  private offset = 0;

  info(message: string): void {
    this.channel.info(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  /** Brings the channel into view without taking focus from the editor. */
  show(): void {
    this.channel.show(true);
  }

  /**
   * Appends what the service writes to its log file from now on. Polled once
   * a second (fs.watch misses appends on some file systems); the read is a
   * stat and, only when the file grew, one read of the new bytes.
   */
  follow(file: string): void {
    this.followed = file;
    this.offset = sizeOf(file);
    watchFile(file, { interval: 1000 }, () => this.readNew());
  }

  private readNew(): void {
    if (!this.followed) return;
    const size = sizeOf(this.followed);
    if (size < this.offset) this.offset = 0; // The service started afresh and truncated it.
    if (size === this.offset) return;
    const buffer = Buffer.alloc(Math.min(size - this.offset, 1 << 20));
    let fd: number | undefined;
    try {
      fd = openSync(this.followed, 'r');
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      for (const line of buffer.subarray(0, read).toString('utf8').split('\n')) if (line.trim()) this.channel.appendLine(`[service] ${line}`);
    } catch {
      // The file went away between the stat and the read: the next change reads it again.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  dispose(): void {
    if (this.followed) unwatchFile(this.followed);
    this.channel.dispose();
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
