import * as t from 'io-ts';
import {
  MultimechError,
  NumericalError,
  RelaxationTimes,
  SETTLE_TOLERANCE,
  dissipationOf,
  dynamicsOf,
  placeProblems,
  restatingSolverFailures,
  settlingTime,
  significant,
  edgeDrops,
  transportOf,
  type ErrorContext,
  type ErrorMechanism,
  type ErrorReading,
  type ErrorRecord,
  type PhysicalCost,
  type Substrate,
  type TransportNetwork,
} from '@multimech/core';
import { largestEigenvalue } from '@multimech/sparse';
import { chemicalErrorSettings, resolveChemicalErrorConfig, type ChemicalErrorConfig, type ChemicalErrorSettings } from './chemical-error-config';
import { chemicalDiagnostics } from './chemical-diagnostics';
import { TransportOperator, type TransportSolver } from './transport-operator';

/** Chemical signalling's error mechanism (PHYSICS.md §4). */
export interface ChemicalError extends ErrorMechanism {
  readonly kind: 'chemical';
  readonly produces: 'product';
  /** The config with its defaults filled in. */
  readonly settings: ChemicalErrorSettings;
}

/**
 * A concentration counts as negative below −1e-12 of the largest concentration
 * scale in play (|c₀| and the largest |c − c₀|): rounding, not a violation.
 */
const ROUNDING = 1e-12;

/**
 * Chemical signalling (PHYSICS.md §4): the error travels as the
 * concentration c of a chemical that does not change the flow.
 *
 * - Sources σ = λ e at the free nodes, where e = −∂C/∂s is the error force
 *   (for MSE at node outputs σ_o = λ (y_o − p*_o); any loss and difference
 *   outputs work the same way). Where the flow problem holds the pressure
 *   the chemical is held at its baseline c₀.
 * - Steady state: Σ_j D_ij (c_i − c_j) (+ upwind advection) = σ_i.
 * - Diffusivity `conductance`: D_k = γ k_k. Then c − c₀ = (λ/γ) u exactly,
 *   and the readings are the exact Δu. `area`: D_k = γ' A_k with A_k = π r_k²
 *   from the substrate, γ' = γ·mean(k)/mean(A) recomputed at every
 *   measurement, so that the mean diffusivity matches the conductance law
 *   and only the spread of D across tubes departs from it.
 * - Readings: (γ/λ)(c_a − c_b) per tube, so that in the exact case they are
 *   Δu and the product rule gives the adjoint gradient; the update is
 *   −α Δp Δc up to the constant γ/λ.
 * - Advection: the flows Q = transport.flows(p*) carry the chemical,
 *   upwind. The Péclet number of tube k is Pe_k = |Q_k| / D_k, its advective
 *   over its diffusive transport (for a tube of length L, cross-section A
 *   and molecular diffusivity 𝒟, D = 𝒟A/L and Pe = vL/𝒟 with v = Q/A);
 *   reported as `pecletMax` and `pecletMedian`. With D = γk, Pe_k = |Δp_k|/γ.
 * - Relaxation: the edges read c after `time`, integrating
 *   V dδ/dt = σ − M δ from δ = 0 by implicit Euler in `steps` steps, with V
 *   the node volumes (1, or half the volume A_k L_k of each tube that meets
 *   at the node). `relaxationResidual` = ||σ − M δ(T)|| / ||σ||: 1 at the
 *   start, 0 at steady state.
 * - Non-negativity: c must stay ≥ 0. `negativeCount` counts the nodes
 *   whose concentration fell below zero at any time of the measurement,
 *   `negativeMin` is the lowest concentration reached (0 when none was
 *   negative) and `requiredBaseline` the smallest c₀ that keeps every
 *   concentration non-negative. With `nonNegative: 'error'` a violation
 *   throws instead. Two species carry the positive and negative parts of σ,
 *   each non-negative (the operator is an M-matrix, its inverse and every
 *   implicit Euler step are non-negative); the reading is c_A − c_B.
 *   Concentrations are never clipped.
 */
