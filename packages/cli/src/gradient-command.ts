import { UsageError } from './cli-io';
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
import { parseSpice, resistiveFromNetlist, type ResistiveSubstrate } from '@multimech/resistive';

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
  /** Transient mode on a netlist with capacitors: windows integrated before the one read (default: from the slowest RC time). */
  readonly settle?: number;
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
  /** What the mechanism reported besides the gradient (frequency: the quadrature, the window, the settling), by name. */
  readonly diagnostics?: Readonly<Record<string, number>>;
}

/** The command's flag for each mechanism setting, and the method it belongs to. */
export const METHOD_FLAGS: Record<string, { readonly flag: string; readonly method: GradientMethod }> = {
  frequency: { flag: '--frequency', method: 'frequency' },
  amplitude: { flag: '--amplitude', method: 'frequency' },
  periods: { flag: '--periods', method: 'frequency' },
  mode: { flag: '--mode', method: 'frequency' },
  samplesPerPeriod: { flag: '--samples-per-period', method: 'frequency' },
  settle: { flag: '--settle', method: 'frequency' },
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
 * sources (found by damped Newton when the netlist has diodes or B
 * elements), and dC/dG for every resistor (G = 1/R) by the chosen method:
 * the exact adjoint, frequency propagation (DC activation, error at ω₂ read
 * by lock-in), central finite differences of the equilibrium loss,
 * equilibrium propagation (the contrast of ∂E/∂G between nudged states) or
 * coupled learning (its estimate of dC/dG, from clamped outputs).
 *
 * Diodes and B elements are fixed and make the network nonlinear: there
 * frequency propagation runs in `small-signal` mode (the β → 0 limit: the
 * adjoint) or `transient` mode (exact to O(β²)); its ideal `phasor` mode is
 * refused with a message naming the nonlinear elements. Capacitors (C
 * cards) give the network dynamics: `phasor` and `small-signal` read the
 * in-phase part of (H + iω₂C)⁻¹e, `transient` integrates the network in time
 * (after `settle` windows) and reads the window by lock-in; either way the
 * quadrature is in the report's diagnostics (rms(quadrature)/rms(in-phase)).
 * The exact gradient is that of the DC network, which capacitors do not
 * change.
 */
export function netlistGradient(text: string, file: string, targets: readonly GradientTarget[], options: GradientOptions): GradientReport {
  if (targets.length === 0) throw new MultimechError('at least one --target NODE=VALUE is needed (the loss is ½ Σ (V_node − value)²)');
  const seen = new Map<string, number>();
  for (const t of targets) {
    const key = t.node.toLowerCase();
    if (key === '0' || key === 'gnd') throw new UsageError(`--target ${t.node}=${t.value}: '${t.node}' is ground, held at 0 V; its voltage cannot be trained towards a target`);
    if (seen.has(key)) throw new UsageError(`--target ${t.node} is given twice (=${seen.get(key)} and =${t.value}); give each node one target`);
    seen.set(key, t.value);
  }
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
    throw new MultimechError(
      `--method frequency: ${file} has ${nonlinearElements(substrate)}, so the network is nonlinear; --mode phasor (the default) is the ideal lock-in of a linear network. ` +
        'Use --mode small-signal (the β → 0 limit: the exact adjoint) or --mode transient --amplitude B (exact to O(B²)).',
    );
  }
  const { error, rule } = mechanismOf(options, substrate.parameters);
  const pipeline = { substrate, activation: dcActivation, error, rule, loss: mseLoss, rng: new Rng(options.seed ?? 1) };
  try {
    const r = exampleGradient(pipeline, drive, y);
    return { method: options.method, loss: r.loss, names, gradient: r.gradient, ...(r.diagnostics ? { diagnostics: r.diagnostics } : {}) };
  } catch (e) {
    throw e instanceof ConfigError ? optionError(options.method, e) : e;
  }
}

/** The netlist's nonlinear elements by kind, as a message names them: `diodes (D1, D2) and a B element (B1)`. */
function nonlinearElements(substrate: ResistiveSubstrate): string {
  const group = (what: string, names: readonly string[]) => (names.length === 0 ? [] : [names.length === 1 ? `a ${what} (${names[0]})` : `${what}s (${names.join(', ')})`]);
  const parts = [...group('diode', substrate.diodes.map((d) => d.name)), ...group('B element', substrate.laws.map((l) => l.name))];
  return parts.length > 0 ? parts.join(' and ') : 'nonlinear elements';
}

/** `{"loss": C, "gradient": {"R1": dC/dG, ...}}` on one line, keys in netlist order. */
export function gradientJson(report: GradientReport): string {
  const gradient: Record<string, number> = {};
  report.names.forEach((name, k) => {
    gradient[name] = report.gradient[k];
  });
  return JSON.stringify({ loss: report.loss, gradient });
}

/** How the table names a mechanism's diagnostics (any other is printed under its own name). */
const DIAGNOSTIC_LABELS: Record<string, string> = {
  quadratureRms: 'quadrature, rms relative to the in-phase reading',
  resonanceRatio: 'ω₂/ω₀ (lowest resonance)',
  samples: 'samples in the window',
  window: 'lock-in window (s)',
  settleWindows: 'windows integrated before the one read',
  relaxationTime: 'slowest relaxation time τ (s)',
  transientNewtonMax: 'most Newton iterations in a time step',
};

/** A readable table: the loss, then one row per resistor, then the mechanism's diagnostics. */
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
  const diagnostics = Object.entries(report.diagnostics ?? {});
  if (diagnostics.length > 0) {
    // the quadrature first: it says how far from quasi-static the reading is
    diagnostics.sort(([a], [b]) => Number(b === 'quadratureRms') - Number(a === 'quadratureRms'));
    const labels = diagnostics.map(([k]) => DIAGNOSTIC_LABELS[k] ?? k);
    const w = Math.max(...labels.map((l) => l.length));
    const value = (x: number) => (Number.isInteger(x) ? String(x) : x.toExponential(4));
    lines.push('', ...diagnostics.map(([, v], i) => `${labels[i].padEnd(w)}  ${value(v)}`));
  }
  return lines.join('\n');
}
