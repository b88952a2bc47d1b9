import {
  ConfigError,
  ErrorMechanism,
  LearningRule,
  MultimechError,
  Rng,
  adjointError,
  dcActivation,
  equilibriumLoss,
  exampleGradient,
  finiteDifferenceGradient,
  mseLoss,
  productRule,
} from '@multimech/core';
import { contrastiveRule, createCoupledLearning, createEquilibriumPropagation } from '@multimech/contrastive';
import { createFrequencyError, type FrequencyMode } from '@multimech/frequency';
import { parseSpice, resistiveFromNetlist } from '@multimech/resistive';

export const GRADIENT_METHODS = ['adjoint', 'frequency', 'finite-difference', 'ep', 'cl'] as const;
export type GradientMethod = (typeof GRADIENT_METHODS)[number];

/** `--target NODE=VALUE`: the loss pulls V(NODE) towards VALUE. */
export interface GradientTarget {
  readonly node: string;
  readonly value: number;
}

/** Parses `NODE=VALUE`; throws a MultimechError saying what was expected. */
export function parseTarget(text: string): GradientTarget {
  const eq = text.indexOf('=');
  const node = eq > 0 ? text.slice(0, eq).trim() : '';
  const valueText = eq > 0 ? text.slice(eq + 1).trim() : '';
  const value = valueText === '' ? NaN : Number(valueText);
  if (node === '' || !Number.isFinite(value)) {
    throw new MultimechError(`expected NODE=VALUE with a finite number (e.g. out=0.5), got '${text}'`);
  }
  return { node, value };
}

export interface FrequencyOptions {
  /** 'phasor' (default; linear netlists), 'small-signal' (the β → 0 limit, any netlist) or 'transient'. */
  readonly mode?: FrequencyMode;
  /** β: the error current at each target is β·(value − V) amperes per volt. */
  readonly amplitude?: number;
  readonly frequency?: number;
  readonly periods?: number;
  readonly samplesPerPeriod?: number;
}

/** Equilibrium propagation's nudge and variant; coupled learning's clamp. */
export interface ContrastiveOptions {
  readonly beta?: number;
  readonly variant?: 'positive' | 'negative' | 'centred';
  readonly eta?: number;
}

export interface GradientOptions extends FrequencyOptions, ContrastiveOptions {
  readonly method: GradientMethod;
  /** Seed of any random choice a mechanism makes (default 1). */
  readonly seed?: number;
}

/** The loss at the netlist's operating point and dC/dG per resistor. */
export interface GradientReport {
  readonly method: GradientMethod;
  readonly loss: number;
  /** Resistor names as written, in netlist order. */
  readonly names: readonly string[];
  readonly gradient: Float64Array;
}

/** The command's flag for each mechanism setting, and the method it belongs to. */
export const METHOD_FLAGS: Record<string, { readonly flag: string; readonly method: GradientMethod }> = {
  frequency: { flag: '--frequency', method: 'frequency' },
  amplitude: { flag: '--amplitude', method: 'frequency' },
  periods: { flag: '--periods', method: 'frequency' },
  mode: { flag: '--mode', method: 'frequency' },
  samplesPerPeriod: { flag: '--samples-per-period', method: 'frequency' },
  beta: { flag: '--beta', method: 'ep' },
  variant: { flag: '--variant', method: 'ep' },
  eta: { flag: '--eta', method: 'cl' },
};

/** A mechanism's config problem, restated in terms of the command's flags. */
function optionError(method: GradientMethod, e: ConfigError): MultimechError {
  const flag = (key: string) => METHOD_FLAGS[key]?.flag;
  const lines = e.problems.map((p) => {
    const key = p.path.replace(/^method\./, '');
    return `${flag(key) ?? p.path}: ${p.message.replace(/method\.(\w+)/g, (m, k: string) => flag(k) ?? m)}`;
  });
  return new MultimechError(`--method ${method}: ${lines.join('; ')}`);
}

function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

