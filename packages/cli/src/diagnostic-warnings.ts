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
}

/** A Péclet number above this: advection carries the chemical faster than diffusion spreads it. */
export const PECLET_LIMIT = 1;
/** A quadrature component above this fraction of the in-phase one: the run is far from quasi-static. */
export const QUADRATURE_LIMIT = 0.1;
/** A drive frequency above this fraction of the lowest resonance (ω/ω₀): the response is no longer quasi-static. */
export const RESONANCE_LIMIT = 0.5;
/** The Newton steps a nudged or clamped state may take (the contrastive solver's limit, per state), unless a mechanism reports its own as `newtonStepsLimit`. */
export const NEWTON_STEP_LIMIT = 50;
/** Newton steps at or above this fraction of the limit are near it. */
export const NEWTON_NEAR = 0.8;
/** A relaxation residual above this: the chemical was read well before steady state. */
export const RELAXATION_LIMIT = 0.01;

/** Whether a diagnostic's worst value is its smallest (a name ending in `Min`, the most negative concentration) rather than its largest. */
export function worstIsSmallest(key: string): boolean {
  return key.endsWith('Min');
}

/**
 * The worst value of each diagnostic over epochs (the smallest for a name
 * ending in `Min`, else the largest), as the trainer takes it over an
 * epoch's examples. Non-finite values are skipped. Keys in first-seen order.
 */
export function worstDiagnostics(epochs: readonly DiagnosticEpoch[]): Record<string, number> {
  const worst: Record<string, number> = {};
  for (const e of epochs) {
    for (const [key, value] of Object.entries(e.diagnostics ?? {})) {
      if (!Number.isFinite(value)) continue;
      const known = worst[key];
      if (known === undefined || (worstIsSmallest(key) ? value < known : value > known)) worst[key] = value;
    }
  }
  return worst;
}

const shown = (x: number): string => (x === 0 ? '0' : String(Number(x.toPrecision(4))));

/**
 * Warning lines (each starting `warning: `) for what an error mechanism's
 * diagnostics say went physically wrong over a run's epochs (or several
 * runs' epochs together), worst values first found by `worstDiagnostics`:
 *
 * - `negativeCount` > 0: chemical concentrations went negative (with one
 *   species on a baseline c₀ too low for the signal): how many epochs, the
 *   most nodes in one measurement, the most negative concentration
 *   (`negativeMin`) and the fix, a baseline c₀ ≥ `requiredBaseline` or two
 *   species;
 * - `pecletMax` > 1: advection dominates diffusion in some tube (the
 *   chemical's update departs from the gradient in proportion); a larger γ
 *   lowers it;
 * - `relaxationResidual` > 0.01: the chemical was read before steady state;
 * - `newtonSteps` ≥ 80% of the limit (`newtonStepsLimit` when the
 *   mechanism reports one, else 50 per nudged or clamped state): Newton
 *   barely converged;
 * - `quadratureRms` > 0.1 (the quadrature component relative to the
 *   in-phase one, or over `inPhaseRms` when that is reported): the drive is
 *   too fast for the network's capacitance, the run is not quasi-static;
 * - `resonanceRatio` (ω/ω₀) ≥ 0.5: the drive is near or above the lowest
 *   resonance.
 *
 * No diagnostics, or none beyond its threshold, gives no lines.
 */
export function diagnosticWarnings(epochs: readonly DiagnosticEpoch[], options: DiagnosticWarningOptions = {}): string[] {
  const worst = worstDiagnostics(epochs);
  const trained = epochs.filter((e) => e.diagnostics && Object.keys(e.diagnostics).length > 0).length;
  const epochsWith = (test: (d: Readonly<Record<string, number>>) => boolean) => epochs.filter((e) => e.diagnostics && test(e.diagnostics)).length;
  const head = `warning: ${options.subject ? `${options.subject}: ` : ''}`;
  const lines: string[] = [];

  if ((worst.negativeCount ?? 0) > 0) {
    const n = epochsWith((d) => (d.negativeCount ?? 0) > 0);
    const lowest = worst.negativeMin;
    const required = worst.requiredBaseline ?? (lowest !== undefined ? -lowest : undefined);
    lines.push(
      `${head}chemical concentrations went negative in ${n} of ${trained} epochs (up to ${worst.negativeCount} nodes in one measurement` +
        `${lowest !== undefined ? `, the lowest concentration ${shown(lowest)}` : ''}): unphysical, and reported rather than clipped; ` +
        `${required !== undefined ? `a baseline c₀ of at least ${shown(required)} (error.baseline) covers the most negative signal` : 'a higher baseline c₀ (error.baseline) covers it'}` +
        `, or two species carry the two signs (error.species "two")`,
    );
  }
  if ((worst.pecletMax ?? 0) > PECLET_LIMIT) {
    const n = epochsWith((d) => (d.pecletMax ?? 0) > PECLET_LIMIT);
    lines.push(
      `${head}advection dominates diffusion: the Péclet number reached ${shown(worst.pecletMax)}` +
        `${worst.pecletMedian !== undefined ? ` (median over the tubes up to ${shown(worst.pecletMedian)})` : ''} in ${n} of ${trained} epochs; ` +
        `above ${PECLET_LIMIT} the flow carries the chemical faster than it spreads and the update departs from the gradient in proportion; a larger error.gamma (faster diffusion) lowers it`,
    );
  }
  if ((worst.relaxationResidual ?? 0) > RELAXATION_LIMIT) {
    lines.push(
      `${head}the chemical was read before steady state: relaxation residual up to ${shown(worst.relaxationResidual)} (0 at steady state, 1 at the start); a longer error.relaxation.time brings it closer`,
    );
  }
  if (worst.newtonSteps !== undefined) {
    const limit = worst.newtonStepsLimit ?? NEWTON_STEP_LIMIT;
    if (worst.newtonSteps >= NEWTON_NEAR * limit) {
      lines.push(
        `${head}Newton took up to ${shown(worst.newtonSteps)} steps for one example's nudged or clamped states, near its limit of ${shown(limit)} per state; ` +
          'a smaller nudge (β, η) keeps the states closer to the free state',
      );
    }
  }
  if (worst.quadratureRms !== undefined) {
    const ratio = worst.inPhaseRms !== undefined ? (worst.inPhaseRms > 0 ? worst.quadratureRms / worst.inPhaseRms : 0) : worst.quadratureRms;
    if (ratio > QUADRATURE_LIMIT) {
      lines.push(
        `${head}the quadrature component reached ${shown(ratio)} of the in-phase one: the error frequency is not slow against the network's relaxation, ` +
          "so the in-phase reading departs from the gradient (about as the square of that); a lower frequency (error.frequency) brings it back to quasi-static",
      );
    }
  }
  if ((worst.resonanceRatio ?? 0) >= RESONANCE_LIMIT) {
    const r = worst.resonanceRatio;
    lines.push(
      `${head}the drive frequency is ${r >= 1 ? 'above' : 'near'} the network's lowest resonance (ω/ω₀ up to ${shown(r)}): ` +
        'the response is no longer quasi-static; a frequency well below ω₀ (ω/ω₀ < 0.5) is needed',
    );
  }
  return lines;
}
