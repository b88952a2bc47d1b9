import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { GeneratedNetworkConfig, generatedNetworkCodec, oneOf, outputSpecCodec, positiveNumber, range, strictObject } from '@multimech/core';
import type { FlowOutputSpec } from './flow-from-topology';
import type { FlowParameter } from './flow-substrate';

/** A generated network (input and output counts come from the task). */
export type FlowNetworkConfig = GeneratedNetworkConfig;

/** The `substrate` section of a config, less its `kind: "flow"`. */
export interface FlowConfig {
  readonly network: FlowNetworkConfig;
  /** The trainable parameter (default `conductance`). */
  readonly parameter?: FlowParameter;
  /** Viscosity μ of every tube (default 1). */
  readonly viscosity?: number;
  /** Length L of every tube (default 1). */
  readonly length?: number;
  /** Initial parameters: uniform in [lo, hi] (defaults in `flowParameterDefaults`). */
  readonly init?: readonly [number, number];
  readonly min?: number;
  readonly max?: number;
  /** Outputs by node name or pair `[a, b]`, replacing the generator's output nodes. */
  readonly outputs?: readonly FlowOutputSpec[];
  readonly solver?: { readonly method?: 'auto' | 'cholesky' | 'cg' };
}

/** Default initial range and bounds of each parameter mode. */
export const flowParameterDefaults: Readonly<Record<FlowParameter, { readonly init: readonly [number, number]; readonly min: number; readonly max: number }>> = {
  conductance: { init: [0.5, 1.5], min: 1e-4, max: 10 },
  radius: { init: [0.5, 1.5], min: 0.1, max: 3 },
};

const flowFields = strictObject(
  'a flow substrate { network, parameter?, viscosity?, length?, init?, min?, max?, outputs?, solver? }',
  { network: generatedNetworkCodec() },
  {
    parameter: oneOf('conductance', 'radius'),
    viscosity: positiveNumber,
    length: positiveNumber,
    init: range,
    min: positiveNumber,
    max: positiveNumber,
    outputs: t.array(outputSpecCodec),
    solver: strictObject('solver settings { method }', {}, { method: oneOf('auto', 'cholesky', 'cg') }),
  },
);

/** The flow substrate's config codec: the fields, then min < max and init inside (0, ∞) and [min, max]. */
export const flowConfigCodec = new t.Type<FlowConfig, unknown, unknown>(
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
      else if (v.init[0] < min || v.init[1] > max) {
        errors.push(at('init', v.init, `expected a range of ${plural} inside [min, max] = [${min}, ${max}], got [${v.init.join(', ')}]`));
      }
    } else if (errors.length === 0 && (defaults.init[0] < min || defaults.init[1] > max)) {
      errors.push(at('init', undefined, `the default initial range [${defaults.init.join(', ')}] lies outside [min, max] = [${min}, ${max}]: give init`));
    }
    return errors.length > 0 ? t.failures(errors) : t.success(v);
  },
  (a) => a,
);
