import { MultimechError } from '@multimech/core';

/** Usage errors found after commander parsed the arguments (exit code 2, like commander's own). */
export class UsageError extends MultimechError {}

/** A stream the command writes text to; `isTTY` and `columns` when it is a terminal. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Where the command line writes and how it ends. Tests pass captured sinks;
 * the real command uses the process's streams and sets `process.exitCode`
 * (so that pending output is flushed before Node exits).
 */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Called once with the exit code when the command has finished. */
  readonly exit?: (code: number) => void;
  /** Environment variables (`MULTIMECH_DEBUG`); defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    exit: (code) => {
      process.exitCode = code;
    },
    env: process.env,
  };
}
