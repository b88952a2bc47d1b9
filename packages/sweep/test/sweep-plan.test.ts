import { ConfigError, Rng } from '@multimech/core';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import {
  RunStore,
  canonicalJson,
  decodeSweep,
  drawValue,
  gridPoints,
  nearestPaths,
  planSweep,
  randomPoints,
  rangeValues,
  runKey,
  settingsPaths,
  sweepRunConfig,
  valueAt,
  withValueAt,
} from '../src';
import { corePlugin, createRegistries } from '@multimech/core';
import { trainerPlugin } from '@multimech/trainer';

const PLUGINS = [resistivePlugin, frequencyPlugin];
const VERSIONS = { '@multimech/core': '0.1.0', '@multimech/sweep': '0.1.0' };

const BASE = {
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 6 },
  error: { kind: 'frequency', mode: 'phasor' },
  optimizer: { batchSize: 4 },
  training: { epochs: 2 },
};

function plan(raw: unknown) {
  return planSweep(decodeSweep(raw, 'sweep.json'), { plugins: () => PLUGINS, versions: VERSIONS, baseDir: '.', source: 'sweep.json' });
}

/** The problems of a ConfigError, as `path: message` lines. */
function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('the sweep config', () => {
  it('refuses an empty grid, a range without steps in a grid, samples where they do not apply, and duplicated seeds, each at its path', () => {
    expect(problems(() => decodeSweep({ base: BASE, sweep: { mode: 'grid', parameters: {} } }))).toEqual([
      'sweep.parameters: expected at least one config path to sweep, such as "error.amplitude": [0.001, 0.01] (the grid is empty)',
    ]);
    expect(
      problems(() =>
        decodeSweep({
          base: { ...BASE, seed: 4 },
          sweep: { mode: 'grid', parameters: { 'error.amplitude': [], 'optimizer.learningRate': { min: 0.1, max: 0.01 }, 'error.noise': 3 }, samples: 4 },
          seeds: [1, 2, 1],
        }),
      ),
    ).toEqual([
      'sweep.parameters["error.amplitude"]: expected at least one value, got [] (the grid would be empty)',
      'sweep.parameters["optimizer.learningRate"].max: expected a maximum of at least min (0.1), got 0.01',
      'sweep.parameters["optimizer.learningRate"]: a range in a grid needs "steps" (how many values from min to max); or give the values as a list',
      'sweep.parameters["error.noise"]: expected a list of values or a range { "min", "max", "log"?, "integer"?, "steps"? }, got 3',
      'sweep.samples: applies to "mode": "random" only (a grid runs every combination)',
      'seeds[2]: duplicate seed 1 (also seeds[0])',
      'base.seed: give the seeds in "seeds" only (base.seed is the single seed when "seeds" is absent)',
    ]);
    expect(problems(() => decodeSweep({ base: BASE, sweep: { mode: 'random', parameters: { 'error.amplitude': { min: 0, max: 1, log: true, steps: 3 } } } }))).toEqual([
      'sweep.parameters["error.amplitude"].min: a log range needs a positive min, got 0',
      'sweep.parameters["error.amplitude"].steps: "steps" applies to a grid only: a random search draws "sweep.samples" points',
      'sweep.samples: expected the number of points a random search draws (a positive integer)',
    ]);
    expect(problems(() => decodeSweep({ base: BASE, sweep: { mode: 'grid', parameters: { x: [1] } }, mechanisms: [{ name: 'a', error: { kind: 'adjoint' } }], extra: 1 }))).toEqual([
      'extra: unknown key (known keys: base, sweep, name, description, seeds, mechanisms, $schema)',
    ]);
    expect(problems(() => decodeSweep({ base: BASE, sweep: { mode: 'grid', parameters: { x: [1] } }, mechanisms: [{ name: 'a', error: { kind: 'adjoint' } }, { name: 'a', error: { kind: 'adjoint' } }] }))).toEqual([
      "mechanisms[1].name: duplicate mechanism name 'a' (also mechanisms[0].name); names must be unique",
      'base.error: with "mechanisms", each mechanism gives its own error section: leave it out of base',
    ]);
  });

  it('takes the seeds from "seeds", else base.seed, else the comparison default', () => {
    const parameters = { 'error.amplitude': [0.01] };
    expect(decodeSweep({ base: BASE, sweep: { mode: 'grid', parameters }, seeds: [5, 6] }).seeds).toEqual([5, 6]);
    expect(decodeSweep({ base: { ...BASE, seed: 9 }, sweep: { mode: 'grid', parameters } }).seeds).toEqual([9]);
    expect(decodeSweep({ base: BASE, sweep: { mode: 'grid', parameters } }).seeds).toEqual([1, 2, 3]);
  });
});

