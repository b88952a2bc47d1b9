import * as t from 'io-ts';
import type { WithQuantities } from './frequency-error-config';
import { type ConfigOf, type WrittenSection, bounded, decodeOrThrow, dynamicsOf, positiveQuantity, strictObject, withDefaults, type ActivationMechanism, type ActivationRecord } from '@multimech/core';
import { MAX_FREQUENCY } from './frequency-error-config';

/** The config of the AC activation, as written under `activation`. */
export const acActivationConfig = strictObject(
    'an AC activation ({ "kind": "ac", "frequency"?: Hz })',
    {},
    {
      /** ω₁/2π in Hz (default 1000); a number, or a quantity such as "1 kHz". */
      frequency: bounded(positiveQuantity('frequency'), { min: 0, minOpen: true, max: MAX_FREQUENCY }),
    },
  );
export type AcActivationConfig = t.TypeOf<typeof acActivationConfig>;

/** The AC activation's settings: ω₁/2π in Hz. */
export interface AcActivationSettings {
  readonly frequency: number;
}

/** The AC activation section decoded into its settings (default 1000 Hz). */
export const acActivationSettings = withDefaults(acActivationConfig, (c): AcActivationSettings => ({ frequency: c.frequency ?? 1000 }));

/** The `activation` section of the AC activation as written (`{ "kind": "ac", "frequency"? }`), from its codec; `frequency` in Hz or with its unit (`"1 kHz"`). */
export type AcActivationSection = WrittenSection<'ac', WithQuantities<ConfigOf<typeof acActivationSettings>, 'frequency'>>;

/** The inputs driven as `x cos(ω₁t)`; its carrier names ω₁. */
export interface AcActivation extends ActivationMechanism {
  readonly kind: 'ac';
  readonly carrier: { readonly type: 'ac'; readonly frequency: number };
}

/**
 * The activation at ω₁ (PHYSICS.md §3.1): the inputs carry `x cos(ω₁t)` and
 * each edge reads the in-phase amplitude of its drop. On a memoryless
 * linear substrate (a resistive network) that amplitude state is the
 * equilibrium under the drive amplitude x, which is what `activate` returns.
 * On a substrate with 'dynamics' (capacitances) the state's amplitude at
 * ω₁ is complex, s = (H + iω₁C)⁻¹b on the free nodes (b: the injections
 * and the pull of the held nodes); the in-phase part Re s (held nodes at
 * their values) is the state a lock-in reads, and is what `activate`
 * returns.
 */
export function acActivation(settings: AcActivationSettings): AcActivation {
  const carrier = { type: 'ac' as const, frequency: settings.frequency };
  return {
    kind: 'ac',
    carrier,
    activate(substrate, drive) {
      const dynamic = substrate.capabilities.has('linear') ? dynamicsOf(substrate) : undefined;
      let state: Float64Array;
      if (dynamic) {
        // b on the free dofs = −residual at the state that is zero there and holds the Dirichlet values.
        const held = new Float64Array(substrate.graph.nodeNames.length * substrate.dofPerNode);
        substrate.boundary.dirichlet.forEach((dof, i) => (held[dof] = drive.fixed[i]));
        const force = substrate.residual(held, drive).map((r) => -r);
        state = dynamic.phasorResponse(held, [force], 2 * Math.PI * carrier.frequency).real[0];
        substrate.boundary.dirichlet.forEach((dof, i) => (state[dof] = drive.fixed[i]));
      } else {
        state = substrate.equilibrium(drive);
      }
      return { drive, carrier, state, readings: substrate.activationReadings(state) };
    },
  };
}

/** An AC activation config decoded (bad values refused at their paths under `activation`) into the mechanism. */
export function createAcActivation(config: AcActivationConfig = {}): AcActivation {
  return acActivation(decodeOrThrow(acActivationSettings, config, 'activation'));
}

export const acActivationRecord: ActivationRecord<AcActivationSettings> = {
  kind: 'ac',
  description:
    'inputs driven at ω₁ (default 1000 Hz); each edge reads the in-phase amplitude of its drop (linear networks), or, on a nonlinear one, ' +
    "its instantaneous drop over the period (frequency propagation's time-series readout)",
  configCodec: acActivationSettings,
  // a nonlinear network is refused by each error mechanism that reads one amplitude state (core's acOnNonlinearProblems)
  requires: [],
  create: acActivation,
};