export function createChemicalError(config: ChemicalErrorConfig = {}): ChemicalError {
  return chemicalError(resolveChemicalErrorConfig(config));
}

/** The chemical error mechanism of its settings (see `createChemicalError`). */
export function chemicalError(settings: ChemicalErrorSettings): ChemicalError {
  const operators = new WeakMap<TransportNetwork, TransportOperator>();
  let cached: { net: TransportNetwork; diffusivity: Float64Array; dt: number; solver: TransportSolver } | undefined;

  const operatorOf = (net: TransportNetwork): TransportOperator => {
    let op = operators.get(net);
    if (!op) {
      op = new TransportOperator(net.graph, net.fixedNodes);
      operators.set(net, op);
    }
    return op;
  };

  /** Without advection the operator depends only on the tubes: one factorization per parameter update. */
  const symmetricSolver = (net: TransportNetwork, op: TransportOperator, D: Float64Array, dt: number, shift?: Float64Array): TransportSolver => {
    if (cached && cached.net === net && cached.dt === dt && sameValues(cached.diffusivity, D)) return cached.solver;
    const solver = op.solver(op.assemble(D, undefined, shift), true);
    cached = { net, diffusivity: Float64Array.from(D), dt, solver };
    return solver;
  };

  /** The transport's slowest relaxation time, once per parameter vector (it depends on the tubes only). */
  let slowest: { substrate: Substrate; theta: Float64Array; tau: number; failure?: string } | undefined;
  const flowRelaxation = new RelaxationTimes();

  /**
   * The physical time of a measurement (PHYSICS.md §4): the relaxation time
   * when one is configured; else the time the chemical takes to come within
   * `steadyTolerance` of its steady state from c = c₀, τ ln(1/tolerance),
   * with τ the slowest mode of V dδ/dt = −L_D δ: the largest eigenvalue of
   * V^½ L_D⁻¹ V^½, V the nodes' volumes (half of the volume A L of each tube
   * that meets there) and L_D the diffusive transport operator (D from the
   * diffusivity, the tube lengths and radii). Advection is left out of τ:
   * its operator's symmetric part is positive semi-definite, so it can only
   * speed the approach (the V-norm of δ − δ∞ decays at least as e^(−t/τ)),
   * and the time given bounds the time taken. A substrate with dynamics of
   * its own adds its settling. The flow dissipates Σ k Δp² meanwhile.
   */
  const costOf = (context: ErrorContext, net: TransportNetwork, op: TransportOperator, D: Float64Array): PhysicalCost => {
    const { substrate, activation } = context;
    const dissipative = dissipationOf(substrate);
    const dynamic = dynamicsOf(substrate);
    const flowTau = dynamic ? flowRelaxation.at(dynamic, activation.state) : 0;
    const flowSettling = dynamic && Number.isFinite(flowTau) ? settlingTime(flowTau) : 0;
    const flowNote = dynamic ? `; the network's own settling, ${significant(flowSettling, 4)} s, added` : '';
    const withTime = (chemical: number, note: string): PhysicalCost => {
      const seconds = chemical + flowSettling;
      return {
        physical: true,
        equilibria: 2,
        seconds,
        ...(dissipative ? { energy: dissipative.power(activation.state) * seconds } : {}),
        note: note + flowNote,
      };
    };
    if (dynamic && !Number.isFinite(flowTau)) {
      return { physical: true, equilibria: 2, note: `the network's own slowest relaxation time is not finite (${flowRelaxation.failure ?? 'it never settles'}): not defined` };
    }
    if (settings.relaxation) return withTime(settings.relaxation.time, `the configured relaxation time, ${significant(settings.relaxation.time)} s`);
    const theta = substrate.parameters;
    if (!slowest || slowest.substrate !== substrate || !sameValues(slowest.theta, theta)) {
      slowest = { substrate, theta: Float64Array.from(theta), tau: NaN };
      try {
        slowest.tau = transportRelaxationTime(net, op, symmetricSolver(net, op, D, 0));
      } catch (e) {
        slowest.failure = (e as Error).message;
      }
    }
    const tau = slowest.tau;
    if (!Number.isFinite(tau)) return { physical: true, equilibria: 2, note: `the transport's slowest relaxation time could not be computed: ${slowest.failure ?? 'not a number'}` };
    const tolerance = settings.steadyTolerance ?? SETTLE_TOLERANCE;
    return withTime(
      settlingTime(tau, tolerance),
      `steady state within ${significant(tolerance)}: ln(1/${significant(tolerance)}) τ with the transport's slowest relaxation time τ = ${significant(tau, 4)} s (the tubes' volumes)` +
        (settings.advection ? '; advection left out of τ, so the time bounds the time taken' : ''),
    );
  };

  return {
    kind: 'chemical',
    produces: 'product',
    settings,
    measure(context) {
      const net = transportOf(context.substrate);
      if (!net) {
        throw new MultimechError(
          `error mechanism 'chemical' needs a substrate with the 'transport' capability; '${context.substrate.kind}' does not provide it`,
        );
      }
      return measure(context, net, operatorOf(net), settings, symmetricSolver, costOf);
    },
  };
}