describe('grid points', () => {
  it('every combination, the first parameter varying slowest; ranges by steps, linear, log, integer and with a unit', () => {
    const sweep = decodeSweep({
      base: BASE,
      sweep: { mode: 'grid', parameters: { 'error.amplitude': [0.001, 0.01], 'optimizer.learningRate': { min: 0.05, max: 0.2, steps: 4 }, 'optimizer.batchSize': [2, 4, 6] } },
    });
    const points = gridPoints(sweep);
    expect(points).toHaveLength(2 * 4 * 3);
    expect(points[0]).toEqual({ 'error.amplitude': 0.001, 'optimizer.learningRate': 0.05, 'optimizer.batchSize': 2 });
    expect(points[1]).toEqual({ 'error.amplitude': 0.001, 'optimizer.learningRate': 0.05, 'optimizer.batchSize': 4 });
    expect(points[3]).toEqual({ 'error.amplitude': 0.001, 'optimizer.learningRate': 0.1, 'optimizer.batchSize': 2 });
    expect(points[12]).toEqual({ 'error.amplitude': 0.01, 'optimizer.learningRate': 0.05, 'optimizer.batchSize': 2 });
    expect(rangeValues({ min: 0.05, max: 0.2, steps: 4 })).toEqual([0.05, 0.1, 0.15, 0.2]);
    expect(rangeValues({ min: 0.001, max: 1, steps: 4, log: true })).toEqual([0.001, 0.01, 0.1, 1]);
    // integers: repeated values once
    expect(rangeValues({ min: 1, max: 3, steps: 5, integer: true })).toEqual([1, 2, 3]);
    expect(rangeValues({ min: '1 kHz', max: '4 kHz', steps: 4 })).toEqual(['1 kHz', '2 kHz', '3 kHz', '4 kHz']);
  });
});

describe('random points', () => {
  const sweep = (seed: number) =>
    decodeSweep({
      base: BASE,
      sweep: {
        mode: 'random',
        samples: 200,
        seed,
        parameters: {
          'error.frequency': { min: '1 kHz', max: '100 kHz', log: true },
          'optimizer.learningRate': { min: 0.01, max: 0.2 },
          'optimizer.batchSize': { min: 1, max: 6, integer: true },
          'error.mode': ['phasor', 'small-signal'],
        },
      },
    });

  it('the same seed draws the same points; another seed others; every value within its range, integers whole, lists drawn from', () => {
    const a = randomPoints(sweep(7));
    expect(a).toHaveLength(200);
    expect(randomPoints(sweep(7))).toEqual(a);
    expect(randomPoints(sweep(8))).not.toEqual(a);
    const kHz = a.map((p) => Number(/^([\d.e+-]+) kHz$/.exec(p['error.frequency'] as string)![1]));
    expect(Math.min(...kHz)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...kHz)).toBeLessThanOrEqual(100);
    // log-uniform: about as many below 10 kHz as above
    const below = kHz.filter((k) => k < 10).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
    const rates = a.map((p) => p['optimizer.learningRate'] as number);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.01);
    expect(Math.max(...rates)).toBeLessThanOrEqual(0.2);
    const sizes = a.map((p) => p['optimizer.batchSize'] as number);
    expect(sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 6)).toBe(true);
    expect(new Set(sizes).size).toBe(6);
    expect(new Set(a.map((p) => p['error.mode']))).toEqual(new Set(['phasor', 'small-signal']));
  });

  it('a drawn value is the range mapped from the generator, rounded to 6 significant digits', () => {
    const rng = new Rng(3);
    const u = new Rng(3).next();
    expect(drawValue({ min: 2, max: 4 }, rng)).toBe(Number((2 + 2 * u).toPrecision(6)));
  });
});

