import { UsageError } from './cli-io';
import { CLI_PLUGINS } from './cli-plugins';
import {
  MultimechError,
  NumericalError,
  Rng,
  SettingsError,
  capabilityProblems,
  corePlugin,
  createRegistries,
  dcActivation,
  decodeOrThrow,
  equilibriumLoss,
  exampleGradient,
  finiteDifferenceGradient,
  mseLoss,
  placeProblems,
  producedReadings,
  reportErrors,
  rulesConsuming,
  type ErrorRecord,
  type GradientOption,
  type NetworkFileFormat,
  type Registries,
  type SectionProblem,
  type SettingPaths,
  type Substrate,
  type SubstrateRecord,
} from '@multimech/core';
import { isLeft } from 'fp-ts/lib/Either';
import * as path from 'path';

/** The method that needs no mechanism: central finite differences of the equilibrium loss. */
export const FINITE_DIFFERENCE = 'finite-difference';

/** `--target NODE=VALUE`: the loss pulls the value at NODE towards VALUE. */
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

/** `samplesPerPeriod` → `--samples-per-period`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What `gradient` is asked: the method (a registered error mechanism's kind, or finite-difference), its settings by key, the seed. */
export interface GradientOptions {
  readonly method: string;
  /** Seed of any random choice a mechanism makes (default 1). */
  readonly seed?: number;
  /** The substrate kind whose file format reads the network (default: found by the file's ending). */
  readonly substrate?: string;
  /** The mechanism's settings given as flags, by key (`mode`, `samplesPerPeriod`). */
  readonly [setting: string]: unknown;
}

/** The loss at the network's operating point and dC/dθ per trainable edge. */
export interface GradientReport {
  readonly method: string;
  readonly loss: number;
  /** Edge names as written, in file order. */
  readonly names: readonly string[];
  readonly gradient: Float64Array;
  /** The labels of the file format (edge, parameter, node value). */
  readonly labels: NetworkFileFormat['labels'];
  /** What the mechanism reported besides the gradient (frequency: the quadrature, the window, the settling), by name. */
  readonly diagnostics?: Readonly<Record<string, number>>;
  /** Their labels, from the mechanism's record. */
  readonly diagnosticLabels?: Readonly<Record<string, string>>;
  /** Settings the mechanism chose from the network as built, and why. */
  readonly notes?: readonly string[];
}

/** The error mechanisms `gradient --method` accepts (every registered one, the exact adjoint first) and finite-difference. */
export function gradientMethods(registries: Registries): string[] {
  const kinds = registries.errors.kinds();
  return [...kinds.filter((k) => k === 'adjoint'), ...kinds.filter((k) => k !== 'adjoint'), FINITE_DIFFERENCE];
}

/** Every flag some mechanism declares, with the mechanisms that declare it (one flag may serve several). */
export function gradientFlags(registries: Registries): { readonly option: GradientOption; readonly methods: string[] }[] {
  const byKey = new Map<string, { option: GradientOption; methods: string[] }>();
  for (const record of registries.errors.all()) {
    for (const option of record.gradient?.options ?? []) {
      const known = byKey.get(option.key);
      if (known) known.methods.push(record.kind);
      else byKey.set(option.key, { option, methods: [record.kind] });
    }
  }
  return [...byKey.values()];
}

/** The substrate kind and file format that read `file`: `--substrate KIND`, or the one whose format claims the file's ending. */
export function networkFormatFor(registries: Registries, file: string, substrate?: string): { record: SubstrateRecord; format: NetworkFileFormat } {
  const readable = registries.substrates.all().filter((r) => r.networkFile);
  const known = readable.map((r) => `${r.kind} (${r.networkFile!.extensions.join(', ')})`).join('; ') || 'none';
  if (substrate !== undefined) {
    const record = registries.substrates.get(substrate, '--substrate');
    if (!record.networkFile) throw new UsageError(`--substrate ${substrate}: that kind reads no network file (kinds that do: ${known})`);
    return { record, format: record.networkFile };
  }
  const ending = path.extname(file).toLowerCase();
  const matching = readable.filter((r) => r.networkFile!.extensions.some((e) => e.toLowerCase() === ending));
  if (matching.length === 0) throw new UsageError(`${file}: no substrate reads files ending in '${ending || '(none)'}' (known: ${known}); name the kind with --substrate`);
  if (matching.length > 1) throw new UsageError(`${file}: several substrates read '${ending}' files (${matching.map((r) => r.kind).join(', ')}); name one with --substrate`);
  return { record: matching[0], format: matching[0].networkFile! };
}

