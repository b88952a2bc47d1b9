import { SparseError } from '@multimech/sparse';

/**
 * Errors a researcher sees. Every error that is the user's to fix is a
 * `MultimechError`: its message is complete on its own (what, where, what was
 * expected), and the command line prints it without a stack trace.
 */
export class MultimechError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultimechError';
  }
}

/** One problem in a configuration, at a JSON path such as `substrate.edges[3].conductance`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A configuration that failed to decode: one line per problem, each with its JSON path. */
export class ConfigError extends MultimechError {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
  ) {
    super(
      (source ? `${source}: invalid configuration\n` : 'invalid configuration\n') +
        problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Bad input in a file, with its line number when there is one. */
export class InputFileError extends MultimechError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'InputFileError';
  }
}

/** A numerical failure that must not become a NaN: names what failed and where. */
export class NumericalError extends MultimechError {
  constructor(message: string) {
    super(message);
    this.name = 'NumericalError';
  }
}

/**
 * Runs `f`, restating a failure of the sparse kernels (a `SparseError`: a
 * solve short of its tolerance, a non-finite iterate) as a NumericalError,
 * prefixed by `what` was being computed when the kernel's message does not
 * say it already.
 */
export function restatingSolverFailures<T>(f: () => T, what?: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SparseError) throw new NumericalError(what ? `${what}: ${e.message}` : e.message);
    throw e;
  }
}

/** Throws a NumericalError naming `what` when any entry of `values` is not finite. */
export function assertFinite(values: ArrayLike<number>, what: string, names?: readonly string[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const where = names ? names[i] : `index ${i}`;
      throw new NumericalError(`${what} is not finite at ${where} (${values[i]})`);
    }
  }
}