describe('run keys', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('the same config in any key order and under any name has one key; a changed value, seed or version another', () => {
    const config = { seed: 1, error: { kind: 'frequency', amplitude: 0.01 }, optimizer: { learningRate: 0.1 } };
    const key = runKey(config, VERSIONS);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(runKey({ optimizer: { learningRate: 0.1 }, error: { amplitude: 0.01, kind: 'frequency' }, seed: 1, name: 'x', description: 'y' }, VERSIONS)).toBe(key);
    expect(runKey({ ...config, seed: 2 }, VERSIONS)).not.toBe(key);
    expect(runKey({ ...config, error: { kind: 'frequency', amplitude: 0.02 } }, VERSIONS)).not.toBe(key);
    expect(runKey(config, { ...VERSIONS, '@multimech/core': '0.1.1' })).not.toBe(key);
  });
});

describe('config paths', () => {
  it('reads, sets (making what is missing) and lists the settings a config has, as written and as its kinds know them', () => {
    const config = withValueAt(BASE, 'error.amplitude', 0.5);
    expect(valueAt(config, 'error.amplitude')).toBe(0.5);
    expect(valueAt(BASE, 'error.amplitude')).toBeUndefined();
    expect(valueAt(withValueAt(BASE, 'substrate.network.hidden.0', 7), 'substrate.network.hidden')).toEqual([7]);
    const registries = createRegistries([corePlugin, trainerPlugin, ...PLUGINS]);
    const paths = settingsPaths(BASE, registries);
    for (const p of ['error.amplitude', 'error.frequency', 'optimizer.learningRate', 'training.epochs', 'substrate.network.hidden', 'substrate.network.hidden.0', 'task.train', 'activation.kind']) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain('seed');
    expect(nearestPaths('error.amplitud', paths, 1)).toEqual(['error.amplitude']);
  });
});

