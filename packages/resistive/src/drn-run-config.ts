import { finiteNumber, nonNegativeNumber, oneOf, positiveInteger, positiveNumber, strictObject } from '@multimech/core';
import * as t from 'io-ts';
import { DrnDiode, IDEAL_DIODE, shockleyDrnDiode } from './drn-diode';
import { DrnMechanism } from './drn-gradients';
import { DrnTrainingSettings } from './drn-training';

const rateCodec = t.union([positiveNumber, t.array(positiveNumber)]);

const mechanismCodec = t.union([
  oneOf('adjoint', 'frequency'),
  strictObject('equilibrium propagation', { kind: t.literal('ep'), beta: positiveNumber }, { variant: oneOf('centred', 'positive') }),
  strictObject('coupled learning', { kind: t.literal('cl'), eta: positiveNumber }),
  strictObject('frequency propagation', { kind: t.literal('frequency') }, { readout: oneOf('small-signal', 'lock-in'), amplitude: positiveNumber, samples: positiveInteger }),
]);

const diodeCodec = t.union([oneOf('ideal'), strictObject('a Shockley diode', { kind: t.literal('shockley'), IS: positiveNumber, N: positiveNumber }, { gmin: nonNegativeNumber })]);

/**
 * The `network` and `training` sections of a deep-resistive-network run
 * (`scripts/train-drn.js`; the `task` section is the `images` task's):
 * the hidden layers, the diode, the mechanisms to train by (each from the
 * same initial network), epochs, minibatch size, learning rates per layer,
 * their decay per epoch, the seed and the layered solver's tolerance.
 */
export const drnRunCodec = strictObject(
  'a deep resistive network run',
  {
    network: strictObject('a deep resistive network', { hidden: t.array(positiveInteger) }, { diode: diodeCodec, weightGains: t.array(positiveNumber), biasGain: nonNegativeNumber }),
    training: strictObject(
      'training settings',
      { mechanisms: t.array(mechanismCodec), epochs: positiveInteger },
      {
        batchSize: positiveInteger,
        learningRates: strictObject('learning rates', { weights: rateCodec, biases: rateCodec }),
        decay: positiveNumber,
        seed: finiteNumber,
        tolerance: nonNegativeNumber,
        maxSweeps: positiveInteger,
      },
    ),
  },
);
export type DrnRunConfig = t.TypeOf<typeof drnRunCodec>;

/** A mechanism as a run config names it (`adjoint`, `frequency`, `{ "kind": "ep", "beta": 1 }`), and its label in tables. */
export function drnMechanismOf(m: DrnRunConfig['training']['mechanisms'][number]): { mechanism: DrnMechanism; label: string } {
  if (m === 'adjoint') return { mechanism: { kind: 'adjoint' }, label: 'adjoint' };
  if (m === 'frequency') return { mechanism: { kind: 'frequency' }, label: 'frequency (small-signal)' };
  if (m.kind === 'cl') return { mechanism: { kind: 'cl', eta: m.eta }, label: `CL, η = ${m.eta}` };
  if (m.kind === 'frequency') {
    const readout = m.readout ?? 'small-signal';
    if (readout === 'small-signal') return { mechanism: { kind: 'frequency' }, label: 'frequency (small-signal)' };
    const amplitude = m.amplitude ?? 1e-3;
    const samples = m.samples ?? 8;
    return { mechanism: { kind: 'frequency', readout, amplitude, samples }, label: `frequency (lock-in, β = ${amplitude}, ${samples} samples)` };
  }
  const variant = m.variant ?? 'centred';
  return { mechanism: { kind: 'ep', beta: m.beta, variant }, label: `EP ${variant}, β = ${m.beta}` };
}

/** The training settings of a run config for one of its mechanisms. */
export function drnTrainingSettings(config: DrnRunConfig, mechanism: DrnMechanism): DrnTrainingSettings {
  const n = config.network;
  const tr = config.training;
  const diode: DrnDiode = n.diode === undefined || n.diode === 'ideal' ? IDEAL_DIODE : shockleyDrnDiode(n.diode.IS, n.diode.N, n.diode.gmin);
  return {
    hidden: n.hidden,
    diode,
    init: { weightGains: n.weightGains, biasGain: n.biasGain },
    mechanism,
    epochs: tr.epochs,
    batchSize: tr.batchSize,
    learningRates: tr.learningRates,
    decay: tr.decay,
    seed: tr.seed,
    solver: { tolerance: tr.tolerance, maxSweeps: tr.maxSweeps },
  };
}
