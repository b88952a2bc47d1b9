/**
 * The deep resistive network as a substrate (kind `drn`): each mechanism
 * through the shared pipeline (activation → error → rule) gives what
 * `drnGradient` gives on the same network and example, and the ideal-diode
 * network's Hessian is that of the network with its held nodes held.
 */
import { Rng, adjointError, dcActivation, exampleGradient, mseLoss, productRule, type ErrorMechanism, type LearningRule } from '@multimech/core';
import { contrastiveRule, createCoupledLearning, createEquilibriumPropagation } from '@multimech/contrastive';
import { createFrequencyError } from '@multimech/frequency';
import { DeepResistiveNetwork, DrnSubstrate, IDEAL_DIODE, drnGradient, shockleyDrnDiode, type DrnDiode, type DrnMechanism } from '@multimech/resistive';
import { csrMultiply } from '@multimech/sparse';

function network(diode: DrnDiode, hidden: number[], seed: number): { net: DeepResistiveNetwork; inputs: Float64Array; target: Float64Array } {
  const rng = new Rng(seed);
  const pixels = 5;
  const net = new DeepResistiveNetwork({ inputs: 2 * pixels, hidden, outputs: 3 }, diode).initialize(rng, { biasGain: 0.05 });
  for (const w of net.weights) for (let i = 0; i < w.length; i++) w[i] += 0.05 + 0.1 * rng.next();
  net.setParameters(net.parameters);
  const x = Array.from({ length: pixels }, () => rng.next());
  return { net, inputs: Float64Array.from([...x.map((v) => 2 * v), ...x.map((v) => -2 * v)]), target: Float64Array.of(0, 1, 0) };
}

/** The largest difference relative to the largest entry of b. */
const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) ((d = Math.max(d, Math.abs(a[i] - b[i]))), (s = Math.max(s, Math.abs(b[i]))));
  return d / s;
};

const cases: [string, ErrorMechanism, LearningRule, DrnMechanism][] = [
  ['adjoint', adjointError, productRule, { kind: 'adjoint' }],
  ['frequency (small-signal)', createFrequencyError({ mode: 'small-signal' }), productRule, { kind: 'frequency' }],
  [
    'frequency (transient: the lock-in of quasi-static equilibria, β = 0.001, 8 samples)',
    createFrequencyError({ mode: 'transient', amplitude: 1e-3, periods: 1, samplesPerPeriod: 8 }),
    productRule,
    { kind: 'frequency', readout: 'lock-in', amplitude: 1e-3, samples: 8 },
  ],
  ['EP centred, β = 0.2', createEquilibriumPropagation({ beta: 0.2, variant: 'centred' }), contrastiveRule, { kind: 'ep', beta: 0.2 }],
  ['EP positive, β = 0.1', createEquilibriumPropagation({ beta: 0.1, variant: 'positive' }), contrastiveRule, { kind: 'ep', beta: 0.1, variant: 'positive' }],
  ['CL, η = 0.2', createCoupledLearning({ eta: 0.2 }), contrastiveRule, { kind: 'cl', eta: 0.2 }],
];

