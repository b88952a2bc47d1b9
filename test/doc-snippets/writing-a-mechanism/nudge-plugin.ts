// docs/writing-a-mechanism.md, "A mechanism of your own": the code between "snippet start" and "snippet end" is the doc's, word for word.
// snippet start
import {
  bindErrorMechanism,
  definePlugin,
  positiveInteger,
  positiveNumber,
  strictObject,
  withDefaults,
  type ErrorMechanism,
  type ErrorRecord,
  type Substrate,
} from '@multimech/core';

/** The section as written: `{ "kind": "acme/nudge", "beta"?: number, "iterations"?: integer }`. */
export const nudgeConfig = strictObject('an acme/nudge error mechanism ({ "kind": "acme/nudge", "beta"?, "iterations"? })', {}, {
  beta: positiveNumber,
  iterations: positiveInteger,
});

/** What `create` and `check` receive: every default filled in. */
export interface NudgeSettings {
  readonly beta: number;
  readonly iterations: number;
}

/** Decodes the section once, into settings. */
export const nudgeSettings = withDefaults(nudgeConfig, (c): NudgeSettings => ({ beta: c.beta ?? 0.1, iterations: c.iterations ?? 50 }));

/** R = Σ_o (O H⁻¹ Oᵀ)_oo: how far a unit error force at the outputs moves them (a resistance, for a resistive network). */
export function outputResistance(substrate: Substrate): number {
  const state = substrate.equilibrium(substrate.drive(new Float64Array(substrate.boundary.inputs.length)));
  const o = substrate.boundary.outputs.length;
  const unit = (i: number) => Float64Array.from({ length: o }, (_, j) => (i === j ? 1 : 0));
  const responses = substrate.linearResponse(state, Array.from({ length: o }, (_, i) => substrate.outputForce(state, unit(i))));
  return responses.reduce((sum, u, i) => sum - substrate.readout(u)[i], 0);
}

export function nudgeError(settings: NudgeSettings): ErrorMechanism {
  const { beta, iterations } = settings;
  return {
    kind: 'acme/nudge',
    produces: 'product',
    measure({ substrate, activation, loss }) {
      const free = activation.state;
      // The fixed point of s = s* + β H⁻¹ e(s): there ∂E/∂s + β ∂C/∂s = 0 (linear substrates).
      let nudged = free;
      let change = Infinity;
      for (let i = 0; i < iterations && change > 1e-12; i++) {
        const [u] = substrate.linearResponse(free, [loss.evaluate(nudged).force]);
        const next = free.map((s, k) => s + beta * u[k]);
        const moved = Math.max(...next.map((s, k) => Math.abs(s - free[k])));
        change = moved > 0 ? Math.max(...next.map((s, k) => Math.abs(s - nudged[k]))) / moved : 0;
        nudged = next;
      }
      const after = substrate.activationReadings(nudged);
      return {
        readings: after.map((d, k) => (d - activation.readings[k]) / beta),
        diagnostics: { nudgeChange: change },
      };
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
  // on the network as built: the fixed point iteration converges (for the MSE loss) when β·R < 1
  check(settings, _activation, substrate) {
    if (!substrate) return [];
    const R = outputResistance(substrate);
    if (settings.beta * R < 1) return [];
    return [
      {
        section: 'error',
        key: 'beta',
        message: (at) => `β = ${settings.beta} is too strong for this network (its outputs' resistance R is ${R.toPrecision(3)}): the nudged state needs β·R < 1; use ${at('beta')} below ${(1 / R).toPrecision(3)}`,
      },
    ];
  },
  diagnostics: [
    {
      name: 'nudgeChange',
      label: "the nudged state's last change, relative to the nudge",
      threshold: 1e-6,
      warning: ({ worst, at }) =>
        worst.nudgeChange > 1e-6
          ? `the nudged state still moved by ${worst.nudgeChange.toPrecision(3)} of the nudge in its last iteration: more ${at('iterations')}, or a smaller ${at('beta')}`
          : undefined,
    },
  ],
  gradient: {
    options: [
      { key: 'beta', value: 'B', help: 'the nudge β (default: a tenth of 1/R, R the outputs\' resistance)', type: 'positive' },
      { key: 'iterations', value: 'N', help: 'the most fixed-point iterations (default 50)', type: 'positive-integer' },
    ],
    defaultsFor(substrate, given) {
      if (given.beta !== undefined) return { section: {} };
      const beta = Number((0.1 / outputResistance(substrate)).toPrecision(2));
      return { section: { beta }, note: `beta ${beta} chosen: a tenth of 1/R, R the outputs' resistance` };
    },
  },
};

export const nudgePlugin = definePlugin(({ bind }) => bindErrorMechanism(bind, nudgeErrorRecord), 'acme/nudge');
// snippet end
