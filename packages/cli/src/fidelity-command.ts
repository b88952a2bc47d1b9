import { COUNT_RANGE, ConfigError, MultimechError, bounded, decodeOrThrow, finiteNumber, joinPath, nonEmptyString, positiveInteger, refine, strictObject, logLogSlope as coreLogLogSlope } from '@multimech/core';
import { createExperiment, schemaReferenceCodec } from '@multimech/trainer';
import * as t from 'io-ts';
import * as path from 'path';
import type { CliIo } from './cli-io';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { mechanismFidelity } from './comparison-fidelity';
import { csvField } from './metrics-csv';
import { parseJsonText, readInputFile } from './read-input-file';
import { ResultsFolder, SUMMARY_FILE, defaultResultsDir } from './results-folder';
import { renderChart } from './vega-renderer';

/**
 * A fidelity sweep: one experiment, one knob of its mechanism swept over
 * values, and at each value the mechanism's gradient estimate held against
 * the exact gradient at the initial parameters.
 */
export const fidelityConfigCodec = refine(
  strictObject(
    'a fidelity sweep ({ "experiment", "sweep", "slope"?, "examples"?, "name"?, "description"? })',
    {
      experiment: t.UnknownRecord,
      sweep: strictObject('a sweep ({ "path", "values" })', {
        path: nonEmptyString,
        values: t.array(numberPositive()),
      }),
    },
    { name: nonEmptyString, description: t.string, slope: finiteNumber, examples: bounded(positiveInteger, COUNT_RANGE), $schema: schemaReferenceCodec },
  ),
  (v) => {
    const problems: { key: string; message: string }[] = [];
    if (v.sweep.values.length < 2) problems.push({ key: 'sweep.values', message: 'expected at least two values to fit a slope' });
    else if (new Set(v.sweep.values).size < 2) problems.push({ key: 'sweep.values', message: `expected at least two different values to fit a slope, got ${v.sweep.values.length} times ${v.sweep.values[0]}` });
    if (!/^(error|activation|rule)\.[A-Za-z]+(\.[A-Za-z]+)*$/.test(v.sweep.path)) {
      problems.push({ key: 'sweep.path', message: `expected a mechanism setting such as "error.beta" or "error.noise", got "${v.sweep.path}"` });
    }
    return problems;
  },
);

function numberPositive(): t.Type<number, number, unknown> {
  return new t.Type<number, number, unknown>(
    'a positive number',
    (u): u is number => typeof u === 'number' && u > 0 && Number.isFinite(u),
    (u, c) => (typeof u === 'number' && u > 0 && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
    (n) => n,
  );
}

export type FidelityConfig = t.TypeOf<typeof fidelityConfigCodec>;

/** One point of the sweep. */
export interface FidelityPoint {
  readonly value: number;
  readonly relativeError: number;
  readonly cosine: number;
}

/** Least-squares slope of log(relative error) against log(value), over the points with a non-zero error (core's logLogSlope); undefined with fewer than two. */
export function logLogSlope(points: readonly FidelityPoint[]): number | undefined {
  const slope = coreLogLogSlope(
    points.map((p) => p.value),
    points.map((p) => p.relativeError),
  );
  return Number.isNaN(slope) ? undefined : slope;
}

/** A copy of `config` with the dotted `path` set to `value`. */
function withSetting(config: Record<string, unknown>, dotted: string, value: number): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const keys = dotted.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy;
}

/**
 * Measures every point of a sweep (the same seed, so the same network and
 * examples at every value). A problem with a point's experiment is placed
 * in the fidelity config (`experiment.error.beta: ... (sweep.values[2])`);
 * a measurement that fails names its point (`sweep.values[2] (error.beta =
 * 300): ...`).
 */
export function measureSweep(config: FidelityConfig, plugins: Parameters<typeof createExperiment>[1], options: { baseDir: string; source?: string }): FidelityPoint[] {
  const examples = config.examples ?? 10;
  const paths = (section: string, key: string) => joinPath(`experiment.${section}`, key);
  const swept = `experiment.${config.sweep.path}`;
  return config.sweep.values.map((value, i) => {
    let experiment;
    try {
      experiment = createExperiment(withSetting(config.experiment, config.sweep.path, value), plugins, { ...options, paths });
    } catch (e) {
      if (e instanceof ConfigError) {
        throw new ConfigError(
          e.problems.map((p) => ({ path: p.path, message: p.path === swept ? `${p.message} (sweep.values[${i}])` : p.message })),
          options.source,
        );
      }
      throw e;
    }
    const point = `${options.source ? `${options.source}: ` : ''}sweep.values[${i}] (${config.sweep.path} = ${value})`;
    let f;
    try {
      f = mechanismFidelity(experiment.trainer.parts, examples);
    } catch (e) {
      if (e instanceof MultimechError) throw new MultimechError(`${point}: ${e.message}`);
      throw e;
    }
    if (!f) throw new MultimechError(`${options.source ?? 'fidelity'}: the exact gradient is zero on every example: nothing to compare against`);
    if (!Number.isFinite(f.relativeError) || !Number.isFinite(f.cosine)) {
      throw new MultimechError(`${point}: the measured gradient is not finite (relative error ${f.relativeError}, cosine ${f.cosine}): choose a smaller ${config.sweep.path.split('.').pop()}`);
    }
    return { value, relativeError: f.relativeError, cosine: f.cosine };
  });
}

