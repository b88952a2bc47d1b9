import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { run } from '../src/main';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The code passed to io.exit. */
  readonly exited: number | undefined;
}

/** Runs the command line in-process with captured output. */
export async function runCli(args: readonly string[], options: { tty?: boolean; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let exited: number | undefined;
  const code = await run(['node', 'multimech', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false, columns: 200 },
    exit: (c) => {
      exited = c;
    },
    env: options.env ?? {},
  });
  return { code, stdout, stderr, exited };
}

/** Lines of a stack trace (`    at f (file:1:2)`). */
export const STACK_LINE = /^\s+at\s/m;

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `multimech-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
