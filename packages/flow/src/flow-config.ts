import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import {
  type ConfigOf,
  type EdgeListFileConfig,
  type EdgeListNetworkConfig,
  type WrittenSection,
  GeneratedNetworkConfig,
  PARAMETER_RANGE,
  bounded,
  boundText,
  inRange,
  rangeText,
  edgeListFileCodec,
  edgeListNetworkCodec,
  jsonSchemaOf,
  withSchema,
  SolverSettings,
  generatedNetworkCodec,
  oneOf,
  outputSpecCodec,
  positiveNumber,
  range,
  settingsProblem,
  solverCodec,
  strictObject,
  withDefaults,
} from '@multimech/core';
import type { FlowOutputSpec } from './flow-from-topology';
import type { FlowParameter } from './flow-substrate';

/** One value for every tube, or an array with one value per tube (in the network's tube order, that of parameters.csv). */
export type PerTube = number | readonly number[];

/**
 * A positive number, or a non-empty array of positive numbers (one per
 * tube; its length is checked against the network when it is built, since
 * a random generator's tube count depends on the seed).
 */
/**
 * The range of a tube's hydraulic conductance π r⁴ / (8 μ L) in m³/(Pa·s),
 * wider than core's range of parameters: a micrometre channel of water
 * conducts about 1e-20. The energy G·Δp² stays finite for any pressure a
 * source may set.
 */
export const HYDRAULIC_CONDUCTANCE_RANGE = { min: 1e-24, max: 1e24 } as const;

/** A tube's viscosity or length: core's range of physical parameters. */
const tubeValue = bounded(positiveNumber, PARAMETER_RANGE, "it sets the tube's conductance");

export const perTubeCodec = withSchema(new t.Type<PerTube, unknown, unknown>(
  'a positive number (or an array of them, one per tube)',
  (u): u is PerTube => tubeValue.is(u) || (Array.isArray(u) && u.length > 0 && u.every((x) => tubeValue.is(x))),
  (u, c) => {
    if (!Array.isArray(u)) return positiveNumber.is(u) ? tubeValue.validate(u, c) : t.failure(u, c);
    if (u.length === 0) return t.failure(u, c, 'expected a positive number or one per tube, got an empty array');
    return t.array(tubeValue).validate(u, c);
  },
  (a) => a,
), () => ({ oneOf: [jsonSchemaOf(positiveNumber), { type: 'array', items: jsonSchemaOf(positiveNumber), minItems: 1 }] }));

/**
 * `value` as one number per tube of a network with `tubes` tubes, or a
 * SettingsError at the substrate's `key` (`viscosity`) naming the count expected.
 */
export function perTubeValues(value: PerTube | undefined, tubes: number, key: string): number | readonly number[] | undefined {
  if (value === undefined || typeof value === 'number') return value;
  if (value.length !== tubes) {
    settingsProblem('substrate', key, `expected ${tubes} values, one per tube of the network (in the order of its tubes, as parameters.csv lists them), got ${value.length}`);
  }
  return value;
}

/** The value keys a tube of an edge list may carry: its initial conductance or radius (the one `parameter` trains). */
export type FlowEdgeValue = 'conductance' | 'radius';

/** A network written out as an edge list of tubes with their roles (`sources`, `targets`, `ground`), inline or with its edges in a CSV or JSON file. */
export type FlowEdgeListConfig = EdgeListNetworkConfig<FlowEdgeValue>;

/** A generated network (input and output counts come from the task), an edge list, or `{ "file" }`: an edge list in a JSON file. */
export type FlowNetworkConfig = GeneratedNetworkConfig | FlowEdgeListConfig | EdgeListFileConfig;

/** Whether a network is written out (an edge list, inline or in a file) rather than generated. */
export function isEdgeList(network: FlowNetworkConfig): network is FlowEdgeListConfig | EdgeListFileConfig {
  return 'edges' in network || 'file' in network;
}