/**
 * The slowest relaxation time of the chemical's diffusive transport on the
 * tubes, with the nodes' volumes from the tubes (half of A L of each tube
 * that meets at a node): the largest eigenvalue τ of V^½ L_D⁻¹ V^½ (Lanczos,
 * with `solver` the factorization of L_D).
 */
export function transportRelaxationTime(net: TransportNetwork, op: TransportOperator, solver: TransportSolver): number {
  const volume = nodeVolumes(net, op, 'tubes');
  const root = volume.map(Math.sqrt);
  return restatingSolverFailures(
    () =>
      largestEigenvalue(
        (v) => {
          const [x] = solver.solveMany([v.map((y, i) => root[i] * y)]);
          return x.map((y, i) => root[i] * y);
        },
        op.size,
        { what: "chemical transport's slowest relaxation time", tolerance: 1e-6 },
      ),
    "chemical transport's slowest relaxation time",
  );
}

type SymmetricSolver = (net: TransportNetwork, op: TransportOperator, D: Float64Array, dt: number, shift?: Float64Array) => TransportSolver;
type CostOf = (context: ErrorContext, net: TransportNetwork, op: TransportOperator, D: Float64Array) => PhysicalCost;

function measure(
  context: ErrorContext,
  net: TransportNetwork,
  op: TransportOperator,
  settings: ChemicalErrorSettings,
  symmetricSolver: SymmetricSolver,
  costOf: CostOf,
): ErrorReading {
  const { activation, errorForce } = context;
  const { lambda, gamma, baseline, relaxation } = settings;
  const names = net.graph.edgeNames;
  const D = diffusivities(net, settings);
  const flows = settings.advection ? net.flows(activation.state) : undefined;
  if (flows) checkValues(flows, false, 'flow of tube', (i) => names[i]);
  checkValues(errorForce, false, 'error force at node', (i) => net.graph.nodeNames[i]);

  const sigma = op.gather(errorForce, lambda);
  const sources =
    settings.species === 'one'
      ? [sigma]
      : [sigma.map((s) => Math.max(s, 0)), sigma.map((s) => Math.max(-s, 0))];
  const tracker = new NegativityTracker(op, baseline);

  let deltas: Float64Array[];
  const diagnostics: Record<string, number> = {};
  if (!relaxation) {
    const solver = flows ? op.solver(op.assemble(D, flows), false) : symmetricSolver(net, op, D, 0);
    deltas = solver.solveMany(sources);
    deltas.forEach((d) => tracker.observe(d));
  } else {
    const dt = relaxation.time / relaxation.steps;
    const volume = nodeVolumes(net, op, relaxation.volumes);
    const shift = volume.map((v) => v / dt);
    const solver = flows ? op.solver(op.assemble(D, flows, shift), false) : symmetricSolver(net, op, D, dt, shift);
    deltas = sources.map((s) => new Float64Array(s.length));
    for (let step = 0; step < relaxation.steps; step++) {
      const rhs = deltas.map((d, i) => d.map((x, r) => shift[r] * x + sources[i][r]));
      deltas = solver.solveMany(rhs, deltas);
      deltas.forEach((d) => tracker.observe(d));
    }
    const steady = op.assemble(D, flows);
    let res2 = 0;
    let src2 = 0;
    deltas.forEach((d, i) => {
      const r = residual(steady, d, sources[i]);
      res2 += r.residual;
      src2 += r.source;
    });
    diagnostics.relaxationResidual = src2 > 0 ? Math.sqrt(res2 / src2) : 0;
  }
  for (const d of deltas) checkValues(d, false, 'chemical concentration at node', (r) => net.graph.nodeNames[op.freeNodes[r]]);

  // What each tube reads: the drop of c (of c_A − c_B for two species), scaled by γ/λ.
  const concentration = deltas.map((d) => op.scatter(d, baseline));
  const drops = edgeDrops(net.graph, concentration[0]);
  if (concentration.length === 2) {
    const dropsB = edgeDrops(net.graph, concentration[1]);
    for (let k = 0; k < drops.length; k++) drops[k] -= dropsB[k];
  }
  const readings = drops.map((x) => (gamma / lambda) * x);

  if (flows) {
    const pe = Float64Array.from(flows, (q, k) => Math.abs(q) / D[k]).sort();
    diagnostics.pecletMax = pe.length ? pe[pe.length - 1] : 0;
    diagnostics.pecletMedian = median(pe);
  }
  const { lowestNode, ...negative } = tracker.summary();
  Object.assign(diagnostics, negative);
  if (negative.negativeCount > 0 && settings.nonNegative === 'error') {
    const node = net.graph.nodeNames[lowestNode];
    // a failure of the run, not of the config as written: one message, naming the settings that fix it
    const [problem] = placeProblems([
      {
        section: 'error',
        key: 'baseline',
        message: (at) =>
          `chemical concentration fell to ${negative.negativeMin.toPrecision(4)} at node '${node}' (${negative.negativeCount} node(s) went negative, baseline c₀ = ${baseline}): ` +
          `the baseline c₀ (${at('baseline')}) must be at least ${negative.requiredBaseline.toPrecision(4)} to cover the most negative signal` +
          (settings.species === 'one' ? `, or use two species (${at('species')} = 'two')` : ' (two species stay non-negative on a non-negative baseline)'),
      },
    ]);
    throw new MultimechError(problem.message);
  }
  return { readings, diagnostics, cost: costOf(context, net, op, D) };
}

