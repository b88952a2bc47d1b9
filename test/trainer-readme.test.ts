import { readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

it('the trainer README snippet trains, and continues from its checkpoint to the 40-epoch run', () => {
  const config = {
    seed: 3,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 24, test: 12 },
    error: { kind: 'frequency', mode: 'phasor' },
    optimizer: { learningRate: 0.1, momentum: 0.9, batchSize: 6 },
    training: { epochs: 20 },
  };
  const plugins = [resistivePlugin, frequencyPlugin];
  const { trainer } = createExperiment(config, plugins);
  const epochs: number[] = [];
  trainer.on('epoch', (e) => epochs.push(e.epoch));
  const result = trainer.run();
  expect(epochs).toEqual([...Array(21).keys()]);
  expect(Object.keys(result.summary).sort()).toEqual(['epochs', 'final_loss', 'relative_error', 'seconds']);
  expect(result.history[20].trainLoss).toBeLessThan(0.5 * result.history[0].trainLoss);

  const longer = createExperiment({ ...config, training: { epochs: 40 } }, plugins).trainer;
  longer.restore(JSON.parse(JSON.stringify(trainer.checkpoint())));
  const continued = longer.run();
  const whole = createExperiment({ ...config, training: { epochs: 40 } }, plugins).trainer.run();
  expect(continued.summary.epochs).toBe(40);
  expect(continued.summary.final_loss).toBe(whole.summary.final_loss);
});

it("the README's step-API snippet runs as written: the conductance as written, one example per update drawn with replacement, the loss falls", () => {
  const readme = readFileSync(path.join(__dirname, '..', 'packages', 'trainer', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## One update at a time'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const printed: unknown[][] = [];
  new Function('require', 'console', 'exports', js)(require, { log: (...args: unknown[]) => printed.push(args) }, {});
  expect(printed[0]).toEqual([true]);
  expect(printed.slice(1, 4).map((p) => p[0])).toEqual([20, 40, 60]);
  // one example per update, and the learning rate of the update's epoch (12 updates per epoch)
  expect(printed.slice(1, 4).map((p) => (p[1] as number[]).length)).toEqual([1, 1, 1]);
  expect(printed.slice(1, 4).map((p) => p[2])).toEqual([0.5 * 0.9, 0.5 * 0.9 * 0.9 * 0.9, 0.5 * 0.9 * 0.9 * 0.9 * 0.9]);
  expect(printed[4]).toEqual([true]);
});
