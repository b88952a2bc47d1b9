import * as t from 'io-ts';
import {
  NumericalError,
  RelaxationTimes,
  SettingsError,
  dissipationOf,
  significant,
  decodeOrThrow,
  type SectionProblem,
  Rng,
  TransientIntegrator,
  dynamicsOf,
  slowestRelaxationTime,
  type Carrier,
  type Drive,
  type DynamicSubstrate,
  type ErrorContext,
  type ErrorMechanism,
  type ErrorReading,
  type ErrorRecord,
  type PhysicalCost,
  type ActivationMechanism,
  type SizeClaim,
  type Substrate,
} from '@multimech/core';
import { frequencyErrorSettings, type FrequencyErrorConfig, type FrequencyErrorSettings } from './frequency-error-config';
import { planFrequencies, type FrequencyPlan } from './frequency-plan';
import { frequencyDiagnostics } from './frequency-diagnostics';
import { lockIn } from './lock-in';

/** Frequency propagation's error mechanism: the error injected at ω₂ and read by lock-in. */
export interface FrequencyError extends ErrorMechanism {
  readonly kind: 'frequency';
  /** 'product' (the lock-in readout) or 'time-series'. */
  readonly produces: 'product' | 'time-series';
  /** The config with its defaults filled in. */
  readonly settings: FrequencyErrorSettings;
  /** The window and sample count for an activation carrier; throws a SettingsError when they do not work. */
  plan(carrier: Carrier, linear?: boolean): FrequencyPlan;
}

/** Largest sampled block held at once (values), so long windows on big networks stay in bounded memory. */
const BLOCK_VALUES = 1 << 20;

/**
 * Frequency propagation (PHYSICS.md §3.1, §3.2): the outputs carry the error
 * current `β e cos(ω₂t)` beside the activation at ω₁ (or DC), and each edge
 * reads the in-phase amplitude of its own drop at each frequency.
 *
 * - `phasor` mode returns the ideal lock-in coefficients of a linear
 *   substrate: a = the activation readings, b = β·Δu with u = H⁻¹e.
 *   Measurement noise σ on the samples becomes its exact equivalent on the
 *   coefficients, a normal deviate of standard deviation σ√(2/N) (σ√(1/N)
 *   for a DC mean). Refused on a substrate without 'linear'.
 * - `small-signal` mode is the same computation read as the β → 0 limit,
 *   u = H(s*)⁻¹e with H at the free state: on a linear substrate it equals
 *   `phasor`; on a nonlinear one it is the exact adjoint, with no β
 *   dependence (β only scales the modelled noise).
 * - `transient` mode samples the joint response at N times over the window
 *   and demodulates it: the DC part (or the ω₁ part) is the activation
 *   reading, the first harmonic at ω₂ over β the error reading, with the
 *   noise added to each edge's sampled drop. A memoryless substrate is
 *   solved at each sample (a linear one: one factorization serves every
 *   sample; a nonlinear one: one Newton solve per sample, warm-started from
 *   the previous sample); one with 'dynamics' is integrated in time
 *   (`measureDynamicTransient`). Exact at any β on linear memoryless
 *   substrates (superposition); on a nonlinear memoryless substrate with a
 *   DC activation both readings are exact to O(β²), and so is the gradient
 *   (PHYSICS.md §3.2).
 *
 * On a substrate with 'dynamics' (capacitances), `phasor` (and `small-signal`) mode solves the
 * response at ω₂ = 2π·frequency, u = (H + iω₂C)⁻¹e: the update uses its
 * in-phase part Re u, and the diagnostic `quadratureRms` is the rms of the
 * quadrature readings Im Δu relative to the rms of the in-phase ones. The
 * update is exact only as ω₂ → 0: Re u differs from H⁻¹e at O((ω₂RC)²),
 * Im u grows as O(ω₂RC) (PHYSICS.md §3.3).
 *
 * On a substrate without 'linear' the lock-in readout accepts only a DC
 * activation: with an AC activation the product of the two coefficients is
 * not the gradient. The time-series readout (`"readout": "time-series"`,
 * rule 'time-average') is the rule for that case.
 *
 * Diagnostics: `samples`, `window`; `quadratureRms` =
 * rms(quadrature)/rms(in-phase) of the error readings, the same measure in
 * every mode (reported in transient mode and wherever there are dynamics);
 * `resonanceRatio` = ω₂/ω₀ where the substrate gives its lowest resonance;
 * with dynamics in transient mode, `settleWindows`, `relaxationTime` (when
 * settle was chosen from it) and `transientNewtonMax`.
 */