/** D_k = γ k_k, or γ' A_k with γ' = γ·mean(k)/mean(A). */
function diffusivities(net: TransportNetwork, settings: ChemicalErrorSettings): Float64Array {
  const names = net.graph.edgeNames;
  const k = net.hydraulicConductance();
  checkValues(k, true, 'hydraulic conductance of tube', (i) => names[i]);
  if (settings.diffusivity === 'conductance') return k.map((x) => settings.gamma * x);
  const area = net.area();
  checkValues(area, true, 'area of tube', (i) => names[i]);
  const scale = (settings.gamma * mean(k)) / mean(area);
  return area.map((a) => scale * a);
}

/** Node volumes on the free rows: 1, or half of Σ A_k L_k over the tubes that meet at the node. */
function nodeVolumes(net: TransportNetwork, op: TransportOperator, volumes: 'unit' | 'tubes'): Float64Array {
  if (volumes === 'unit') return new Float64Array(op.size).fill(1);
  const area = net.area();
  const length = net.length();
  checkValues(area, true, 'area of tube', (i) => net.graph.edgeNames[i]);
  checkValues(length, true, 'length of tube', (i) => net.graph.edgeNames[i]);
  const v = new Float64Array(net.graph.nodeNames.length);
  const { from, to } = net.graph;
  for (let k = 0; k < from.length; k++) {
    v[from[k]] += 0.5 * area[k] * length[k];
    v[to[k]] += 0.5 * area[k] * length[k];
  }
  return op.gather(v);
}

/** The lowest concentration each node reaches over a measurement. */
class NegativityTracker {
  /** Lowest δ = c − c₀ per free row. */
  private readonly lowest: Float64Array;
  private scale = 0;