/** Where `gradient` shows a mechanism's settings: as its flags. */
function flagPaths(method: string): SettingPaths {
  return (section, key) => (section === 'error' ? (key === '' || key === 'kind' ? `--method ${method}` : flagOf(key.split(/[.[]/)[0])) : `the ${section}`);
}

/** A problem with the mechanism's settings, stated in terms of the flags (and what the network is, where that explains it). */
function flagError(method: string, problems: readonly SectionProblem[], context: readonly string[] = []): MultimechError {
  const lines = placeProblems(problems, flagPaths(method)).map((p) => (p.path === `--method ${method}` ? p.message : `${p.path}: ${p.message}`));
  return new MultimechError(`--method ${method}: ${[...lines, ...context].join('; ')}`);
}

/** Runs `f`, restating a problem with the mechanism's settings in terms of the flags. */
function inFlags<T>(method: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SettingsError) throw flagError(method, e.sectionProblems);
    throw e;
  }
}

/** The mechanism's settings: the flags given, then what it chooses from the network for the rest, decoded by its own codec. */
function mechanismSettings(record: ErrorRecord, options: GradientOptions, substrate: Substrate) {
  const given: Record<string, unknown> = {};
  for (const option of record.gradient?.options ?? []) if (options[option.key] !== undefined) given[option.key] = options[option.key];
  const chosen = record.gradient?.defaultsFor?.(substrate, given);
  const section = { ...chosen?.section, ...given };
  const decoded = record.configCodec.decode(section);
  if (isLeft(decoded)) {
    throw flagError(
      record.kind,
      reportErrors(decoded.left).map((p) => ({ section: 'error', key: p.path, message: p.message })),
    );
  }
  return { settings: decoded.right, note: chosen?.note };
}

/**
 * C = ½ Σ (s_node − value)² at the operating point of the network file's
 * own sources, and dC/dθ for every trainable edge by the chosen method: any
 * registered error mechanism (with a DC activation and the rule that
 * consumes what it produces), or central finite differences of the
 * equilibrium loss. The file is read by the substrate kind whose record
 * declares its format; the mechanism's settings come from its declared
 * flags, and where a flag is left out, from what the mechanism chooses for
 * the network as built (`gradient.defaultsFor`), which the report notes.
 */
export function networkGradient(
  registries: Registries,
  text: string,
  file: string,
  targets: readonly GradientTarget[],
  options: GradientOptions,
): GradientReport {
  if (targets.length === 0) throw new MultimechError('at least one --target NODE=VALUE is needed (the loss is ½ Σ (s_node − value)²)');
  const { format } = networkFormatFor(registries, file, options.substrate);
  const ground = new Set((format.ground ?? []).map((g) => g.toLowerCase()));
  const seen = new Map<string, number>();
  for (const t of targets) {
    const key = t.node.toLowerCase();
    if (ground.has(key)) {
      throw new UsageError(`--target ${t.node}=${t.value}: '${t.node}' is ground, held at 0 ${format.labels.unit}; its ${format.labels.quantity} cannot be trained towards a target`);
    }
    if (seen.has(key)) throw new UsageError(`--target ${t.node} is given twice (=${seen.get(key)} and =${t.value}); give each node one target`);
    seen.set(key, t.value);
  }
  const network = format.read(text, file, targets.map((t) => t.node));
  try {
    return gradientOf(registries, network, format, file, targets, options);
  } catch (e) {
    // a simulation that fails on the network (an equilibrium that does not converge) names the file it was read from
    if (e instanceof NumericalError) throw new NumericalError(`${file}: ${e.message}`);
    throw e;
  }
}