export function frequencyError(settings: FrequencyErrorSettings): FrequencyError {
  const ownRng = settings.seed !== undefined ? new Rng(settings.seed) : undefined;
  const plan = (carrier: Carrier, linear = true) => planFrequencies(carrier, settings, { linear });
  const relaxation = new RelaxationTimes();
  return {
    kind: 'frequency',
    produces: settings.readout === 'time-series' ? 'time-series' : 'product',
    settings,
    plan,
    measure(context) {
      const linear = context.substrate.capabilities.has('linear');
      if (settings.readout === 'time-series') {
        const problems = timeSeriesProblems(context.activation.carrier, settings, context.substrate);
        if (problems.length > 0) throw new SettingsError(problems);
        return measureTimeSeries(context, settings);
      }
      if (!linear) refuseNonlinear(context.activation.carrier, settings);
      const p = plan(context.activation.carrier, linear);
      const rng = ownRng ?? context.rng;
      if (settings.mode !== 'transient') return { ...measurePhasor(context, p, settings, rng), cost: lockInCost(context, p, settings, relaxation) };
      const dynamic = dynamicsOf(context.substrate);
      return dynamic ? measureDynamicTransient(context, dynamic, p, settings, rng) : { ...measureTransient(context, p, settings, rng), cost: lockInCost(context, p, settings, relaxation) };
    },
    ...(ownRng ? { randomState: () => ownRng.snapshot(), restoreRandomState: (state) => ownRng.restore(state) } : {}),
  };
}

/** A frequency error config decoded (bad values refused at their paths under `error`) into the mechanism. */
export function createFrequencyError(config: FrequencyErrorConfig = {}): FrequencyError {
  return frequencyError(decodeOrThrow(frequencyErrorSettings, config, 'error'));
}

/**
 * What frequency propagation cannot do on a substrate without 'linear'
 * (PHYSICS.md §3.2), as a SettingsError naming the setting and the
 * alternative: an AC activation, and the ideal `phasor` mode.
 */
function refuseNonlinear(carrier: Carrier, settings: FrequencyErrorSettings): void {
  if (carrier.type === 'ac') {
    throw new SettingsError([
      {
        section: 'activation',
        key: 'kind',
        message:
          `frequency propagation on a nonlinear substrate needs a DC activation: with the inputs at ${carrier.frequency} Hz the product of the ` +
          'two lock-in coefficients is not the gradient there (superposition fails); the time average of the instantaneous product of the ' +
          "two drops is the gradient of the time-averaged loss, which is the 'time-average' rule's job (PHYSICS.md §3.2), never a silent " +
          `substitute: use { "kind": "dc" }, or "error": { "kind": "frequency", "readout": "time-series", "mode": "small-signal" } with "rule": { "kind": "time-average" }`,
      },
    ]);
  }
  if (settings.mode === 'phasor') {
    throw new SettingsError([
      {
        section: 'error',
        key: 'mode',
        message:
          "'phasor' is the ideal lock-in of a linear network (exact at any β), and this substrate is nonlinear: use 'small-signal' " +
          "(the β → 0 limit, u = H(s*)⁻¹e at the free state) or 'transient' (Newton solves sampled in time, exact to O(β²))",
      },
    ]);
  }
}

