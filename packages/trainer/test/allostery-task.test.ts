import { ConfigProblem, corePlugin, createRegistries, decodeSection } from '@multimech/core';
import { createAllosteryTask, trainerPlugin } from '@multimech/trainer';

const registries = createRegistries([corePlugin, trainerPlugin]);

function problemsOf(config: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  decodeSection(registries.tasks, { kind: 'allostery', ...config }, 'task', problems);
  return problems;
}

describe('allostery task', () => {
  it('targets each output pair at its ratio times the source strain', () => {
    const task = createAllosteryTask({ targets: [0.5, -0.25], strains: [0.1, -0.2], test: [0.04] });
    expect(task).toMatchObject({ kind: 'allostery', inputCount: 1, inputType: 'potential', outputCount: 2, outputNames: ['target1', 'target2'] });
    expect(task.train.map((e) => [...e.inputs])).toEqual([[0.1], [-0.2]]);
    expect(task.train.map((e) => [...e.target])).toEqual([[0.05, -0.025], [-0.1, 0.05]]);
    expect([...task.test[0].target]).toEqual([0.02, -0.01]);
    expect(task.loss.value([0.05, 0], [0.05, -0.025])).toBeCloseTo(0.5 * 0.025 ** 2, 12);
    // defaults: one source strain of 0.1, tested on the training strains
    const plain = createAllosteryTask({ targets: [1] });
    expect(plain.train.map((e) => e.inputs[0])).toEqual([0.1]);
    expect(plain.test.map((e) => e.target[0])).toEqual([0.1]);
  });

  it('refuses bad configs at their JSON paths', () => {
    expect(problemsOf({ targets: [0.5] })).toEqual([]);
    expect(problemsOf({})).toEqual([{ path: 'task.targets', message: expect.stringContaining('expected') }]);
    expect(problemsOf({ targets: [] })).toEqual([{ path: 'task.targets', message: 'expected at least one ratio (one per target pair), got none' }]);
    expect(problemsOf({ targets: [1], strains: [0.1, 0] })).toEqual([{ path: 'task.strains[1]', message: 'expected a non-zero finite number, got 0' }]);
    expect(problemsOf({ targets: [1], test: [] })).toEqual([{ path: 'task.test', message: 'expected at least one test strain, got none' }]);
  });
});
