// What a child process printed: copied to its log file (when there is one) and the last lines kept
// in memory, so a child that fails to start can be explained with its own words.
import type { ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';

export interface ChildOutput {
  /** The last chunks the child wrote, joined. */
  tail(): string;
  /** False when the child's stdout and stderr were not piped here (inherited: they went to the terminal). */
  captured: boolean;
}

/** Ends an error message about the child: what it said last, or where its output went. */
export function lastWords(output: ChildOutput): string {
  if (!output.captured) return ' (its output is above)';
  const tail = output.tail();
  return tail ? `:\n${tail}` : ' (it printed nothing)';
}

export function captureOutput(child: ChildProcess, logFile: string | undefined, keepChunks = 20): ChildOutput {
  const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  const chunks: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      file?.write(chunk);
      chunks.push(chunk.toString());
      if (chunks.length > keepChunks) chunks.shift();
    });
  }
  // 'close', not 'exit': the child's last output may still be in its pipes when it exits.
  child.once('close', () => file?.end());
  return { tail: () => chunks.join(''), captured: child.stdout !== null || child.stderr !== null };
}

/** The last `count` non-empty lines of `text`. */
export function lastLines(text: string, count: number): string[] {
  return text.split('\n').filter((line) => line.trim() !== '').slice(-count);
}

/** The end of a file (its last `maxBytes`), or '' when it cannot be read — for a dead process's log. */
export function tailOfFile(path: string, maxBytes = 8_192): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