describe.each([
  ['ideal diodes', IDEAL_DIODE],
  ['Shockley diodes', shockleyDrnDiode(1e-6, 2)],
])('the drn substrate with %s', (_label, diode) => {
  const { net, inputs, target } = network(diode, [6, 4], 7);
  const substrate = new DrnSubstrate(net);

  it.each(cases)('%s through the shared pipeline equals drnGradient', (_name, error, rule, mechanism) => {
    const pipeline = { substrate, activation: dcActivation, error, rule, loss: mseLoss, rng: new Rng(1) };
    const shared = exampleGradient(pipeline, substrate.drive(inputs), target);
    const reference = drnGradient(net, { size: 1, inputs, targets: target }, mechanism);
    expect(relative(shared.gradient, reference.gradient)).toBeLessThan(1e-9);
    expect(shared.loss).toBeCloseTo(reference.loss, 12);
  });

  it('holds every node an ideal diode holds, and H·linearResponse(f) = f on the others', () => {
    const state = substrate.equilibrium(substrate.drive(inputs));
    const { matrix: H, freeDofs } = substrate.hessian(state);
    const held = substrate.offsets.length; // layers
    const atZero = [...Array(state.length).keys()].filter((i) => i > net.sizes[0] && state[i] === 0 && i < substrate.offsets[held - 1]);
    if (diode.kind === 'ideal') {
      expect(atZero.length).toBeGreaterThan(0);
      for (const i of atZero) expect(freeDofs).not.toContain(i);
    } else expect(freeDofs.length).toBe(state.length - 1 - net.sizes[0]);
    // symmetric
    const dense = new Map<string, number>();
    for (let i = 0; i < H.rows; i++) for (let p = H.rowPtr[i]; p < H.rowPtr[i + 1]; p++) dense.set(`${i},${H.colIdx[p]}`, H.values[p]);
    for (const [key, v] of dense) expect(dense.get(key.split(',').reverse().join(','))).toBe(v);
    // H v against central differences of the residual along a direction of the free dofs only (the held nodes stay held)
    const rng = new Rng(3);
    const v = new Float64Array(state.length);
    for (const d of freeDofs) v[d] = rng.uniform(-1, 1);
    const h = 1e-6;
    const drive = substrate.drive(inputs);
    const up = substrate.residual(state.map((s, i) => s + h * v[i]), drive);
    const down = substrate.residual(state.map((s, i) => s - h * v[i]), drive);
    const hv = csrMultiply(H, Float64Array.from(freeDofs, (d) => v[d]));
    expect(relative(hv, Float64Array.from(freeDofs, (d) => (up[d] - down[d]) / (2 * h)))).toBeLessThan(1e-6);
    // linearResponse with forces at hidden nodes as well as outputs
    const f = new Float64Array(state.length);
    for (const d of freeDofs) f[d] = rng.uniform(-1, 1);
    const [x] = substrate.linearResponse(state, [f]);
    expect(relative(csrMultiply(H, Float64Array.from(freeDofs, (d) => x[d])), Float64Array.from(freeDofs, (d) => f[d]))).toBeLessThan(1e-10);
    for (const i of atZero) if (diode.kind === 'ideal') expect(x[i]).toBe(0);
  });

  it('refuses a loss the layered nudge cannot follow, in one sentence', () => {
    const ce = { ...mseLoss, kind: 'cross-entropy', value: (y: ArrayLike<number>) => Math.log(1 + Math.exp(y[0])), gradient: (y: ArrayLike<number>) => Float64Array.of(1 / (1 + Math.exp(-y[0])), 0, 0) };
    const pipeline = { substrate, activation: dcActivation, error: createEquilibriumPropagation({ beta: 0.1 }), rule: contrastiveRule, loss: ce, rng: new Rng(1) };
    expect(() => exampleGradient(pipeline, substrate.drive(inputs), target)).toThrow(/quadratic in the outputs \(the MSE\)/);
  });
});

describe('the drn substrate solves a minibatch at once for the trainer', () => {
  const rng = new Rng(11);
  const { net } = network(IDEAL_DIODE, [6, 4], 9);
  const substrate = new DrnSubstrate(net);
  const examples = Array.from({ length: 3 }, (_, b) => {
    const x = Array.from({ length: 5 }, () => rng.next());
    return { inputs: Float64Array.from([...x.map((v) => 2 * v), ...x.map((v) => -2 * v)]), target: Float64Array.from([0, 1, 2], (j) => (j === b ? 1 : 0)) };
  });
  const batchable = cases.filter(([name]) => !name.startsWith('frequency'));

  it.each(batchable)('%s: the mean of the examples\' estimates, their losses, cost and diagnostics', (_name, error, rule) => {
    const pipeline = { substrate, activation: dcActivation, error, rule, loss: mseLoss, rng: new Rng(1) };
    const each = examples.map((ex) => exampleGradient(pipeline, substrate.drive(ex.inputs), ex.target));
    const mean = each[0].gradient.map((_, k) => each.reduce((a, r) => a + r.gradient[k], 0) / each.length);
    const batched = substrate.minibatchGradient({ activation: dcActivation, error, rule, loss: mseLoss, examples })!;
    expect(batched).toBeDefined();
    expect(relative(batched.gradient, mean)).toBeLessThan(1e-9);
    each.forEach((r, b) => expect(batched.losses[b]).toBeCloseTo(r.loss, 12));
    expect(batched.cost).toEqual(each[0].cost);
    expect(batched.diagnostics).toEqual(each[0].diagnostics);
  });

  it('answers undefined where it does not know the combination, and with minibatch off', () => {
    const ask = (over: Partial<Parameters<DrnSubstrate['minibatchGradient']>[0]>, s = substrate) =>
      s.minibatchGradient({ activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, examples, ...over });
    expect(ask({})).toBeDefined();
    expect(ask({ error: createFrequencyError({ mode: 'small-signal' }) })).toBeUndefined();
    expect(ask({ error: createEquilibriumPropagation({ beta: 0.1, variant: 'negative' }), rule: contrastiveRule })).toBeUndefined();
    expect(ask({ loss: { ...mseLoss, kind: 'cross-entropy' } })).toBeUndefined();
    expect(ask({ loss: { ...mseLoss, scaling: 'mean' } })).toBeUndefined();
    expect(ask({}, new DrnSubstrate(net, {}, { minibatch: false }))).toBeUndefined();
  });
});
