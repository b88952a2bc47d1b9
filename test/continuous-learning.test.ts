/**
 * Continuous-time learning (training.continuous): coupled learning on a
 * resistor network with node capacitances, the free and clamped copies
 * integrated in time while the conductances flow. As the ratio of the
 * update rate to the relaxation rate falls, training approaches
 * quasistatic coupled learning (measured: the distance between the
 * trained parameters falls in proportion to the ratio); at a ratio of 10
 * it no longer learns; every number stays finite. Bad settings are
 * refused at their config path, in the library and on the command line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run } from '@multimech/cli';
import { contrastivePlugin } from '@multimech/contrastive';
import { elasticPlugin } from '@multimech/elastic';
import { resistivePlugin } from '@multimech/resistive';
import { checkCheckpoint, createExperiment } from '@multimech/trainer';
import { slowestRelaxationTime, dynamicsOf } from '@multimech/core';

const FOLDER = join(__dirname, '..', 'examples', 'cl-continuous');
const BASE = JSON.parse(readFileSync(join(FOLDER, 'config.json'), 'utf8')) as Record<string, any>;

function experiment(change: (c: Record<string, any>) => void) {
  const config = JSON.parse(JSON.stringify(BASE));
  change(config);
  return createExperiment(config, [resistivePlugin, contrastivePlugin], { baseDir: FOLDER });
}

/** The trained parameters and history of a run at learning rate `lr` over `epochs`, quasistatic without a ratio. */
function train(lr: number, epochs: number, ratio?: number, twin?: object) {
  const e = experiment((c) => {
    c.optimizer.learningRate = lr;
    c.training = { epochs, ...(ratio !== undefined ? { continuous: { ratio } } : {}) };
    if (twin) c.error.twin = twin;
  });
  const start = Float64Array.from(e.substrate.parameters);
  const result = e.trainer.run();
  return { start, result, substrate: e.substrate, trainer: e.trainer };
}

const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (x, k) => x - b[k]));

