// docs/writing-a-mechanism.md, "ErrorMechanism": the contract as the doc states it, held to be core's (type-checked by test/doc-snippets.test.ts).
import type * as core from '@multimech/core';
import type { ActivationReading, PhysicalCost, ReadingKind, Rng, RngState, StateLoss, Substrate } from '@multimech/core';
import type { Equal } from '../equal';

// snippet start
interface ErrorMechanism {
  readonly kind: string;
  readonly produces: ReadingKind; // 'product' | your own string
  measure(context: ErrorContext): ErrorReading;
  randomState?(): RngState;                   // a mechanism with a noise generator of its own:
  restoreRandomState?(state: RngState): void; // its state, for checkpoints
}
interface ErrorContext {
  readonly substrate: Substrate;
  readonly activation: ActivationReading;
  readonly errorForce: Float64Array; // e = −∂C/∂s at the free state, on every dof
  readonly loss: StateLoss;          // C(s) and −∂C/∂s at any state (for nudging or clamping)
  readonly rng: Rng;                 // the experiment's stream: draw noise from it
}
interface ErrorReading {
  readonly readings: Float64Array;            // scaled so that a perfect mechanism gives Δu
  readonly activationReadings?: Float64Array; // what each edge read of the activation, if it measured it itself
  readonly diagnostics?: Readonly<Record<string, number>>;
  // 'time-series' readings: each edge's activation drop and error response at several instants
  readonly series?: { readonly activation: readonly Float64Array[]; readonly error: readonly Float64Array[] };
  readonly cost?: PhysicalCost; // what the measurement cost physically: its time, energy, equilibria (or solves)
}
// snippet end

export const same: [Equal<ErrorMechanism, core.ErrorMechanism>, Equal<ErrorContext, core.ErrorContext>, Equal<ErrorReading, core.ErrorReading>] = [true, true, true];