/** The settings of `options` that were given, as a mechanism config. */
function given(options: GradientOptions, keys: readonly string[]): Record<string, unknown> {
  const o = options as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** The error mechanism and rule of a physical method, built from the command's flags. */
function mechanismOf(options: GradientOptions, conductances: Float64Array): { error: ErrorMechanism; rule: LearningRule } {
  const keys = Object.keys(METHOD_FLAGS).filter((k) => METHOD_FLAGS[k].method === options.method);
  const config = given(options, keys);
  // β is a conductance (it weighs C, in V², against E, in W): without --beta, take it small against the netlist's own
  if (options.method === 'ep' && config.beta === undefined) config.beta = 1e-3 * median(conductances);
  try {
    if (options.method === 'frequency') return { error: createFrequencyError(config, 'method'), rule: productRule };
    if (options.method === 'ep') return { error: createEquilibriumPropagation(config, 'method'), rule: contrastiveRule };
    if (options.method === 'cl') return { error: createCoupledLearning(config, 'method'), rule: contrastiveRule };
    return { error: adjointError, rule: productRule };
  } catch (e) {
    throw e instanceof ConfigError ? optionError(options.method, e) : e;
  }
}

/**
 * C = ½ Σ (V_node − value)² at the DC operating point of the netlist's own
 * sources (found by damped Newton when the netlist has diodes), and dC/dG
 * for every resistor (G = 1/R) by the chosen method:
 * the exact adjoint, frequency propagation (DC activation, error at ω₂ read
 * by lock-in), central finite differences of the equilibrium loss,
 * equilibrium propagation (the contrast of ∂E/∂G between nudged states) or
 * coupled learning (its estimate of dC/dG, from clamped outputs). Diodes
 * are fixed; on a netlist with diodes the adjoint and finite differences
 * work, and so does frequency propagation in `small-signal` mode (the β → 0
 * limit: the adjoint) or `transient` mode (Newton solves sampled over a
 * period of the error signal, exact to O(β²)); its ideal `phasor` mode, EP
 * and coupled learning (linear networks only, so far) are refused with a
 * message saying so.
 */
export function netlistGradient(text: string, file: string, targets: readonly GradientTarget[], options: GradientOptions): GradientReport {
  if (targets.length === 0) throw new MultimechError('at least one --target NODE=VALUE is needed (the loss is ½ Σ (V_node − value)²)');
  const netlist = parseSpice(text, file);
  const substrate = resistiveFromNetlist(netlist, { file, outputs: targets.map((t) => t.node) });
  const drive = substrate.drive(substrate.defaultInputs ?? new Float64Array(substrate.boundary.inputs.length));
  const y = Float64Array.from(targets, (t) => t.value);
  const names = substrate.parameterNames;
  if (options.method === 'finite-difference') {
    const loss = equilibriumLoss(substrate, drive, mseLoss, y);
    return { method: options.method, loss, names, gradient: finiteDifferenceGradient(substrate, drive, mseLoss, y) };
  }
  if (options.method === 'frequency' && !substrate.capabilities.has('linear') && (options.mode ?? 'phasor') === 'phasor') {
    const diodes = substrate.diodes.map((d) => d.name).join(', ');
    throw new MultimechError(
      `--method frequency: ${file} has diodes (${diodes}), so the network is nonlinear; --mode phasor (the default) is the ideal lock-in of a linear network. ` +
        'Use --mode small-signal (the β → 0 limit: the exact adjoint) or --mode transient --amplitude B (exact to O(B²)).',
    );
  }
  const { error, rule } = mechanismOf(options, substrate.parameters);
  const pipeline = { substrate, activation: dcActivation, error, rule, loss: mseLoss, rng: new Rng(options.seed ?? 1) };
  try {
    const r = exampleGradient(pipeline, drive, y);
    return { method: options.method, loss: r.loss, names, gradient: r.gradient };
  } catch (e) {
    throw e instanceof ConfigError ? optionError(options.method, e) : e;
  }
}

/** `{"loss": C, "gradient": {"R1": dC/dG, ...}}` on one line, keys in netlist order. */
export function gradientJson(report: GradientReport): string {
  const gradient: Record<string, number> = {};
  report.names.forEach((name, k) => {
    gradient[name] = report.gradient[k];
  });
  return JSON.stringify({ loss: report.loss, gradient });
}

/** A readable table: the loss, then one row per resistor. */
export function gradientTable(report: GradientReport): string {
  const width = Math.max('resistor'.length, ...report.names.map((n) => n.length));
  const num = (x: number) => x.toExponential(6);
  const lines = [
    `method: ${report.method}`,
    `loss C = ½ Σ (V_node − value)²: ${num(report.loss)}`,
    '',
    `${'resistor'.padEnd(width)}  dC/dG`,
    ...report.names.map((n, k) => `${n.padEnd(width)}  ${report.gradient[k] < 0 ? '' : ' '}${num(report.gradient[k])}`),
  ];
  return lines.join('\n');
}
