import { experimentPaths, type DiagnosticSpec } from '@multimech/core';

/** An epoch as far as its diagnostics go: what the trainer's epoch events and a run's history hold. */
export interface DiagnosticEpoch {
  readonly epoch: number;
  /** The error mechanism's diagnostics over the epoch's training examples, each its worst value (absent at epoch 0). */
  readonly diagnostics?: Readonly<Record<string, number>>;
}

/** Options of `diagnosticWarnings`. */
export interface DiagnosticWarningOptions {
  /** Who the warnings are about, after `warning: ` (a mechanism's name in a comparison). */
  readonly subject?: string;
  /** Where the mechanism's settings are shown (default `error.KEY`, an experiment config's). */
  readonly at?: (key: string) => string;
}

/**
 * Whether a diagnostic's worst value is its smallest (the lowest
 * concentration) rather than its largest: as its spec says, else by the
 * convention that such a name ends in `Min`.
 */
export function worstIsSmallest(key: string, specs: readonly DiagnosticSpec[] = []): boolean {
  const spec = specs.find((s) => s.name === key);
  return spec?.worstIsSmallest ?? key.endsWith('Min');
}

/**
 * The worst value of each diagnostic over epochs (the smallest where
 * `worstIsSmallest`, else the largest), as the trainer takes it over an
 * epoch's examples. Non-finite values are skipped. Keys in first-seen order.
 */
export function worstDiagnostics(epochs: readonly DiagnosticEpoch[], specs: readonly DiagnosticSpec[] = []): Record<string, number> {
  const worst: Record<string, number> = {};
  for (const e of epochs) {
    for (const [key, value] of Object.entries(e.diagnostics ?? {})) {
      if (!Number.isFinite(value)) continue;
      const known = worst[key];
      if (known === undefined || (worstIsSmallest(key, specs) ? value < known : value > known)) worst[key] = value;
    }
  }
  return worst;
}

/**
 * Warning lines (each starting `warning: `) for what an error mechanism's
 * diagnostics say went physically wrong over a run's epochs (or several
 * runs' epochs together): each of the mechanism's declared diagnostics
 * (`specs`, from its record) with a `warning` is asked, in the order the
 * record declares them, given the worst values found by `worstDiagnostics`.
 * No diagnostics, or none beyond its threshold, gives no lines.
 */
export function diagnosticWarnings(epochs: readonly DiagnosticEpoch[], specs: readonly DiagnosticSpec[], options: DiagnosticWarningOptions = {}): string[] {
  const worst = worstDiagnostics(epochs, specs);
  const run = {
    worst,
    trained: epochs.filter((e) => e.diagnostics && Object.keys(e.diagnostics).length > 0).length,
    epochsWhere: (test: (d: Readonly<Record<string, number>>) => boolean) => epochs.filter((e) => e.diagnostics && test(e.diagnostics)).length,
    at: options.at ?? ((key: string) => experimentPaths('error', key)),
  };
  const head = `warning: ${options.subject ? `${options.subject}: ` : ''}`;
  return specs.flatMap((spec) => {
    const line = spec.warning?.(run);
    return line ? [head + line] : [];
  });
}
