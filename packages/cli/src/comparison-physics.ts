import type { EpochEvent, TrainingPhysicalCost } from '@multimech/trainer';
import { seedBandSpec, seedBands, type SeedBandPoint } from './comparison-plots';
import type { ComparisonRun } from './comparison-summary';
import { significant } from '@multimech/core';

/** What a mechanism's updates cost physically, over its seeds: the means of what each run's measurements reported. */
export interface MechanismPhysicalCost {
  readonly mechanism: string;
  /** False for a digital computation (the exact adjoint). */
  readonly physical: boolean;
  /** Physical seconds to measure one update, mean over the seeds; absent where the mechanism does not define it. */
  readonly secondsPerUpdate?: number;
  /** Energy dissipated per update (J, where the substrate defines a power), mean over the seeds. */
  readonly energyPerUpdate?: number;
  readonly equilibriaPerExample?: number;
  readonly solvesPerExample?: number;
  /** The physical time of the whole run (s), mean over the seeds. */
  readonly seconds?: number;
  /** The simulation's wall-clock seconds per epoch on this machine, mean over the seeds: reported apart. */
  readonly simulationSecondsPerEpoch: number;
  readonly note?: string;
}

const mean = (values: readonly (number | undefined)[]): number | undefined => {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
};

/** Each mechanism's physical cost, from its runs' `physicalCost` (in the order of `mechanisms`). */
export function physicalCosts(mechanisms: readonly string[], runs: readonly ComparisonRun[]): MechanismPhysicalCost[] {
  return mechanisms.map((mechanism) => {
    const mine = runs.filter((r) => r.mechanism === mechanism).map((r) => r.result);
    const costs = mine.map((r) => r.physicalCost).filter((c): c is TrainingPhysicalCost => c !== undefined);
    const pick = (f: (c: TrainingPhysicalCost) => number | undefined) => mean(costs.map(f));
    const fields = {
      secondsPerUpdate: pick((c) => c.secondsPerUpdate),
      energyPerUpdate: pick((c) => c.energyPerUpdate),
      equilibriaPerExample: pick((c) => c.equilibriaPerExample),
      solvesPerExample: pick((c) => c.solvesPerExample),
      seconds: pick((c) => c.seconds),
    };
    const note = costs.find((c) => c.note)?.note;
    return {
      mechanism,
      physical: costs.length > 0 && costs.every((c) => c.physical),
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      simulationSecondsPerEpoch: mean(mine.map((r) => r.secondsPerEpoch)) ?? 0,
      ...(note ? { note } : {}),
    };
  });
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const shown = (x: number | undefined, unit = '') => (x === undefined ? '' : `${significant(x, 4)}${unit}`);

/** comparison.md's section on what the updates cost: physical time and energy per update, equilibria or solves per example, and the simulation's time apart. */
export function physicalCostMarkdown(rows: readonly MechanismPhysicalCost[]): string {
  return [
    '## Physical cost',
    '',
    'What one update costs to measure on the physical network, as each mechanism reports it with its measurements (its lock-in window and settling, ' +
      'its transport and relaxation, its equilibria times the slowest relaxation time), and the energy the network dissipates meanwhile where the ' +
      "substrate defines a power; means over the seeds. The simulation's wall-clock time on this machine is reported apart: it is not a physical cost.",
    '',
    '| mechanism | physical seconds per update | energy per update (J) | equilibria or solves per example | physical time of a run (s) | simulation s per epoch | note |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const per = r.equilibriaPerExample !== undefined ? `${shown(r.equilibriaPerExample)} equilibria` : r.solvesPerExample !== undefined ? `${shown(r.solvesPerExample)} solves` : '';
      const seconds = r.physical ? shown(r.secondsPerUpdate) || 'not defined' : 'not physical';
      return `| ${cell(r.mechanism)} | ${seconds} | ${shown(r.energyPerUpdate)} | ${per} | ${shown(r.seconds)} | ${shown(r.simulationSecondsPerEpoch)} | ${cell(r.note ?? '')} |`;
    }),
    '',
  ].join('\n');
}

/** The training loss against the cumulative physical time of the updates (mean over the seeds at each epoch), for the mechanisms that define it. */
export function physicalTimePoints(runs: readonly ComparisonRun[], pick: (e: EpochEvent) => number | undefined): (SeedBandPoint & { time: number })[] {
  const times = seedBands(runs, (e) => e.physicalSecondsTotal);
  const at = new Map(times.map((t) => [`${t.mechanism}\u0000${t.epoch}`, t.mean]));
  return seedBands(runs, pick).flatMap((p) => {
    const time = at.get(`${p.mechanism}\u0000${p.epoch}`);
    return time !== undefined && time > 0 ? [{ ...p, time }] : [];
  });
}

/**
 * The figures of the physical cost and of the fidelity during training, as
 * [file stem, caption, vega-lite spec]: the training loss against physical
 * time (where a mechanism defines it), and the relative error and
 * 1 − cosine against the exact gradient over the epochs (where
 * `training.fidelity` measured them).
 */
export function physicsPlots(name: string, mechanisms: readonly string[], runs: readonly ComparisonRun[], lossName: string): [string, string, object][] {
  const plots: [string, string, object][] = [];
  const timed = physicalTimePoints(runs, (e) => e.trainLoss);
  if (timed.length > 0) {
    plots.push([
      'loss-vs-physical-time',
      'training loss against physical training time',
      seedBandSpec({
        title: `${name}: training loss against physical time`,
        yTitle: ['training loss', lossName],
        mechanisms: mechanisms.filter((m) => timed.some((p) => p.mechanism === m)),
        points: timed,
        log: true,
        x: { field: 'time', title: 'physical training time (s): the measurements of every update so far', log: true },
      }),
    ]);
  }
  const error = seedBands(runs, (e) => e.fidelity?.relativeError);
  if (error.length > 0) {
    const floor = (v: number | undefined) => (v === undefined ? undefined : Math.max(v, 1e-16));
    plots.push([
      'fidelity-during-training',
      'relative error against the exact gradient during training',
      seedBandSpec({
        title: `${name}: relative error against the exact gradient, during training`,
        yTitle: ['‖estimate − exact‖ / ‖exact‖', '(dimensionless; below 1e-16 drawn at 1e-16)'],
        mechanisms: mechanisms.filter((m) => error.some((p) => p.mechanism === m)),
        points: seedBands(runs, (e) => floor(e.fidelity?.relativeError)),
        log: true,
      }),
    ]);
    plots.push([
      'fidelity-cosine-during-training',
      '1 − cosine with the exact gradient during training',
      seedBandSpec({
        title: `${name}: 1 − cosine with the exact gradient, during training`,
        yTitle: ['1 − cosine(estimate, exact)', '(dimensionless; below 1e-16 drawn at 1e-16)'],
        mechanisms: mechanisms.filter((m) => error.some((p) => p.mechanism === m)),
        points: seedBands(runs, (e) => floor(e.fidelity === undefined ? undefined : 1 - e.fidelity.cosine)),
        log: true,
      }),
    ]);
  }
  return plots;
}