const generatedCodec = generatedNetworkCodec(', or an edge list { "edges", "sources", "targets", "ground" }, or { "file": "network.json" }');
const edgeListCodec = edgeListNetworkCodec<FlowEdgeValue>(['conductance', 'radius']);

/** `network`: an edge list when it has `edges`, a file when it has `file`, else a generated network (core's codec). */
const flowNetworkCodec = withSchema(
  new t.Type<FlowNetworkConfig, unknown, unknown>(
    generatedCodec.name,
    (u): u is FlowNetworkConfig => generatedCodec.is(u) || edgeListCodec.is(u) || edgeListFileCodec.is(u),
    (u, c) => {
      if (typeof u === 'object' && u !== null && 'edges' in u) return edgeListCodec.validate(u, c) as t.Validation<FlowNetworkConfig>;
      if (typeof u === 'object' && u !== null && 'file' in u) return edgeListFileCodec.validate(u, c) as t.Validation<FlowNetworkConfig>;
      return generatedCodec.validate(u, c) as t.Validation<FlowNetworkConfig>;
    },
    (a) => a,
  ),
  () => ({ oneOf: [...(jsonSchemaOf(generatedCodec).oneOf ?? []), jsonSchemaOf(edgeListCodec), jsonSchemaOf(edgeListFileCodec)] }),
);

/** The `substrate` section of a config, less its `kind: "flow"`. */
export interface FlowConfig {
  readonly network: FlowNetworkConfig;
  /** The trainable parameter (default `conductance`). */
  readonly parameter?: FlowParameter;
  /** Viscosity μ of every tube, or one per tube in the network's tube order (default 1). */
  readonly viscosity?: PerTube;
  /** Length L of every tube, or one per tube in the network's tube order (default 1). */
  readonly length?: PerTube;
  /** Initial parameters: uniform in [lo, hi] (defaults in `flowParameterDefaults`). */
  readonly init?: readonly [number, number];
  readonly min?: number;
  readonly max?: number;
  /** Outputs by node name or pair `[a, b]`, replacing the generator's output nodes (an edge list names its `targets` instead). */
  readonly outputs?: readonly FlowOutputSpec[];
  readonly solver?: { readonly method?: SolverSettings['method'] };
}

/** Default initial range and bounds of each parameter mode. */
export const flowParameterDefaults: Readonly<Record<FlowParameter, { readonly init: readonly [number, number]; readonly min: number; readonly max: number }>> = {
  conductance: { init: [0.5, 1.5], min: 1e-4, max: 10 },
  radius: { init: [0.5, 1.5], min: 0.1, max: 3 },
};

const flowFields = strictObject(
  'a flow substrate { network, parameter?, viscosity?, length?, init?, min?, max?, outputs?, solver? }',
  { network: flowNetworkCodec },
  {
    parameter: oneOf('conductance', 'radius'),
    viscosity: perTubeCodec,
    length: perTubeCodec,
    init: range,
    min: bounded(positiveNumber, PARAMETER_RANGE),
    max: bounded(positiveNumber, PARAMETER_RANGE),
    outputs: t.array(outputSpecCodec),
    solver: solverCodec,
  },
);

