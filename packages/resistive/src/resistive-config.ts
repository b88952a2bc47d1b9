import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { nonEmptyString, oneOf, positiveInteger, positiveNumber, range, strictObject } from '@multimech/core';

/** Where a resistive network comes from: a generator, or a SPICE netlist file. */
export type NetworkConfig =
  | { readonly generator: 'layered'; readonly hidden: readonly number[] }
  | { readonly generator: 'grid'; readonly width: number; readonly height: number }
  | { readonly generator: 'random'; readonly nodes: number; readonly meanDegree: number }
  | { readonly netlist: string; readonly outputs: readonly (string | readonly [string, string])[] };

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
  readonly solver?: { readonly method?: 'auto' | 'cholesky' | 'cg' };
}

const GENERATORS = ['layered', 'grid', 'random'] as const;

const isName = (u: unknown): u is string => typeof u === 'string' && u.length > 0;

/** An output: a node name, or a pair [a, b] of node names (V(a) − V(b)). */
const outputSpecCodec = new t.Type<string | readonly [string, string], unknown, unknown>(
  'a node name or a pair [a, b] of node names',
  (u): u is string | [string, string] => isName(u) || (Array.isArray(u) && u.length === 2 && u.every(isName)),
  (u, c) => (isName(u) || (Array.isArray(u) && u.length === 2 && u.every(isName)) ? t.success(u as string | [string, string]) : t.failure(u, c)),
  (a) => a,
);

const networkCodecs = {
  layered: strictObject('a layered network { generator, hidden }', { generator: oneOf('layered'), hidden: t.array(positiveInteger) }),
  grid: strictObject('a grid network { generator, width, height }', {
    generator: oneOf('grid'),
    width: positiveInteger,
    height: positiveInteger,
  }),
  random: strictObject('a random network { generator, nodes, meanDegree }', {
    generator: oneOf('random'),
    nodes: positiveInteger,
    meanDegree: positiveNumber,
  }),
  netlist: strictObject('a netlist network { netlist, outputs }', {
    netlist: nonEmptyString,
    outputs: t.array(outputSpecCodec),
  }),
};

/**
 * `network`: looks at `netlist` / `generator` itself and decodes against the
 * one codec that applies, so a mistake gives one problem, not one per branch
 * of a union.
 */
const networkCodec = new t.Type<NetworkConfig, unknown, unknown>(
  'a network: { "generator": "layered" | "grid" | "random", ... } or { "netlist": path, "outputs": [...] }',
  (u): u is NetworkConfig => Object.values(networkCodecs).some((c) => c.is(u)),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
    const o = u as Record<string, unknown>;
    if ('netlist' in o) return networkCodecs.netlist.validate(u, c) as t.Validation<NetworkConfig>;
    const g = o.generator;
    if (typeof g === 'string' && (GENERATORS as readonly string[]).includes(g)) {
      return networkCodecs[g as (typeof GENERATORS)[number]].validate(u, c) as t.Validation<NetworkConfig>;
    }
    return t.failures([
      {
        value: g,
        context: [...c, { key: 'generator', type: oneOf(...GENERATORS), actual: g }],
        message: `expected one of 'layered', 'grid', 'random' (or give "netlist": a SPICE file), got ${JSON.stringify(g) ?? 'nothing'}`,
      },
    ]);
  },
  (a) => a,
);

const conductanceFields = strictObject('conductance settings { init, min, max }', {}, { init: range, min: positiveNumber, max: positiveNumber });

/** `conductance`: the fields, then min < max, init inside (0, ∞) and inside [min, max]. */
const conductanceCodec = new t.Type<ConductanceConfig, unknown, unknown>(
  conductanceFields.name,
  (u): u is ConductanceConfig => conductanceFields.is(u),
  (u, c) => {
    const r = conductanceFields.validate(u, c);
    if (isLeft(r)) return r;
    const v = r.right as ConductanceConfig;
    const at = (key: string, value: unknown, message: string): t.ValidationError => ({
      value,
      context: [...c, { key, type: t.unknown, actual: value }],
      message,
    });
    const errors: t.ValidationError[] = [];
    const min = v.min ?? 1e-4;
    const max = v.max ?? 10;
    if (v.min !== undefined && v.max !== undefined && !(min < max)) errors.push(at('max', v.max, `expected a maximum above min (${min}), got ${max}`));
    if (v.init) {
      if (!(v.init[0] > 0)) errors.push(at('init', v.init, `expected positive conductances, got [${v.init.join(', ')}]`));
      else if (v.init[0] < min || v.init[1] > max) {
        errors.push(at('init', v.init, `expected a range inside [min, max] = [${min}, ${max}], got [${v.init.join(', ')}]`));
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(v);
  },
  (a) => a,
);

const resistiveFields = strictObject(
  'a resistive substrate { network, conductance?, solver? }',
  { network: networkCodec },
  {
    conductance: conductanceCodec,
    solver: strictObject('solver settings { method }', {}, { method: oneOf('auto', 'cholesky', 'cg') }),
  },
);

/** The resistive substrate's config codec (a netlist sets its own initial conductances, so `init` is refused with one). */
export const resistiveConfigCodec = new t.Type<ResistiveConfig, unknown, unknown>(
  resistiveFields.name,
  (u): u is ResistiveConfig => resistiveFields.is(u),
  (u, c) => {
    const r = resistiveFields.validate(u, c);
    if (isLeft(r)) return r;
    const v = r.right as ResistiveConfig;
    if ('netlist' in v.network && v.conductance?.init) {
      return t.failure(v.conductance.init, [...c, { key: 'conductance', type: t.unknown, actual: v.conductance }, { key: 'init', type: t.unknown, actual: v.conductance.init }],
        "a netlist's resistors set the initial conductances: remove init (min and max still apply)");
    }
    return t.success(v);
  },
  (a) => a,
);
