import * as t from 'io-ts';
import {
  COUNT_RANGE,
  type ConfigOf,
  GAIN_RANGE,
  MAX_SIGNAL,
  type WrittenSection,
  bounded,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  refine,
  strictObject,
  withDefaults,
} from '@multimech/core';
import { type DrnDiode, IDEAL_DIODE, shockleyDrnDiode } from './drn-diode';
import { DEFAULT_GMIN } from './shockley-diode';

/** Units of one hidden layer. */
const layerSize = bounded(positiveInteger, COUNT_RANGE, 'the units of a hidden layer');

/** A Shockley diode's saturation current (A) and emission coefficient, and gmin (S) in parallel. */
const shockleyCodec = strictObject(
  'a Shockley diode { "kind": "shockley", "IS", "N", "gmin"? }',
  {
    kind: t.literal('shockley'),
    IS: bounded(positiveNumber, { min: 1e-30, max: 1 }, "a diode's saturation current, in A"),
    N: bounded(positiveNumber, { min: 0.1, max: 100 }, "a diode's emission coefficient"),
  },
  { gmin: bounded(nonNegativeNumber, { min: 0, max: 1 }, 'a conductance in parallel with each diode, in S') },
);

const diodeCodec = t.union([t.literal('ideal'), shockleyCodec], '"ideal" or a Shockley diode { "kind": "shockley", "IS", "N", "gmin"? }');

const solverFields = strictObject(
  'the layered solver { "tolerance"?, "maxSweeps"? }',
  {},
  {
    tolerance: bounded(nonNegativeNumber, { min: 0, max: 1e-3 }, 'converged when no node moves by more than tolerance × the largest potential in a sweep; 0: exactly maxSweeps sweeps'),
    maxSweeps: bounded(positiveInteger, COUNT_RANGE, 'sweeps of the layered solver at most'),
  },
);

const drnFields = strictObject(
  'a deep resistive network { "hidden", "diode"?, "weightGains"?, "biasGain"?, "solver"?, "minibatch"? }',
  { hidden: t.array(layerSize) },
  {
    diode: diodeCodec,
    weightGains: t.array(bounded(positiveNumber, GAIN_RANGE, 'conductances start uniform in ±gain/√n_pre, clipped at 0')),
    biasGain: bounded(nonNegativeNumber, { min: 0, max: MAX_SIGNAL }, 'bias currents start uniform in ±biasGain (0: all zero)'),
    solver: solverFields,
    minibatch: t.boolean,
  },
);

/** The `substrate` section of a deep resistive network, less its `kind: "drn"`. */
export type DrnSubstrateConfig = t.TypeOf<typeof drnFields>;

/** weightGains, when given, has one gain per layer of conductances (hidden layers + 1). */
const drnConfigCodec = refine(drnFields as t.Type<DrnSubstrateConfig, unknown, unknown>, (v) =>
  v.weightGains && v.weightGains.length !== v.hidden.length + 1
    ? [{ key: 'weightGains', message: `expected one gain per layer of conductances (${v.hidden.length + 1} for ${v.hidden.length} hidden layer${v.hidden.length === 1 ? '' : 's'}), got ${v.weightGains.length}` }]
    : [],
);

/** The section decoded, every default filled in. */
export interface DrnSubstrateSettings {
  readonly hidden: readonly number[];
  readonly diode: DrnDiode;
  readonly weightGains?: readonly number[];
  readonly biasGain: number;
  readonly solver: { readonly tolerance: number; readonly maxSweeps: number };
  /** Whether the trainer's minibatches are solved together (core's `MinibatchSubstrate`) for the mechanisms the network knows. */
  readonly minibatch: boolean;
}

/** The `drn` substrate's codec: the ideal diode, weight gains 1, biases 0 and the solver's 1e-13 / 100,000 sweeps by default (the reference code's start). */
export const drnSubstrateSettings = withDefaults(
  drnConfigCodec,
  (c): DrnSubstrateSettings => ({
    hidden: c.hidden,
    diode: c.diode === undefined || c.diode === 'ideal' ? IDEAL_DIODE : shockleyDrnDiode(c.diode.IS, c.diode.N, c.diode.gmin ?? DEFAULT_GMIN),
    ...(c.weightGains ? { weightGains: c.weightGains } : {}),
    biasGain: c.biasGain ?? 0,
    solver: { tolerance: c.solver?.tolerance ?? 1e-13, maxSweeps: c.solver?.maxSweeps ?? 100000 },
    minibatch: c.minibatch ?? true,
  }),
);

/** The `substrate` section of a deep resistive network as written. */
export type DrnSection = WrittenSection<'drn', ConfigOf<typeof drnSubstrateSettings>>;