describe('continuous-time coupled learning on a resistor network with capacitances', () => {
  it('approaches quasistatic coupled learning as the ratio falls: the distance of the trained parameters falls with the ratio', () => {
    const quasistatic = train(3e-5, 2);
    const moved = distance(quasistatic.result.parameters.values, quasistatic.start);
    const ratios = [1, 0.3, 0.1, 0.03];
    const gaps = ratios.map((ratio) => distance(train(3e-5, 2, ratio).result.parameters.values, quasistatic.result.parameters.values) / moved);
    console.log(`continuous-time CL, |θ(ratio) − θ(quasistatic)| / |θ(quasistatic) − θ0| after 2 epochs at α = 3e-5:\n${ratios.map((r, i) => `  ratio ${r}: ${gaps[i].toExponential(2)}`).join('\n')}`);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
    // about in proportion to the ratio once it is small: the copies relax for a few τ of each τ/ratio
    expect(gaps[2] / gaps[3]).toBeGreaterThan(2);
    expect(gaps[3]).toBeLessThan(0.06);
  });

  it('learns at a small ratio nearly as the quasistatic run does, and not at all at a ratio of 10; every figure finite', () => {
    const last = (r: ReturnType<typeof train>) => r.result.history[r.result.history.length - 1];
    const quasistatic = train(1e-4, 3);
    const slow = train(1e-4, 3, 0.1);
    const fast = train(1e-4, 3, 10);
    const first = quasistatic.result.history[0].trainLoss;
    console.log(`continuous-time CL, train loss after 3 epochs at α = 1e-4 (from ${first.toExponential(3)}): quasistatic ${last(quasistatic).trainLoss.toExponential(3)}, ratio 0.1 ${last(slow).trainLoss.toExponential(3)}, ratio 10 ${last(fast).trainLoss.toExponential(3)}`);
    expect(last(quasistatic).trainLoss).toBeLessThan(0.35 * first);
    expect(last(slow).trainLoss).toBeLessThan(1.3 * last(quasistatic).trainLoss);
    expect(last(fast).trainLoss).toBeGreaterThan(0.8 * first);
    for (const r of [slow, fast]) {
      for (const h of r.result.history) expect([h.trainLoss, h.testLoss].every(Number.isFinite)).toBe(true);
      const { min, max } = r.substrate.bounds;
      r.result.parameters.values.forEach((x, k) => expect(x >= min[k] && x <= max[k]).toBe(true));
    }
  });

  it('presents each example for τ/ratio, τ the network’s slowest relaxation time, and counts the energy both copies dissipate', () => {
    const { result, substrate, trainer } = train(1e-4, 1, 0.5);
    const e = experiment(() => undefined);
    const tau = slowestRelaxationTime(dynamicsOf(e.substrate)!, e.substrate.equilibrium(e.substrate.drive(e.task.train[0].inputs)));
    expect(tau).toBeGreaterThan(1e-6);
    expect(result.physicalCost!.secondsPerExample! * 0.5).toBeCloseTo(tau, 12);
    expect(result.physicalCost!.physical).toBe(true);
    // both copies dissipate throughout: the energy per example grows with the presentation's length
    const energy = result.physicalCost!.energyPerExample!;
    expect(energy).toBeGreaterThan(0);
    const twice = train(1e-4, 1, 0.25).result.physicalCost!.energyPerExample!;
    expect(twice / energy).toBeGreaterThan(1.6);
    expect(twice / energy).toBeLessThan(2.4);
    expect(trainer.stepsTaken).toBe(16);
    expect(substrate.parameters.every(Number.isFinite)).toBe(true);
  });

  it('runs on a diode network (Newton at every step): at ratio 0.1 every epoch’s loss within 5% of the quasistatic run’s', () => {
    const folder = join(__dirname, '..', 'examples', 'fidelity-reactance');
    const config = (training: object) => ({
      seed: 1,
      substrate: { kind: 'resistive', network: { netlist: 'network.cir', outputs: ['out'] } },
      task: { kind: 'regression', features: 2, outputs: 1, train: 10, test: 4 },
      error: { kind: 'cl', eta: 0.5 },
      optimizer: { learningRate: 1e-4, momentum: 0, batchSize: 1 },
      training,
    });
    const losses = (training: object) => createExperiment(config(training), [resistivePlugin, contrastivePlugin], { baseDir: folder }).trainer.run().history.map((h) => h.trainLoss);
    const quasistatic = losses({ epochs: 3 });
    const continuous = losses({ epochs: 3, continuous: { ratio: 0.1 } });
    expect(quasistatic[3]).toBeLessThan(0.5 * quasistatic[0]);
    continuous.forEach((l, i) => expect(Math.abs(l - quasistatic[i])).toBeLessThan(0.05 * quasistatic[i]));
  });

  it('resolves the optimizer without momentum (its default 0.9 does not apply)', () => {
    expect((experiment(() => undefined).resolvedConfig.optimizer as { momentum: number }).momentum).toBe(0);
    const e = experiment((c) => delete c.optimizer.momentum);
    expect((e.resolvedConfig.optimizer as { momentum: number }).momentum).toBe(0);
    expect((experiment((c) => delete c.training.continuous).resolvedConfig.optimizer as { momentum: number }).momentum).toBe(0);
    expect((experiment((c) => { delete c.training.continuous; delete c.optimizer.momentum; }).resolvedConfig.optimizer as { momentum: number }).momentum).toBe(0.9);
  });

  it('refuses the optimizer\'s hardware settings, measurement and damage beside it, each at its path (the flow takes no optimizer step and reads no instrument)', () => {
    const refused = (change: (c: Record<string, any>) => void) => {
      try {
        experiment(change);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused((c) => (c.optimizer.sign = { step: 0.01 }))).toMatch(/optimizer\.sign: continuous-time learning \(training\.continuous\) moves the parameters by a flow/);
    expect(refused((c) => (c.optimizer.updateProbability = 0.5))).toMatch(/optimizer\.updateProbability: .*does not apply to it/);
    expect(refused((c) => (c.training.measurement = { bits: 8 }))).toMatch(/training\.measurement: .*does not apply to it/);
    expect(refused((c) => (c.training.damage = { rate: 0.1 }))).toMatch(/training\.damage: .*does not apply to it/);
    expect(refused((c) => delete c.training.continuous)).toBe('accepted');
  });

  it('composes with a twin network: spread 0 trains as one network to the last bit, a spread of 2% still learns', () => {
    const ideal = train(1e-4, 2, 0.3).result.history.map((h) => h.trainLoss);
    expect(train(1e-4, 2, 0.3, { spread: 0 }).result.history.map((h) => h.trainLoss)).toEqual(ideal);
    const twin = train(1e-4, 2, 0.3, { spread: 0.02 }).result.history.map((h) => h.trainLoss);
    expect(twin).not.toEqual(ideal);
    expect(twin[twin.length - 1]).toBeLessThan(0.6 * twin[0]);
  });
});

describe('continuous-time equilibrium propagation: two nudged copies', () => {
  const distanceFromQuasistatic = (error: object, lr: number, ratios: number[]) => {
    const build = (training: object) =>
      experiment((c) => {
        c.error = error;
        c.optimizer.learningRate = lr;
        c.training = training;
      });
    const q = build({ epochs: 2 });
    const start = Float64Array.from(q.substrate.parameters);
    const quasistatic = q.trainer.run().parameters.values;
    const moved = distance(quasistatic, start);
    return ratios.map((ratio) => distance(build({ epochs: 2, continuous: { ratio } }).trainer.run().parameters.values, quasistatic) / moved);
  };

  it.each([
    ['positive', { kind: 'ep', variant: 'positive', beta: 1e-5 }],
    ['centred', { kind: 'ep', variant: 'centred', beta: 1e-5 }],
  ])('%s EP on the capacitor network approaches quasistatic EP as the ratio falls', (_, error) => {
    const gaps = distanceFromQuasistatic(error, 3e-7, [0.3, 0.1, 0.03]);
    console.log(`continuous-time EP (${JSON.stringify(error)}), relative distance from the quasistatic run after 2 epochs at α = 3e-7: ${gaps.map((g) => g.toExponential(2)).join(', ')} at ratios 0.3, 0.1, 0.03`);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(0.7 * gaps[i - 1]);
    expect(gaps[2]).toBeLessThan(0.15);
  });

  it('runs on a damped spring lattice (pair-distance outputs, Newton at every step): at ratio 0.1 it follows quasistatic EP', () => {
    const folder = join(__dirname, '..', 'examples', 'elastic-allostery');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const losses = (training: object) =>
      createExperiment(
        {
          ...config,
          substrate: { ...config.substrate, damping: 1 },
          activation: { kind: 'dc' },
          error: { kind: 'ep', variant: 'positive', beta: 0.01 },
          rule: { kind: 'contrastive' },
          optimizer: { learningRate: 100, momentum: 0, batchSize: 1 },
          training,
        },
        [elasticPlugin, contrastivePlugin],
        { baseDir: folder },
      ).trainer.run().history.map((h) => h.trainLoss);
    const quasistatic = losses({ epochs: 4 });
    const continuous = losses({ epochs: 4, continuous: { ratio: 0.1 } });
    const drop = quasistatic[0] - quasistatic[4];
    expect(drop).toBeGreaterThan(0);
    continuous.forEach((l, i) => {
      expect(Number.isFinite(l)).toBe(true);
      expect(Math.abs(l - quasistatic[i])).toBeLessThan(0.1 * drop);
    });
    expect(continuous[4]).toBeLessThan(continuous[0] - 0.8 * drop);
  });
});

describe('a continuous-time run resumed from a checkpoint', () => {
  it('continues to the last bit: the checkpoint holds τ and both copies’ states', () => {
    const build = () =>
      experiment((c) => {
        c.training = { epochs: 2, continuous: { ratio: 0.5 } };
        c.error.twin = { spread: 0.02 };
      });
    const straight = build().trainer.run();
    const first = build();
    const stopped = first.trainer.run({ stop: () => first.trainer.stepsTaken >= 16 });
    expect(stopped.stopped).toBe(true);
    const checkpoint = JSON.parse(JSON.stringify(first.trainer.checkpoint()));
    expect(checkpoint.continuousState).toHaveLength(1 + 2 * first.substrate.graph.nodeNames.length);
    const resume = (cp: object) => {
      const e = build();
      e.trainer.restore(checkCheckpoint(cp, e.trainer.parts));
      return e.trainer.run();
    };
    const resumed = resume(checkpoint);
    expect(Array.from(resumed.parameters.values)).toEqual(Array.from(straight.parameters.values));
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(straight.history.map((h) => h.trainLoss));
    // without the copies' states the copies start again at equilibrium: other numbers
    const { continuousState: _, ...cold } = checkpoint;
    expect(Array.from(resume(cold).parameters.values)).not.toEqual(Array.from(straight.parameters.values));
    // a state of another size, or one for a quasistatic run, is refused
    expect(() => checkCheckpoint({ ...checkpoint, continuousState: [1, 2, 3] }, build().trainer.parts)).toThrow(/continuousState: expected \d+ values/);
    const quasistatic = experiment((c) => (c.training = { epochs: 2 }));
    expect(() => checkCheckpoint(checkpoint, quasistatic.trainer.parts)).toThrow(/continuousState.*training\.continuous is not set/);
  });
});

describe('continuous-time learning refuses what it cannot run, at the config path', () => {
  const refusal = (change: (c: Record<string, any>) => void) => {
    try {
      experiment(change);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a refusal');
  };

  it.each([
    ['a ratio of 0', (c: any) => (c.training.continuous.ratio = 0), /training\.continuous\.ratio: expected a learning-rate to relaxation-rate ratio in \(0, 1e6\], got 0/],
    ['a negative ratio', (c: any) => (c.training.continuous.ratio = -1), /training\.continuous\.ratio: .*got -1/],
    ['dt above 1', (c: any) => (c.training.continuous.dt = 2), /training\.continuous\.dt: expected a time step in units of the relaxation time in \(0, 1\], got 2/],
    ['a ratio so small that a presentation takes a million steps', (c: any) => (c.training.continuous.ratio = 1e-5), /training\.continuous\.ratio: each example is presented for 1\/ratio = 100000 relaxation times/],
    ['momentum', (c: any) => (c.optimizer.momentum = 0.9), /optimizer\.momentum: continuous-time learning .* without momentum/],
    ['the exact adjoint', (c: any) => ((c.error = { kind: 'adjoint' }), (c.rule = { kind: 'product' })), /training\.continuous: error mechanism 'adjoint' has no continuous-time form/],
    [
      'a network without capacitances',
      (c: any) => (c.substrate = { kind: 'resistive', network: { generator: 'layered', hidden: [4] } }),
      /training\.continuous: the state is integrated in time, and this 'resistive' network has no dynamics/,
    ],
  ])('%s', (_, change, message) => {
    expect(refusal(change)).toMatch(message);
  });

  it('refuses coupled learning on a spring network (its clamp holds node values) and springs with masses', () => {
    const folder = join(__dirname, '..', 'examples', 'elastic-allostery');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const refused = (substrate: object, error: object) => {
      try {
        createExperiment({ ...config, substrate: { ...config.substrate, ...substrate }, activation: { kind: 'dc' }, error, rule: { kind: 'contrastive' }, optimizer: { learningRate: 1, momentum: 0 }, training: { epochs: 1, continuous: { ratio: 0.1 } } }, [elasticPlugin, contrastivePlugin], { baseDir: folder });
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ damping: 1 }, { kind: 'cl' })).toMatch(/training\.continuous: the second copy's outputs are held at node values, and this 'elastic' network has no single value per node/);
    expect(refused({ damping: 1, mass: 1 }, { kind: 'ep' })).toMatch(/training\.continuous: this 'elastic' network has inertia \(masses\)/);
    expect(refused({}, { kind: 'ep' })).toMatch(/training\.continuous: the state is integrated in time, and this 'elastic' network has no dynamics/);
  });

  it('on the command line: one line naming the path, exit code 1, for a bad ratio, a network without dynamics and a twin spread of 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multimech-continuous-'));
    try {
      copyFileSync(join(FOLDER, 'network.cir'), join(dir, 'network.cir'));
      const cases: [Record<string, any>, RegExp][] = [
        [{ ...BASE, training: { epochs: 1, continuous: { ratio: -0.5 } } }, /training\.continuous\.ratio: expected .* got -0\.5/],
        [{ ...BASE, substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } } }, /training\.continuous: the state is integrated in time, and this 'resistive' network has no dynamics/],
        [{ ...BASE, error: { kind: 'cl', twin: { spread: 1 } } }, /error\.twin\.spread: expected a relative spread in \[0, 1\), got 1/],
        [{ ...BASE, error: { kind: 'cl', twin: { spread: -0.1 } } }, /error\.twin\.spread: expected a relative spread in \[0, 1\), got -0\.1/],
      ];
      for (const [config, message] of cases) {
        const file = join(dir, 'config.json');
        writeFileSync(file, JSON.stringify(config));
        let stderr = '';
        const code = await run(['node', 'multimech', 'train', file, '--out', join(dir, 'out')], {
          stdout: { write: () => undefined },
          stderr: { write: (s: string) => (stderr += s), isTTY: false, columns: 120 },
          env: {},
        });
        expect(code).toBe(1);
        const lines = stderr.split('\n').filter((l) => l.startsWith('multimech: error: '));
        expect(lines).toHaveLength(1);
        expect(stderr).toMatch(message);
        expect(stderr).not.toMatch(/^\s+at /m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