/** The flow substrate's config codec: the fields, then min < max and init inside (0, ∞) and [min, max]. */
export const flowConfigCodec = withSchema(new t.Type<FlowConfig, unknown, unknown>(
  flowFields.name,
  (u): u is FlowConfig => flowFields.is(u),
  (u, c) => {
    const r = flowFields.validate(u, c);
    if (isLeft(r)) return r;
    const v = r.right as FlowConfig;
    const parameter = v.parameter ?? 'conductance';
    const defaults = flowParameterDefaults[parameter];
    const plural = parameter === 'radius' ? 'radii' : 'conductances';
    const at = (key: string, value: unknown, message: string): t.ValidationError => ({
      value,
      context: [...c, { key, type: t.unknown, actual: value }],
      message,
    });
    const errors: t.ValidationError[] = [];
    if (v.outputs && isEdgeList(v.network)) errors.push(at('outputs', v.outputs, "the edge list's targets are the outputs: remove outputs"));
    const min = v.min ?? defaults.min;
    const max = v.max ?? defaults.max;
    if (!(min < max)) {
      errors.push(
        v.max !== undefined
          ? at('max', v.max, `expected a maximum ${parameter} above min (${min}), got ${max}`)
          : at('min', v.min, `expected a minimum ${parameter} below max (default ${max}), got ${min}`),
      );
    }
    if (v.init) {
      if (!(v.init[0] > 0)) errors.push(at('init', v.init, `expected positive ${plural}, got [${v.init.join(', ')}]`));
      else if (!v.init.every((x) => inRange(x, PARAMETER_RANGE))) errors.push(at('init', v.init, `expected ${plural} in ${rangeText(PARAMETER_RANGE)}, got [${v.init.join(', ')}]`));
      else if (v.init[0] < min || v.init[1] > max) {
        errors.push(at('init', v.init, `expected a range of ${plural} inside [min, max] = [${min}, ${max}], got [${v.init.join(', ')}]`));
      }
    } else if (errors.length === 0 && (defaults.init[0] < min || defaults.init[1] > max)) {
      errors.push(at('init', undefined, `the default initial range [${defaults.init.join(', ')}] lies outside [min, max] = [${min}, ${max}]: give init`));
    }
    if (errors.length === 0 && parameter === 'radius') {
      // a tube's conductance π r⁴ / (8 μ L) over the radii's bounds and the tubes' viscosities and lengths: a product that must stay a physical parameter
      const extremes = (x: PerTube | undefined, fallback: number) => (x === undefined ? [fallback, fallback] : typeof x === 'number' ? [x, x] : [Math.min(...x), Math.max(...x)]);
      const [muLo, muHi] = extremes(v.viscosity, 1);
      const [lLo, lHi] = extremes(v.length, 1);
      const gMax = (Math.PI * max ** 4) / (8 * muLo * lLo);
      const gMin = (Math.PI * min ** 4) / (8 * muHi * lHi);
      if (!inRange(gMax, HYDRAULIC_CONDUCTANCE_RANGE) || !inRange(gMin, HYDRAULIC_CONDUCTANCE_RANGE)) {
        const which = !inRange(gMax, HYDRAULIC_CONDUCTANCE_RANGE) ? { key: 'max', value: v.max, g: gMax, r: max } : { key: 'min', value: v.min, g: gMin, r: min };
        errors.push(
          at(
            which.key,
            which.value,
            `a tube of radius ${boundText(which.r)} has the hydraulic conductance π r⁴ / (8 μ L) = ${boundText(which.g)} with the viscosities and lengths given, outside ${rangeText(HYDRAULIC_CONDUCTANCE_RANGE)}: choose radii, viscosities and lengths whose conductances lie in it`,
          ),
        );
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(v);
  },
  (a) => a,
  // the checks across fields are the codec's: the schema is that of the fields
), () => jsonSchemaOf(flowFields));

/** The flow section decoded into its settings: the parameter, its initial range and bounds (`flowParameterDefaults`) and the solver filled in. */
export interface FlowSettings extends FlowConfig {
  readonly parameter: FlowParameter;
  readonly init: readonly [number, number];
  readonly min: number;
  readonly max: number;
  readonly solver: SolverSettings;
}

export const flowSettings = withDefaults(flowConfigCodec, (c): FlowSettings => {
  const parameter = c.parameter ?? 'conductance';
  const defaults = flowParameterDefaults[parameter];
  return {
    ...c,
    parameter,
    init: c.init ?? defaults.init,
    min: c.min ?? defaults.min,
    max: c.max ?? defaults.max,
    solver: { method: c.solver?.method ?? 'auto' },
  };
});

/** The `substrate` section of a flow substrate as written (`{ "kind": "flow", "network", ... }`), from its codec. */
export type FlowSection = WrittenSection<'flow', ConfigOf<typeof flowSettings>>;