function measurePhasor(context: ErrorContext, plan: FrequencyPlan, settings: FrequencyErrorSettings, rng: Rng): ErrorReading {
  const { substrate, activation, errorForce } = context;
  const beta = settings.amplitude;
  const dynamic = dynamicsOf(substrate);
  let du: Float64Array;
  let quadratureRms: number | undefined;
  if (dynamic) {
    const { real, imag } = dynamic.phasorResponse(activation.state, [errorForce], 2 * Math.PI * settings.frequency);
    du = substrate.errorReadings(activation.state, real[0]);
    const dq = substrate.errorReadings(activation.state, imag[0]);
    const inPhase = rms(du);
    quadratureRms = inPhase > 0 ? rms(dq) / inPhase : 0;
  } else {
    const [u] = substrate.linearResponse(activation.state, [errorForce]);
    du = substrate.errorReadings(activation.state, u);
  }
  const a = Float64Array.from(activation.readings);
  const b = new Float64Array(du.length);
  for (let k = 0; k < b.length; k++) b[k] = beta * du[k];
  if (settings.noise > 0) {
    const sa = settings.noise * Math.sqrt((plan.activationCycles > 0 ? 2 : 1) / plan.samples);
    const sb = settings.noise * Math.sqrt(2 / plan.samples);
    for (let k = 0; k < b.length; k++) {
      a[k] += sa * rng.normal();
      b[k] += sb * rng.normal();
    }
  }
  const readings = new Float64Array(b.length);
  for (let k = 0; k < b.length; k++) readings[k] = b[k] / beta;
  const diagnostics = {
    samples: plan.samples,
    window: plan.window,
    ...(quadratureRms !== undefined ? { quadratureRms } : {}),
    ...resonance(dynamic, activation.state, settings.frequency),
  };
  return { readings, activationReadings: a, diagnostics };
}

/** `resonanceRatio` = ω₂/ω₀ where the substrate knows its lowest natural frequency ω₀ (springs with masses). */
function resonance(dynamic: DynamicSubstrate | undefined, state: Float64Array, frequency: number): { resonanceRatio?: number } {
  const omega0 = dynamic?.lowestResonance?.(state);
  return omega0 !== undefined && omega0 > 0 && Number.isFinite(omega0) ? { resonanceRatio: (2 * Math.PI * frequency) / omega0 } : {};
}