  constructor(
    private readonly op: TransportOperator,
    private readonly baseline: number,
  ) {
    this.lowest = new Float64Array(op.size).fill(Infinity);
  }

  /** Records one species' state δ on the free rows (c = c₀ + δ there, c₀ where it is held). */
  observe(delta: Float64Array): void {
    const lowest = this.lowest;
    let scale = this.scale;
    for (let r = 0; r < lowest.length; r++) {
      const d = delta[r];
      if (d < lowest[r]) lowest[r] = d;
      if (d > scale) scale = d;
      else if (-d > scale) scale = -d;
    }
    this.scale = scale;
  }

  /** Nodes that went below zero (beyond rounding), the lowest concentration, and the smallest baseline that covers every signal. */
  summary(): { negativeCount: number; negativeMin: number; requiredBaseline: number; lowestNode: number } {
    const c0 = this.baseline;
    const floor = -ROUNDING * Math.max(this.scale, Math.abs(c0));
    const held = this.op.graph.nodeNames.length - this.op.size;
    let count = c0 < floor ? held : 0;
    let min = held > 0 ? c0 : Infinity;
    let lowestNode = held > 0 ? this.op.freeIndex.indexOf(-1) : -1;
    let lowestDelta = 0;
    for (let r = 0; r < this.lowest.length; r++) {
      const d = this.lowest[r];
      if (c0 + d < floor) count++;
      if (c0 + d < min) {
        min = c0 + d;
        lowestNode = this.op.freeNodes[r];
      }
      if (d < lowestDelta) lowestDelta = d;
    }
    return { negativeCount: count, negativeMin: count > 0 ? min : 0, requiredBaseline: lowestDelta < 0 ? -lowestDelta : 0, lowestNode };
  }
}

function residual(M: { rows: number; rowPtr: Int32Array; colIdx: Int32Array; values: Float64Array }, x: Float64Array, b: Float64Array) {
  let res = 0;
  let src = 0;
  for (let i = 0; i < M.rows; i++) {
    let s = b[i];
    for (let p = M.rowPtr[i]; p < M.rowPtr[i + 1]; p++) s -= M.values[p] * x[M.colIdx[p]];
    res += s * s;
    src += b[i] * b[i];
  }
  return { residual: res, source: src };
}

/** Throws a NumericalError at the first entry that is not finite (or, with `positive`, not above zero). */
function checkValues(values: ArrayLike<number>, positive: boolean, what: string, name: (i: number) => string): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x - x !== 0 || (positive && !(x > 0))) {
      throw new NumericalError(`chemical transport: ${what} '${name(i)}' must be finite${positive ? ' and positive' : ''}, got ${x}`);
    }
  }
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mean(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / Math.max(values.length, 1);
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

export const chemicalErrorRecord: ErrorRecord<ChemicalErrorSettings> = {
  kind: 'chemical',
  description:
    'chemical signalling on a flow network: sources λe at the outputs, a baseline where the pressure is held, steady-state or relaxing transport (diffusion ∝ k or ∝ r², optional upwind advection); exact with D ∝ k at steady state',
  configCodec: chemicalErrorSettings,
  requires: ['transport', 'linear'],
  produces: 'product',
  // a relaxing transport integrates `steps` implicit steps per measurement
  sizes: (settings) => (settings.relaxation ? [{ limit: 'samples', count: settings.relaxation.steps, key: 'relaxation.steps', what: 'integration steps per measurement' }] : []),
  create: chemicalError,
  diagnostics: chemicalDiagnostics,
  /** The chemical follows a steady pressure field: an activation at ω₁ has none to follow. */
  check: (_config, activation) =>
    activation.carrier.type === 'dc'
      ? []
      : [
          {
            section: 'activation',
            key: 'kind',
            message: `error mechanism 'chemical' needs a static (DC) activation: its sources λ(y − p) and its transport follow a steady pressure field, but activation '${activation.kind}' drives the inputs at ${activation.carrier.frequency} Hz`,
          },
        ],
};