describe('planning a sweep', () => {
  it('runs point × mechanism × seed, each config decoded and keyed; a unit value decoded for the axes', () => {
    const p = plan({
      base: { substrate: BASE.substrate, task: BASE.task, optimizer: BASE.optimizer, training: BASE.training },
      sweep: { mode: 'grid', parameters: { 'error.frequency': ['1.7 kHz', 2000] } },
      mechanisms: [
        { name: 'phasor', error: { kind: 'frequency', mode: 'phasor' } },
        { name: 'small-signal', error: { kind: 'frequency', mode: 'small-signal' }, optimizer: { learningRate: 0.2 } },
      ],
      seeds: [1, 2],
    });
    expect(p.runs).toHaveLength(8);
    expect(p.runs.map((r) => [r.point['error.frequency'], r.mechanism, r.seed])).toEqual([
      ['1.7 kHz', 'phasor', 1],
      ['1.7 kHz', 'phasor', 2],
      ['1.7 kHz', 'small-signal', 1],
      ['1.7 kHz', 'small-signal', 2],
      [2000, 'phasor', 1],
      [2000, 'phasor', 2],
      [2000, 'small-signal', 1],
      [2000, 'small-signal', 2],
    ]);
    expect(new Set(p.runs.map((r) => r.key)).size).toBe(8);
    expect(p.runs[0].decoded).toEqual({ 'error.frequency': 1700 });
    expect(p.runs[0].config).toMatchObject({ error: { kind: 'frequency', mode: 'phasor', frequency: '1.7 kHz' }, seed: 1 });
    expect(p.runs[2].config).toMatchObject({ optimizer: { batchSize: 4, learningRate: 0.2 } });
    expect(p.runs[3].label).toBe('error.frequency=1.7 kHz small-signal');
    // the key is that of the resolved config: the rule and activation it runs with, the optimizer's defaults
    expect(p.runs[0].key).toBe(
      runKey({ ...p.runs[0].config, activation: { kind: 'dc' }, rule: { kind: 'product' }, optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, batchSize: 4, bounds: 'project' } }, VERSIONS),
    );
    // written out in full, the same run has the same key
    const explicit = plan({
      base: { ...BASE, activation: { kind: 'dc' }, rule: { kind: 'product' }, optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, batchSize: 4, bounds: 'project' }, error: { kind: 'frequency', mode: 'phasor' } },
      sweep: { mode: 'grid', parameters: { 'error.frequency': ['1.7 kHz'] } },
      seeds: [1],
    });
    expect(explicit.runs[0].key).toBe(p.runs[0].key);
  });

  it('a path that is no setting is named with the nearest ones; a value a codec refuses, with its run; before anything runs', () => {
    expect(problems(() => plan({ base: BASE, sweep: { mode: 'grid', parameters: { 'error.amplitud': [0.1], 'optimizer.learningRate': [0.1] } } }))).toEqual([
      'sweep.parameters["error.amplitud"]: "error.amplitud" is not a setting of the config (nearest: error.amplitude, error.kind, error.mode)',
    ]);
    expect(problems(() => plan({ base: BASE, sweep: { mode: 'grid', parameters: { seed: [1, 2] } } }))).toEqual(['sweep.parameters["seed"]: the seeds are swept by "seeds", not as a parameter']);
    expect(
      problems(() => plan({ base: BASE, sweep: { mode: 'grid', parameters: { 'error.amplitude': [0.01, -1], 'error.frequency': ['2 kHz', '3 V'] } }, seeds: [4] })),
    ).toEqual([
      'sweep.parameters["error.frequency"][1]: expected a frequency in Hz (such as "1.7 kHz"), got a voltage, "3 V", in run 2 (error.amplitude=0.01 error.frequency=3 V, seed 4)',
      'sweep.parameters["error.amplitude"][1]: expected a positive number, got -1, in run 3 (error.amplitude=-1 error.frequency=2 kHz, seed 4)',
    ]);
    // a problem of the base is said once, at its place in the sweep config
    expect(problems(() => plan({ base: { ...BASE, training: { epochs: 0 } }, sweep: { mode: 'grid', parameters: { 'error.amplitude': [0.01, 0.1] } } }))).toEqual([
      'base.training.epochs: expected a positive integer, got 0',
    ]);
  });

  it('a random search that draws a point twice runs it once', () => {
    const p = plan({ base: BASE, sweep: { mode: 'random', samples: 20, seed: 2, parameters: { 'optimizer.batchSize': { min: 2, max: 3, integer: true } } }, seeds: [1] });
    expect(p.points).toHaveLength(20);
    expect(p.runs.map((r) => r.point['optimizer.batchSize']).sort()).toEqual([2, 3]);
    expect(p.repeated).toBe(18);
  });

  it('the run config: the base without its seed, the point set at its paths, then the seed', () => {
    const sweep = decodeSweep({ base: { ...BASE, seed: 3, name: 'b' }, sweep: { mode: 'grid', parameters: { 'substrate.network.hidden': [[5]] } } });
    expect(sweepRunConfig(sweep, { 'substrate.network.hidden': [5] }, undefined, 3)).toEqual({ ...BASE, name: 'b', substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [5] } }, seed: 3 });
  });
});

describe('the run store: resuming', () => {
  it('keeps one file per key, written once; a store opened again knows them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'multimech-store-'));
    try {
      const p = plan({ base: BASE, sweep: { mode: 'grid', parameters: { 'error.amplitude': [0.01, 0.1] } }, seeds: [1] });
      const store = RunStore.open(dir);
      const result = { history: [], summary: { final_loss: 1, epochs: 0, seconds: 0 }, secondsPerEpoch: 0 };
      expect(store.write(p.runs[0], result)).toBe(true);
      expect(store.write(p.runs[0], { ...result, summary: { ...result.summary, final_loss: 2 } })).toBe(false);
      expect(RunStore.existsIn(dir)).toBe(true);
      const again = RunStore.open(dir);
      expect(p.runs.map((r) => again.has(r.key))).toEqual([true, false]);
      expect(again.read(p.runs[0].key)).toMatchObject({ key: p.runs[0].key, seed: 1, point: { 'error.amplitude': 0.01 }, result: { summary: { final_loss: 1 } } });
      expect(readdirSync(path.join(dir, 'runs'))).toEqual([`${p.runs[0].key}.json`]);
      // the same plan made again has the same keys: its finished run is skipped
      const replanned = plan({ base: BASE, sweep: { mode: 'grid', parameters: { 'error.amplitude': [0.01, 0.1, 1] } }, seeds: [1] });
      expect(replanned.runs.filter((r) => !again.has(r.key)).map((r) => r.point['error.amplitude'])).toEqual([0.1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
