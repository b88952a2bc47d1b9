// docs/writing-a-mechanism.md, "ActivationMechanism": the contract as the doc states it, held to be core's (type-checked by test/doc-snippets.test.ts).
import type * as core from '@multimech/core';
import type { Drive, Substrate } from '@multimech/core';
import type { Equal } from '../equal';

// snippet start
type Carrier = { readonly type: 'dc' } | { readonly type: 'ac'; readonly frequency: number }; // Hz

interface ActivationMechanism {
  readonly kind: string;
  readonly carrier: Carrier;
  activate(substrate: Substrate, drive: Drive): ActivationReading;
}
interface ActivationReading {
  readonly drive: Drive;           // the example's drive (its amplitude, for an AC carrier)
  readonly carrier: Carrier;
  readonly state: Float64Array;    // s* (for AC: its in-phase amplitude)
  readonly readings: Float64Array; // one per parameter, e.g. substrate.activationReadings(state)
}
// snippet end

export const same: [Equal<Carrier, core.Carrier>, Equal<ActivationMechanism, core.ActivationMechanism>, Equal<ActivationReading, core.ActivationReading>] = [true, true, true];