/** The log-log plot: measured relative error, its fitted line, and the theoretical slope through the measured points' centre. */
export function fidelitySweepSpec(title: string, knob: string, points: readonly FidelityPoint[], expected?: number): object {
  const data: { value: number; series: string; relativeError: number }[] = points.map((p) => ({ value: p.value, series: 'measured', relativeError: p.relativeError }));
  const positive = points.filter((p) => p.relativeError > 0);
  if (expected !== undefined && positive.length > 0) {
    const mx = positive.reduce((s, p) => s + Math.log10(p.value), 0) / positive.length;
    const my = positive.reduce((s, p) => s + Math.log10(p.relativeError), 0) / positive.length;
    for (const p of points) data.push({ value: p.value, series: `theory (slope ${expected})`, relativeError: 10 ** (my + expected * (Math.log10(p.value) - mx)) });
  }
  const x = { field: 'value', type: 'quantitative', title: knob, scale: { type: 'log' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    vconcat: [
      {
        width: 420,
        height: 260,
        data: { values: data },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'relativeError', type: 'quantitative', title: 'relative error against the exact gradient', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top-left' } },
          strokeDash: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top-left' } },
        },
      },
      {
        width: 420,
        height: 160,
        data: { values: points.map((p) => ({ value: p.value, cosine: p.cosine })) },
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'cosine', type: 'quantitative', title: 'cosine with the exact gradient', scale: { zero: false } } },
      },
    ],
  };
}

export interface FidelityOutcome {
  readonly dir: string;
  readonly points: readonly FidelityPoint[];
  readonly slope: number | undefined;
}

/**
 * `multimech fidelity CONFIG`: sweep one knob of a mechanism, measure its
 * relative error and cosine against the exact gradient at each value, fit
 * the log-log slope, and write fidelity.csv, fidelity.svg/png (with the
 * theoretical slope beside the measured one), summary.json and config.json.
 */
export async function fidelityCommand(configFile: string, options: { out?: string }, io: CliIo): Promise<FidelityOutcome> {
  const raw = parseJsonText(await readInputFile(configFile, 'a JSON fidelity-sweep config'), configFile);
  const config = decodeOrThrow(fidelityConfigCodec, raw, '', configFile);
  const baseDir = path.dirname(configFile);
  await preloadPluginsFor(config.experiment, baseDir, configFile);
  const points = measureSweep(config, pluginsFor(config.experiment, baseDir, configFile), { baseDir, source: configFile });
  const slope = logLogSlope(points);
  const name = config.name ?? path.basename(configFile).replace(/\.json$/i, '');
  const folder = await ResultsFolder.open(options.out ?? defaultResultsDir(configFile, new Date(), config.name));
  await folder.write('config.json', JSON.stringify(config, null, 2) + '\n');
  const csv = ['value,relative_error,cosine', ...points.map((p) => [p.value, p.relativeError, p.cosine].map(csvField).join(','))].join('\n') + '\n';
  await folder.write('fidelity.csv', csv);
  const knob = config.sweep.path.split('.').slice(1).join('.');
  const plot = await renderChart(fidelitySweepSpec(`${name}: fidelity against ${knob}`, knob, points, config.slope));
  await folder.write('fidelity.svg', plot.svg);
  await folder.write('fidelity.png', plot.png);
  const summary = { measured_slope: slope ?? null, expected_slope: config.slope ?? null, points: points.length };
  await folder.write(SUMMARY_FILE, JSON.stringify(summary, null, 2) + '\n');
  const width = Math.max(knob.length, 10);
  io.stdout.write(`${knob.padEnd(width)}  relative error  cosine\n`);
  for (const p of points) io.stdout.write(`${String(p.value).padEnd(width)}  ${p.relativeError.toExponential(3).padStart(14)}  ${p.cosine.toFixed(6)}\n`);
  io.stdout.write(
    `measured slope: ${slope === undefined ? 'n/a (errors are zero)' : slope.toFixed(3)}${config.slope !== undefined ? ` (expected ${config.slope})` : ''}\nresults: ${folder.dir}\n`,
  );
  return { dir: folder.dir, points, slope };
}