function rms(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** The joint drive at sample index n: the activation (cos ω₁t, or DC) plus β e cos(ω₂t) at the outputs, written into `drive`. */
function jointDrive(context: ErrorContext, plan: FrequencyPlan, beta: number): { drive: Drive; set(n: number): void } {
  const source = context.activation.drive;
  const { samples: N, activationCycles: k1, errorCycles: k2 } = plan;
  const drive: Drive = { injection: new Float64Array(source.injection.length), fixed: new Float64Array(source.fixed.length) };
  return {
    drive,
    set(n) {
      const c1 = k1 > 0 ? Math.cos((2 * Math.PI * ((k1 * n) % N)) / N) : 1;
      const c2 = beta * Math.cos((2 * Math.PI * ((k2 * n) % N)) / N);
      for (let i = 0; i < drive.injection.length; i++) drive.injection[i] = c1 * source.injection[i] + c2 * context.errorForce[i];
      for (let i = 0; i < drive.fixed.length; i++) drive.fixed[i] = c1 * source.fixed[i];
    },
  };
}

/**
 * The window's N samples of every edge's drop (`dropsAt(n)` for n = 0 … N−1,
 * in order), with the measurement noise added, demodulated by lock-in in
 * blocks of bounded memory: the in-phase amplitude at ω₁ (or the DC mean)
 * and the in-phase and quadrature amplitudes at ω₂.
 */
function sampleAndDemodulate(plan: FrequencyPlan, m: number, noise: number, rng: Rng, dropsAt: (n: number) => Float64Array) {
  const { samples: N, window } = plan;
  const block = Math.max(1, Math.min(N, Math.floor(BLOCK_VALUES / Math.max(1, m))));
  const series = new Float64Array(block * m);
  const a = new Float64Array(m);
  const b = new Float64Array(m);
  const q = new Float64Array(m);
  for (let first = 0; first < N; first += block) {
    const count = Math.min(block, N - first);
    for (let j = 0; j < count; j++) {
      const drops = dropsAt(first + j);
      const base = j * m;
      if (noise > 0) for (let k = 0; k < m; k++) series[base + k] = drops[k] + noise * rng.normal();
      else series.set(drops, base);
    }
    const [act, err] = lockIn(series.subarray(0, count * m), [plan.activationFrequency, plan.errorFrequency], { channels: m, window, samples: N, first });
    for (let k = 0; k < m; k++) {
      a[k] += act.inPhase[k];
      b[k] += err.inPhase[k];
      q[k] += err.quadrature[k];
    }
  }
  return { a, b, q };
}

function measureTransient(context: ErrorContext, plan: FrequencyPlan, settings: FrequencyErrorSettings, rng: Rng): ErrorReading {
  const { substrate, activation } = context;
  const beta = settings.amplitude;
  const joint = jointDrive(context, plan, beta);
  const { a, b, q } = sampleAndDemodulate(plan, activation.readings.length, settings.noise, rng, (n) => {
    joint.set(n);
    return substrate.activationReadings(substrate.equilibrium(joint.drive));
  });
  return {
    readings: b.map((v) => v / beta),
    activationReadings: a,
    diagnostics: { quadratureRms: relativeRms(q, b), samples: plan.samples, window: plan.window },
  };
}

/** rms(quadrature)/rms(in-phase): how far from quasi-static a reading is, the same in every mode (0 when both vanish). */
function relativeRms(quadrature: Float64Array, inPhase: Float64Array): number {
  const ip = rms(inPhase);
  return ip > 0 ? rms(quadrature) / ip : 0;
}

/** The start-up transient must decay by this factor before the window opens: e^(−16.2) ≈ 1e-7. */
const SETTLE_DECAY = 16.2;

/**
 * What a lock-in measurement costs physically: the window T and the whole
 * windows the network settles for before it (PHYSICS.md §3.3). The settling
 * is what the run did (`settled`, transient mode with dynamics), else
 * `settle` where it is set, else, on a network with dynamics, enough windows
 * for the slowest relaxation time τ to decay by e^(−16.2) (as transient mode
 * chooses them), and none on a memoryless one. The energy is the power the
 * network dissipates in the activation's state (its mean over the period,
 * half the amplitude's, for an AC activation) over that time; the error
 * signal's own power, β² smaller, is left out.
 */
function lockInCost(
  context: ErrorContext,
  plan: FrequencyPlan,
  settings: FrequencyErrorSettings,
  relaxation: RelaxationTimes | undefined,
  settled?: { readonly windows: number; readonly tau?: number },
): PhysicalCost {
  const { substrate, activation } = context;
  const { window } = plan;
  const dynamic = dynamicsOf(substrate);
  let windows = settled?.windows ?? settings.settle;
  let tau = settled?.tau;
  if (windows === undefined && dynamic && relaxation) {
    tau = relaxation.at(dynamic, activation.state);
    if (!Number.isFinite(tau)) {
      return {
        physical: true,
        equilibria: 1,
        note:
          tau === Infinity
            ? 'a degree of freedom with mass but no damping never settles: not defined'
            : `the slowest relaxation time could not be computed: ${relaxation.failure ?? 'not a number'}`,
      };
    }
    windows = Math.ceil((SETTLE_DECAY * tau) / window);
  }
  windows ??= 0;
  const seconds = (windows + 1) * window;
  const dissipative = dissipationOf(substrate);
  const mean = activation.carrier.type === 'ac' ? 0.5 : 1;
  const reference = plan.activationFrequency > 0 ? plan.activationFrequency : plan.errorFrequency;
  const settling =
    windows > 0
      ? ` after ${windows} settling window(s)${tau !== undefined ? ` (slowest relaxation time τ = ${significant(tau, 4)} s)` : ''}`
      : dynamic
        ? ''
        : ', no settling (a memoryless network)';
  return {
    physical: true,
    equilibria: 1,
    seconds,
    ...(dissipative ? { energy: mean * dissipative.power(activation.state) * seconds } : {}),
    note: `lock-in window T = ${settings.periods} periods of ${significant(reference)} Hz = ${significant(window, 4)} s${settling}`,
  };
}
/** The most windows `settle` chooses by itself; beyond it the run asks for an explicit `settle`. */
const MAX_AUTO_SETTLE = 200;

/**
 * Transient mode on a substrate with dynamics (PHYSICS.md §3.3): the
 * network is integrated in time (core's TransientIntegrator: BDF2, Newton
 * per step) from its free state under the activation and the error current
 * β e cos(ω₂t), with one step per sample (h = T/N). After `settle` whole
 * windows, chosen so that the slowest relaxation time τ has decayed by 1e-7
 * unless given, the next window is read by lock-in: the in-phase amplitudes
 * give the readings, the quadrature is reported relative to them. The
 * numbers depend on h as O((ωh)²): more samples per period, closer to the
 * phasor response (H − ω²M + iωΓ)⁻¹.
 */
function measureDynamicTransient(context: ErrorContext, dynamic: DynamicSubstrate, plan: FrequencyPlan, settings: FrequencyErrorSettings, rng: Rng): ErrorReading {
  const { activation } = context;
  const beta = settings.amplitude;
  const { samples: N, window, activationCycles: k1 } = plan;
  const source = activation.drive;
  const ac = k1 > 0;
  // a DC activation starts from its equilibrium; an AC one from rest with the held dofs at their t = 0 values
  const start = ac ? new Float64Array(activation.state.length) : Float64Array.from(activation.state);
  if (ac) dynamic.boundary.dirichlet.forEach((dof, i) => (start[dof] = source.fixed[i]));
  let settle = settings.settle;
  let tau: number | undefined;
  if (settle === undefined) {
    tau = slowestRelaxationTime(dynamic, activation.state);
    if (!Number.isFinite(tau)) {
      throw new NumericalError(
        `transient frequency propagation on substrate '${dynamic.kind}': a dof has mass but no damping, so the start-up transient never dies; give it a damping, or set error.settle`,
      );
    }
    settle = Math.ceil((SETTLE_DECAY * tau) / window);
    if (settle > MAX_AUTO_SETTLE) {
      throw new NumericalError(
        `transient frequency propagation: the slowest relaxation time τ = ${tau.toPrecision(3)} s needs ${settle} windows of ${window.toPrecision(3)} s to settle to 1e-7; ` +
          'set error.settle to the number of windows to integrate before reading (fewer leave part of the start-up transient in the reading), or use a higher error.frequency',
      );
    }
  }
  const integrator = new TransientIntegrator(dynamic, start, { step: window / N });
  const joint = jointDrive(context, plan, beta);
  let newtonMax = 0;
  const advanceTo = (stepIndex: number) => {
    joint.set(stepIndex);
    newtonMax = Math.max(newtonMax, integrator.advance(joint.drive).iterations);
  };
  const first = settle * N;
  for (let step = 1; step <= first; step++) advanceTo(step);
  // sample n of the window is the state after step first + n (sample 0: the state the settling left)
  const { a, b, q } = sampleAndDemodulate(plan, activation.readings.length, settings.noise, rng, (n) => {
    if (n > 0) advanceTo(first + n);
    return dynamic.activationReadings(integrator.state);
  });
  const readings = b.map((v) => v / beta);
  return {
    readings,
    activationReadings: a,
    cost: lockInCost(context, plan, settings, undefined, { windows: settle, tau }),
    diagnostics: {
      quadratureRms: relativeRms(q, b),
      samples: N,
      window,
      settleWindows: settle,
      ...(tau !== undefined ? { relaxationTime: tau } : {}),
      transientNewtonMax: newtonMax,
      ...resonance(dynamic, activation.state, settings.frequency),
    },
  };
}

/**
 * What the time-series readout cannot do, as problems at their config paths:
 * it averages over the AC activation's period (a DC one has none), reads each
 * instant's error response in the β → 0 limit (mode 'small-signal'), on a
 * memoryless network (each instant an equilibrium), without modelled noise.
 */
function timeSeriesProblems(carrier: Carrier, settings: FrequencyErrorSettings, substrate?: { capabilities: ReadonlySet<string>; kind: string }): SectionProblem[] {
  const problems: SectionProblem[] = [];
  if (carrier.type !== 'ac') {
    problems.push({ section: 'activation', key: 'kind', message: (at) => `the time-series readout (${at('readout', 'error')}) averages over the activation's period: it needs { "kind": "ac" }` });
  }
  if (settings.mode !== 'small-signal') {
    problems.push({
      section: 'error',
      key: 'mode',
      message: `the time-series readout reads each instant's error response as u(t) = H(s(t))⁻¹e(t), the β → 0 limit: use mode 'small-signal', not '${settings.mode}'`,
    });
  }
  if (settings.noise > 0) problems.push({ section: 'error', key: 'noise', message: 'measurement noise is not modelled for the time-series readout: remove it' });
  if (substrate?.capabilities.has('dynamics')) {
    problems.push({
      section: 'error',
      key: 'readout',
      message: `the time-series readout takes each instant as an equilibrium, and this '${substrate.kind}' network has dynamics (capacitances or masses): use the lock-in readout`,
    });
  }
  return problems;
}

/**
 * The time-series readout (PHYSICS.md §3.2, last paragraph): the inputs
 * follow x cos(ω₁t) slowly enough that the memoryless network is at its
 * equilibrium s(t) at every instant; the error current at the outputs
 * follows the instantaneous error e(t) = −∂C/∂s(s(t)), and each edge reads
 * its drop Δs(t) and its error response Δu(t), u(t) = H(s(t))⁻¹e(t), at
 * samplesPerPeriod instants tⱼ = j/(M f₁) of the period. Rule
 * 'time-average' averages their products: the gradient of the loss
 * averaged over those instants, (1/M) Σⱼ C(s(tⱼ)). On a nonlinear network
 * that is not what the product of the two lock-in coefficients gives.
 */
function measureTimeSeries(context: ErrorContext, settings: FrequencyErrorSettings): ErrorReading {
  const { substrate, activation, loss } = context;
  const M = settings.samplesPerPeriod;
  const source = activation.drive;
  const drive: Drive = { injection: new Float64Array(source.injection.length), fixed: new Float64Array(source.fixed.length) };
  const series = { activation: [] as Float64Array[], error: [] as Float64Array[] };
  const m = activation.readings.length;
  const meanA = new Float64Array(m);
  const meanB = new Float64Array(m);
  const dissipative = dissipationOf(substrate);
  let power = 0;
  for (let j = 0; j < M; j++) {
    const c = Math.cos((2 * Math.PI * j) / M);
    for (let i = 0; i < drive.injection.length; i++) drive.injection[i] = c * source.injection[i];
    for (let i = 0; i < drive.fixed.length; i++) drive.fixed[i] = c * source.fixed[i];
    const state = substrate.equilibrium(drive);
    if (dissipative) power += dissipative.power(state);
    const { force } = loss.evaluate(state);
    const [u] = substrate.linearResponse(state, [force]);
    const a = substrate.activationReadings(state);
    const b = substrate.errorReadings(state, u);
    series.activation.push(a);
    series.error.push(b);
    for (let k = 0; k < m; k++) {
      meanA[k] += a[k] / M;
      meanB[k] += b[k] / M;
    }
  }
  // one period of the activation, the network following it quasi-statically: the power averaged over the instants read
  const period = 1 / (activation.carrier.type === 'ac' ? activation.carrier.frequency : NaN);
  const cost: PhysicalCost = {
    physical: true,
    equilibria: 1,
    seconds: period,
    ...(dissipative ? { energy: (power / M) * period } : {}),
    note: `one period of the ${significant(1 / period)} Hz activation (${significant(period)} s), followed quasi-statically and read at ${M} instants`,
  };
  return { readings: meanB, activationReadings: meanA, series, diagnostics: { instants: M }, cost };
}

/**
 * What one measurement simulates, counted before any runs: in transient
 * mode, N = samplesPerPeriod × the periods of the highest frequency in the
 * window, times the windows it settles for first (when `settle` is given;
 * chosen, it is at most MAX_AUTO_SETTLE), and the N samples of every
 * edge's drop it keeps; with the time-series readout, samplesPerPeriod
 * readings per edge.
 */
export function frequencySizes(settings: FrequencyErrorSettings, activation: ActivationMechanism, substrate?: Substrate): SizeClaim[] {
  const f1 = activation.carrier.type === 'ac' ? activation.carrier.frequency : 0;
  const cycles = f1 > 0 ? Math.max(settings.periods, Math.round((settings.periods * settings.frequency) / f1)) : settings.periods;
  const window = settings.samplesPerPeriod * cycles;
  const claims: SizeClaim[] = [];
  const key = settings.samplesPerPeriod >= settings.periods ? 'samplesPerPeriod' : 'periods';
  if (settings.mode === 'transient') {
    const windows = 1 + (settings.settle ?? 0);
    claims.push({
      limit: 'samples',
      count: window * windows,
      key: windows > 1 && settings.settle! >= cycles ? 'settle' : key,
      what: `samples per measurement (samplesPerPeriod × ${f1 > 0 ? 'the periods of the higher frequency in the window' : 'periods'}${windows > 1 ? ' × (settle + 1) windows' : ''})`,
    });
    if (substrate) claims.push({ limit: 'values', count: window * substrate.graph.from.length, key, what: "sampled drops kept per measurement (N samples × the network's edges)" });
  }
  if (settings.readout === 'time-series' && substrate) {
    claims.push({ limit: 'values', count: settings.samplesPerPeriod * substrate.graph.from.length, key: 'samplesPerPeriod', what: "time-series readings (samplesPerPeriod × the network's edges)" });
  }
  return claims;
}

export const frequencyErrorRecord: ErrorRecord<FrequencyErrorSettings> = {
  kind: 'frequency',
  description:
    'frequency propagation: the error injected at the outputs at ω₂ (default 1700 Hz) and read by lock-in, ideal (phasor, linear substrates), ' +
    'its β → 0 limit (small-signal) or in time (transient: sampled equilibria, or integrated where the network has dynamics); ' +
    'exact on linear memoryless substrates, exact to O(β²) on nonlinear ones with a DC activation',
  configCodec: frequencyErrorSettings,
  requires: [],
  produces: 'product',
  producesFor: (settings) => (settings.readout === 'time-series' ? 'time-series' : 'product'),
  sizes: frequencySizes,
  create: frequencyError,
  diagnostics: frequencyDiagnostics,
  gradient: {
    options: [
      {
        key: 'mode',
        value: 'mode',
        help: 'ideal lock-in (phasor, linear networks), its β → 0 limit (small-signal) or a transient (sampled; integrated in time where there are capacitors); default: phasor on a linear network, small-signal on a nonlinear one',
        type: 'string',
        choices: ['phasor', 'small-signal', 'transient'],
      },
      { key: 'amplitude', value: 'B', help: 'error amplitude β (A)', type: 'positive' },
      { key: 'frequency', value: 'F', help: 'error frequency (Hz)', type: 'positive' },
      { key: 'periods', value: 'P', help: 'lock-in window in periods', type: 'positive-integer' },
      { key: 'samplesPerPeriod', value: 'N', help: 'transient mode: samples per period', type: 'positive-integer' },
      {
        key: 'settle',
        value: 'W',
        help: 'transient mode on a network with dynamics: windows integrated before the one read (default: enough for the slowest relaxation time to decay by 1e-7)',
        type: 'integer',
      },
    ],
    // the ideal lock-in needs a linear network: on another one, the β → 0 limit, said so
    defaultsFor: (substrate, given) =>
      given.mode !== undefined || substrate.capabilities.has('linear')
        ? { section: {} }
        : {
            section: { mode: 'small-signal' },
            note: "mode small-signal (the β → 0 limit: the exact adjoint), chosen because the network is nonlinear; 'transient' with an amplitude B measures at a finite β, exact to O(B²)",
          },
  },
  check(settings, activation, substrate) {
    if (settings.readout === 'time-series') return timeSeriesProblems(activation.carrier, settings, substrate);
    try {
      const linear = substrate?.capabilities.has('linear') ?? true;
      if (!linear) refuseNonlinear(activation.carrier, settings);
      planFrequencies(activation.carrier, settings, { linear });
      return [];
    } catch (e) {
      if (e instanceof SettingsError) return e.sectionProblems;
      throw e;
    }
  },
};