/** The loss and the gradient on a network read from `file`. */
function gradientOf(
  registries: Registries,
  network: ReturnType<NetworkFileFormat['read']>,
  format: NetworkFileFormat,
  file: string,
  targets: readonly GradientTarget[],
  options: GradientOptions,
): GradientReport {
  const { substrate } = network;
  const drive = substrate.drive(network.inputs);
  const y = Float64Array.from(targets, (t) => t.value);
  const names = substrate.parameterNames;
  const base = { method: options.method, names, labels: format.labels };
  if (options.method === FINITE_DIFFERENCE) {
    const loss = equilibriumLoss(substrate, drive, mseLoss, y);
    return { ...base, loss, gradient: finiteDifferenceGradient(substrate, drive, mseLoss, y) };
  }
  const record = registries.errors.get(options.method, '--method');
  const { settings, note } = mechanismSettings(record, options, substrate);
  const problems = capabilityProblems(`this '${substrate.kind}' network`, substrate.capabilities, { kind: 'dc', requires: [] }, record);
  if (problems.length === 0 && record.check) problems.push(...record.check(settings, dcActivation, substrate));
  if (problems.length > 0) {
    const why = !substrate.capabilities.has('linear') && network.nonlinearity ? [`${file} ${network.nonlinearity}, so the network is nonlinear`] : [];
    throw flagError(record.kind, problems, why);
  }
  const rule = registries.rules.get(rulesConsuming(registries, producedReadings(record, settings))[0] ?? 'product');
  const pipeline = {
    substrate,
    activation: dcActivation,
    error: record.create(settings),
    rule: rule.create(decodeOrThrow(rule.configCodec, {}, 'rule')),
    loss: mseLoss,
    rng: new Rng(options.seed ?? 1),
  };
  const r = inFlags(record.kind, () => exampleGradient(pipeline, drive, y));
  const labels = Object.fromEntries((record.diagnostics ?? []).map((d) => [d.name, d.label]));
  return {
    ...base,
    loss: r.loss,
    gradient: r.gradient,
    ...(r.diagnostics ? { diagnostics: r.diagnostics, diagnosticLabels: labels } : {}),
    ...(note ? { notes: [note] } : {}),
  };
}

/** `networkGradient` with the command line's own plugins (a SPICE netlist, the built-in mechanisms). */
export function netlistGradient(text: string, file: string, targets: readonly GradientTarget[], options: GradientOptions): GradientReport {
  return networkGradient(createRegistries([corePlugin, ...CLI_PLUGINS]), text, file, targets, options);
}

/** `{"loss": C, "gradient": {"R1": dC/dG, ...}}` on one line, keys in file order. */
export function gradientJson(report: GradientReport): string {
  const gradient: Record<string, number> = {};
  report.names.forEach((name, k) => {
    gradient[name] = report.gradient[k];
  });
  return JSON.stringify({ loss: report.loss, gradient });
}

/** A readable table: the loss, then one row per edge, then the mechanism's diagnostics, then what it chose. */
export function gradientTable(report: GradientReport): string {
  const { edge, parameter, node } = report.labels;
  const width = Math.max(edge.length, ...report.names.map((n) => n.length));
  const num = (x: number) => x.toExponential(6);
  const lines = [
    `method: ${report.method}`,
    `loss C = ½ Σ (${node}_node − value)²: ${num(report.loss)}`,
    '',
    `${edge.padEnd(width)}  dC/d${parameter}`,
    ...report.names.map((n, k) => `${n.padEnd(width)}  ${report.gradient[k] < 0 ? '' : ' '}${num(report.gradient[k])}`),
  ];
  const diagnostics = Object.entries(report.diagnostics ?? {});
  if (diagnostics.length > 0) {
    // in the order the mechanism declares them, then any other under its own name
    const declared = Object.keys(report.diagnosticLabels ?? {});
    const rank = (k: string) => (declared.includes(k) ? declared.indexOf(k) : declared.length);
    diagnostics.sort(([a], [b]) => rank(a) - rank(b));
    const labels = diagnostics.map(([k]) => report.diagnosticLabels?.[k] ?? k);
    const w = Math.max(...labels.map((l) => l.length));
    const value = (x: number) => (Number.isInteger(x) ? String(x) : x.toExponential(4));
    lines.push('', ...diagnostics.map(([, v], i) => `${labels[i].padEnd(w)}  ${value(v)}`));
  }
  if (report.notes?.length) lines.push('', ...report.notes);
  return lines.join('\n');
}
