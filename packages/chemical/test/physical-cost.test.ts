/**
 * The physical time of a chemical measurement (PHYSICS.md §4): the time the
 * chemical takes to come within its tolerance of steady state, from the
 * slowest mode of its transport, against diffusion times known in closed
 * form; the configured relaxation time when there is one; and the energy
 * the flow dissipates meanwhile.
 */
import { type Boundary, type PhysicalCost, Rng, createGraph, dcActivation, mseLoss, stateLoss, uniformBounds } from '@multimech/core';
import { FlowSubstrate } from '@multimech/flow';
import { createChemicalError, type ChemicalErrorConfig } from '../src';

/** A chain of `n` equal tubes from a reservoir at node 0 (p = 1) to a dead end at node n, the output. */
function chain(n: number, tube: { readonly radius: number; readonly length: number; readonly viscosity: number }): FlowSubstrate {
  const names = Array.from({ length: n + 1 }, (_, i) => `n${i}`);
  const graph = createGraph(names, Array.from({ length: n }, (_, k) => ({ name: `t${k + 1}`, from: k, to: k + 1 })));
  const boundary: Boundary = {
    dirichlet: Int32Array.from([0]),
    dirichletNames: ['P'],
    inputs: [{ name: 'P', type: 'potential', node: 0, dirichletIndex: 0 }],
    outputs: [{ name: `n${n}`, node: n }],
  };
  return new FlowSubstrate({
    graph,
    boundary,
    parameter: 'radius',
    parameters: new Float64Array(n).fill(tube.radius),
    viscosity: tube.viscosity,
    length: tube.length,
    bounds: uniformBounds(n, 1e-3, 1e3),
  });
}

/** Two equal tubes in series between reservoirs at 1 and 0, the middle node the output. */
function series(tube: { readonly radius: number; readonly length: number; readonly viscosity: number }): FlowSubstrate {
  const graph = createGraph(['in', 'mid', 'out'], [
    { name: 't1', from: 0, to: 1 },
    { name: 't2', from: 1, to: 2 },
  ]);
  const boundary: Boundary = {
    dirichlet: Int32Array.from([0, 2]),
    dirichletNames: ['P', 'gnd'],
    inputs: [{ name: 'P', type: 'potential', node: 0, dirichletIndex: 0 }],
    outputs: [{ name: 'mid', node: 1 }],
  };
  return new FlowSubstrate({
    graph,
    boundary,
    parameter: 'radius',
    parameters: [tube.radius, tube.radius],
    viscosity: tube.viscosity,
    length: tube.length,
    bounds: uniformBounds(2, 1e-3, 1e3),
  });
}

function costOf(substrate: FlowSubstrate, config: ChemicalErrorConfig): PhysicalCost {
  const drive = substrate.drive([1]);
  const activation = dcActivation.activate(substrate, drive);
  const loss = stateLoss(substrate, mseLoss, [0.25]);
  const { force } = loss.evaluate(activation.state);
  return createChemicalError(config).measure({ substrate, activation, errorForce: force, loss, rng: new Rng(0) }).cost!;
}

/**
 * With D = γk = γπr⁴/(8μL) per tube and node volumes A L (half at the dead
 * end), the chain is the diffusion equation on [0, nL] with the effective
 * diffusivity 𝒟 = D L / A = γr²/(8μ), held at one end and closed at the
 * other: its slowest mode has rate (4𝒟/L²) sin²(π/4n), so
 * τ = L² / (4𝒟 sin²(π/4n)), about 4(nL)²/(π²𝒟) for a long chain.
 */
function chainTau(n: number, tube: { readonly radius: number; readonly length: number; readonly viscosity: number }, gamma: number): number {
  const diffusivity = (gamma * tube.radius ** 2) / (8 * tube.viscosity);
  return tube.length ** 2 / (4 * diffusivity * Math.sin(Math.PI / (4 * n)) ** 2);
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('the physical time of a chemical measurement', () => {
  const tube = { radius: 1e-3, length: 0.01, viscosity: 1e-3 };

  it('is ln(1/tolerance) times the slowest diffusion time of a chain of tubes, L²/(4𝒟 sin²(π/4n))', () => {
    for (const n of [1, 4, 10]) {
      const tau = chainTau(n, tube, 2);
      const cost = costOf(chain(n, tube), { gamma: 2 });
      expect(cost.physical).toBe(true);
      expect(cost.equilibria).toBe(2);
      expect(relative(cost.seconds!, tau * Math.log(1e7))).toBeLessThan(1e-6);
      expect(cost.note).toMatch(/^steady state within 1e-7: ln\(1\/1e-7\) τ with the transport's slowest relaxation time τ = /);
      const loose = costOf(chain(n, tube), { gamma: 2, steadyTolerance: 1e-3 });
      expect(relative(loose.seconds!, tau * Math.log(1e3))).toBeLessThan(1e-6);
    }
    // the closed form's long-chain limit, 4(nL)²/(π²𝒟), as a check on the formula itself
    const long = chainTau(400, tube, 2);
    expect(relative(long, (4 * (400 * tube.length) ** 2) / (Math.PI ** 2 * ((2 * tube.radius ** 2) / (8 * tube.viscosity))))).toBeLessThan(1e-4);
  });

  it('scales as L²/D: twice the tube length takes four times as long, twice the diffusivity half as long', () => {
    const base = costOf(chain(5, tube), {}).seconds!;
    expect(relative(costOf(chain(5, { ...tube, length: 2 * tube.length }), {}).seconds!, 4 * base)).toBeLessThan(1e-6);
    expect(relative(costOf(chain(5, tube), { gamma: 2 }).seconds!, base / 2)).toBeLessThan(1e-6);
    // advection only speeds the approach: the time given for it is the diffusive bound, said so
    const advected = costOf(chain(5, tube), { advection: true });
    expect(relative(advected.seconds!, base)).toBeLessThan(1e-12);
    expect(advected.note).toMatch(/advection left out of τ, so the time bounds the time taken$/);
  });

  it('is the relaxation time when one is configured', () => {
    const cost = costOf(chain(5, tube), { relaxation: { time: 3.5, steps: 10 } });
    expect(cost.seconds).toBe(3.5);
    expect(cost.note).toBe('the configured relaxation time, 3.5 s');
  });

  it('dissipates the flow power Σ k Δp² meanwhile: two tubes in series, one free node of volume A L and τ = A L/(2γk)', () => {
    const r = 2e-3;
    const t = { radius: r, length: 0.05, viscosity: 1e-3 };
    const k = (Math.PI * r ** 4) / (8 * t.viscosity * t.length);
    const tau = (Math.PI * r ** 2 * t.length) / (2 * 3 * k); // γ = 3
    expect(relative(tau, (4 * t.viscosity * t.length ** 2) / (3 * r ** 2))).toBeLessThan(1e-12);
    const cost = costOf(series(t), { gamma: 3 });
    const seconds = tau * Math.log(1e7);
    expect(relative(cost.seconds!, seconds)).toBeLessThan(1e-6);
    // 1 Pa across two conductances k in series: Q = k/2, P = Q·Δp = k/2 (each tube: k (1/2)²)
    expect(relative(cost.energy!, (k / 2) * seconds)).toBeLessThan(1e-6);
  });
});
