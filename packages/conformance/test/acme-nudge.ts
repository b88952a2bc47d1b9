import { positiveInteger, positiveNumber, strictObject, withDefaults, type ErrorMechanism, type ErrorRecord } from '@multimech/core';

/**
 * A third party's error mechanism, as docs/writing-a-mechanism.md writes
 * it: nudge the outputs towards their targets with strength β, settle into
 * s^β = argmin E + βC (the fixed point of s = s* + β H⁻¹ e(s), on a linear
 * substrate), and read each edge's (Δs^β − Δs*)/β = Δu + O(β). With
 * `noise`, each reading gets a normal deviate of that size, drawn from the
 * generator the mechanism is given.
 */
export interface NudgeSettings {
  readonly beta: number;
  readonly iterations: number;
  readonly noise: number;
}

export const nudgeSettings = withDefaults(
  strictObject('an acme/nudge error mechanism ({ "kind": "acme/nudge", "beta"?, "iterations"?, "noise"? })', {}, {
    beta: positiveNumber,
    iterations: positiveInteger,
    noise: positiveNumber,
  }),
  (c): NudgeSettings => ({ beta: c.beta ?? 0.1, iterations: c.iterations ?? 50, noise: c.noise ?? 0 }),
);

export function nudgeError({ beta, iterations, noise }: NudgeSettings): ErrorMechanism {
  return {
    kind: 'acme/nudge',
    produces: 'product',
    measure({ substrate, activation, loss, rng }) {
      const free = activation.state;
      let nudged = free;
      for (let i = 0; i < iterations; i++) {
        const [u] = substrate.linearResponse(free, [loss.evaluate(nudged).force]);
        nudged = free.map((s, k) => s + beta * u[k]);
      }
      const after = substrate.activationReadings(nudged);
      return { readings: after.map((d, k) => (d - activation.readings[k]) / beta + (noise > 0 ? noise * rng.normal() : 0)) };
    },
  };
}

export const nudgeErrorRecord: ErrorRecord<NudgeSettings> = {
  kind: 'acme/nudge',
  description: 'error as the change of each drop when the outputs are nudged by β (bias O(β))',
  configCodec: nudgeSettings,
  requires: ['linear'],
  produces: 'product',
  create: nudgeError,
};
