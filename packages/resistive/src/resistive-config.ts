import * as t from 'io-ts';
import {
  type ConfigOf,
  type EdgeListFileConfig,
  type EdgeListNetworkConfig,
  type WrittenSection,
  GeneratedNetworkConfig,
  PARAMETER_RANGE,
  bounded,
  configPathCodec,
  inRange,
  rangeText,
  edgeListFileCodec,
  edgeListNetworkCodec,
  jsonSchemaOf,
  withSchema,
  OutputSpec,
  SolverSettings,
  generatedNetworkCodec,
  outputSpecCodec,
  positiveNumber,
  range,
  refine,
  solverCodec,
  strictObject,
  withDefaults,
} from '@multimech/core';

/** A resistive network written out as an edge list of resistors (each with its initial `conductance`, read exactly as written) and its roles, inline or with its edges in a CSV or JSON file. */
export type ResistiveEdgeListConfig = EdgeListNetworkConfig<'conductance'>;

/** Where a resistive network comes from: a generator, a SPICE netlist file, an edge list, or `{ "file" }` (an edge list in a JSON file). */
export type NetworkConfig = GeneratedNetworkConfig | { readonly netlist: string; readonly outputs: readonly OutputSpec[] } | ResistiveEdgeListConfig | EdgeListFileConfig;

/** Whether a network is an edge list (inline or in a file). */
export function isEdgeList(network: NetworkConfig): network is ResistiveEdgeListConfig | EdgeListFileConfig {
  return 'edges' in network || 'file' in network;
}

export interface ConductanceConfig {
  /** Initial conductances of generated networks: uniform in [lo, hi] (default [0.5, 1.5]). */
  readonly init?: readonly [number, number];
  /** Default 1e-4 for generated networks; for netlists 1e-3 × the smallest conductance in the file. */
  readonly min?: number;
  /** Default 10 for generated networks; for netlists 1e3 × the largest conductance in the file. */
  readonly max?: number;
}

/** The `substrate` section of a config, less its `kind: "resistive"`. */
export interface ResistiveConfig {
  readonly network: NetworkConfig;
  readonly conductance?: ConductanceConfig;
  readonly solver?: { readonly method?: SolverSettings['method'] };
}

const netlistCodec = strictObject('a netlist network { netlist, outputs }', { netlist: configPathCodec('a SPICE netlist'), outputs: t.array(outputSpecCodec) });
const generatedCodec = generatedNetworkCodec(' (or give "netlist": a SPICE file, or "edges": an edge list)');
const edgeListCodec = edgeListNetworkCodec(['conductance'] as const);

/** `network`: a netlist when it names one, an edge list when it has `edges` (or `file`), else a generated network (core's codec). */
const networkCodec = withSchema(new t.Type<NetworkConfig, unknown, unknown>(
  'a network: { "generator": "layered" | "grid" | "random", ... }, { "netlist": path, "outputs": [...] }, an edge list { "edges", "sources", "targets", "ground" } or { "file": "network.json" }',
  (u): u is NetworkConfig => netlistCodec.is(u) || generatedCodec.is(u) || edgeListCodec.is(u) || edgeListFileCodec.is(u),
  (u, c) =>
    typeof u === 'object' && u !== null && 'netlist' in u
      ? (netlistCodec.validate(u, c) as t.Validation<NetworkConfig>)
      : typeof u === 'object' && u !== null && 'edges' in u
        ? (edgeListCodec.validate(u, c) as t.Validation<NetworkConfig>)
        : typeof u === 'object' && u !== null && 'file' in u
          ? (edgeListFileCodec.validate(u, c) as t.Validation<NetworkConfig>)
          : (generatedCodec.validate(u, c) as t.Validation<NetworkConfig>),
  (a) => a,
), () => ({ oneOf: [jsonSchemaOf(netlistCodec), jsonSchemaOf(generatedCodec), jsonSchemaOf(edgeListCodec), jsonSchemaOf(edgeListFileCodec)] }));

/** A conductance bound in S: core's range of physical parameters (a conductance enters the energy, squared by the drops). */
const conductanceBound = bounded(positiveNumber, PARAMETER_RANGE, "a conductance enters the network's energy");

const conductanceFields = strictObject('conductance settings { init, min, max }', {}, { init: range, min: conductanceBound, max: conductanceBound });

/** `conductance`: the fields, then min < max (defaults included) and an explicit initial range inside [min, max]. */
const conductanceCodec = refine(conductanceFields as t.Type<ConductanceConfig, unknown, unknown>, (v) => {
  const min = v.min ?? 1e-4;
  const max = v.max ?? 10;
  if (!(min < max)) {
    return v.max !== undefined
      ? [{ key: 'max', message: `expected a maximum above min (${min}), got ${max}` }]
      : [{ key: 'min', message: `expected a minimum below max (default ${max}), got ${min}` }];
  }
  if (!v.init) return [];
  const [lo, hi] = v.init;
  if (!(lo > 0)) return [{ key: 'init', message: `expected positive conductances, got [${lo}, ${hi}]` }];
  if (!inRange(lo, PARAMETER_RANGE) || !inRange(hi, PARAMETER_RANGE)) return [{ key: 'init', message: `expected conductances in ${rangeText(PARAMETER_RANGE)} S, got [${lo}, ${hi}]` }];
  if (lo < min || hi > max) return [{ key: 'init', message: `expected a range inside [min, max] = [${min}, ${max}], got [${lo}, ${hi}]` }];
  return [];
});

const resistiveFields = strictObject(
  'a resistive substrate { network, conductance?, solver? }',
  { network: networkCodec },
  {
    conductance: conductanceCodec,
    solver: solverCodec,
  },
);

/**
 * The resistive substrate's config codec. A netlist sets its own initial
 * conductances, so `init` is refused with one; a generated network draws
 * them from `init` (default [0.5, 1.5]), which must lie inside the bounds.
 */
export const resistiveConfigCodec = refine(resistiveFields as t.Type<ResistiveConfig, unknown, unknown>, (v) => {
  const c = v.conductance;
  if ('netlist' in v.network) {
    return c?.init ? [{ key: 'conductance.init', message: "a netlist's resistors set the initial conductances: remove init (min and max still apply)" }] : [];
  }
  if (c && !c.init && ((c.min ?? 1e-4) > 0.5 || (c.max ?? 10) < 1.5)) {
    return [{ key: 'conductance.init', message: `the default initial range [0.5, 1.5] lies outside [min, max] = [${c.min ?? 1e-4}, ${c.max ?? 10}]: give init` }];
  }
  return [];
});

/**
 * The resistive section decoded into its settings: a generated network's
 * initial range and bounds filled in ([0.5, 1.5], 1e-4, 10); a netlist's
 * bounds, where not given, come from the file (1e-3 × its smallest and
 * 1e3 × its largest conductance).
 */
export interface ResistiveSettings {
  readonly network: NetworkConfig;
  readonly conductance: ConductanceConfig;
  readonly solver: SolverSettings;
}

export const resistiveSettings = withDefaults(
  resistiveConfigCodec,
  (c): ResistiveSettings => ({
    network: c.network,
    conductance:
      'netlist' in c.network
        ? { ...c.conductance }
        : { init: c.conductance?.init ?? [0.5, 1.5], min: c.conductance?.min ?? 1e-4, max: c.conductance?.max ?? 10 },
    solver: { method: c.solver?.method ?? 'auto' },
  }),
);

/** The `substrate` section of a resistive substrate as written (`{ "kind": "resistive", "network", ... }`), from its codec. */
export type ResistiveSection = WrittenSection<'resistive', ConfigOf<typeof resistiveSettings>>;
