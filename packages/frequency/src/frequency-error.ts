import * as t from 'io-ts';
import { ConfigError, Rng, dynamicsOf, type Carrier, type Drive, type ErrorContext, type ErrorMechanism, type ErrorReading, type ErrorRecord } from '@multimech/core';
import { frequencyErrorConfig, resolveFrequencyErrorConfig, type FrequencyErrorConfig, type FrequencyErrorSettings } from './frequency-error-config';
import { planFrequencies, type FrequencyPlan } from './frequency-plan';
import { lockIn } from './lock-in';

/** Frequency propagation's error mechanism: the error injected at ω₂ and read by lock-in. */
export interface FrequencyError extends ErrorMechanism {
  readonly kind: 'frequency';
  readonly produces: 'product';
  /** The config with its defaults filled in. */
  readonly settings: FrequencyErrorSettings;
  /** The window and sample count for an activation carrier; throws a ConfigError when they do not work. */
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
 * - `transient` mode samples the joint response at N times over the window,
 *   solving the network at each (a linear substrate: one factorization
 *   serves every sample; a nonlinear one: one Newton solve per sample,
 *   warm-started from the previous sample), adds the noise to each edge's
 *   sampled drop, and demodulates: the DC part (or the ω₁ part) is the
 *   activation reading, the first harmonic at ω₂ over β the error reading.
 *   Exact at any β on linear substrates (superposition); on a nonlinear
 *   memoryless substrate with a DC activation both readings are exact to
 *   O(β²), and so is the gradient (PHYSICS.md §3.2).
 *
 * On a substrate with 'dynamics' (capacitances), `phasor` (and `small-signal`) mode solves the
 * response at ω₂ = 2π·frequency, u = (H + iω₂C)⁻¹e: the update uses its
 * in-phase part Re u, and the diagnostic `quadratureRms` is the rms of the
 * quadrature readings Im Δu relative to the rms of the in-phase ones. The
 * update is exact only as ω₂ → 0: Re u differs from H⁻¹e at O((ω₂RC)²),
 * Im u grows as O(ω₂RC) (PHYSICS.md §3.3).
 *
 * On a substrate without 'linear' only a DC activation is accepted: with an
 * AC activation the product of the two coefficients is not the gradient.
 */
export function createFrequencyError(config: FrequencyErrorConfig = {}, path = 'error'): FrequencyError {
  const settings = resolveFrequencyErrorConfig(config, path);
  const ownRng = settings.seed !== undefined ? new Rng(settings.seed) : undefined;
  const plan = (carrier: Carrier, linear = true) => planFrequencies(carrier, settings, { linear, path });
  return {
    kind: 'frequency',
    produces: 'product',
    settings,
    plan,
    measure(context) {
      const linear = context.substrate.capabilities.has('linear');
      if (!linear) refuseNonlinear(context.activation.carrier, settings, path);
      const p = plan(context.activation.carrier, linear);
      const rng = ownRng ?? context.rng;
      return settings.mode === 'transient' ? measureTransient(context, p, settings, rng) : measurePhasor(context, p, settings, rng);
    },
  };
}

/**
 * What frequency propagation cannot do on a substrate without 'linear'
 * (PHYSICS.md §3.2), as a ConfigError naming the config path and the
 * alternative: an AC activation, and the ideal `phasor` mode.
 */
function refuseNonlinear(carrier: Carrier, settings: FrequencyErrorSettings, path: string): void {
  if (carrier.type === 'ac') {
    throw new ConfigError([
      {
        path: 'activation.kind',
        message:
          `frequency propagation on a nonlinear substrate needs a DC activation: with the inputs at ${carrier.frequency} Hz the product of the ` +
          'two lock-in coefficients is not the gradient there (superposition fails); the time average of the instantaneous product of the ' +
          "two drops is the gradient of the time-averaged loss, which is the 'time-average' rule's job (PHYSICS.md §3.2, not built yet), " +
          `never a silent substitute; use { "kind": "dc" }`,
      },
    ]);
  }
  if (settings.mode === 'phasor') {
    throw new ConfigError([
      {
        path: `${path}.mode`,
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
  const diagnostics = { samples: plan.samples, window: plan.window, ...(quadratureRms !== undefined ? { quadratureRms } : {}) };
  return { readings, activationReadings: a, diagnostics };
}

function rms(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

function measureTransient(context: ErrorContext, plan: FrequencyPlan, settings: FrequencyErrorSettings, rng: Rng): ErrorReading {
  const { substrate, activation, errorForce } = context;
  const beta = settings.amplitude;
  const { samples: N, window, activationCycles: k1, errorCycles: k2 } = plan;
  const source = activation.drive;
  const drive: Drive = { injection: new Float64Array(source.injection.length), fixed: new Float64Array(source.fixed.length) };
  const m = activation.readings.length;
  const block = Math.max(1, Math.min(N, Math.floor(BLOCK_VALUES / Math.max(1, m))));
  const series = new Float64Array(block * m);
  const a = new Float64Array(m);
  const b = new Float64Array(m);
  const q = new Float64Array(m);
  const step = (2 * Math.PI) / N;
  for (let first = 0; first < N; first += block) {
    const count = Math.min(block, N - first);
    for (let j = 0; j < count; j++) {
      const n = first + j;
      const c1 = k1 > 0 ? Math.cos(step * ((k1 * n) % N)) : 1;
      const c2 = beta * Math.cos(step * ((k2 * n) % N));
      for (let i = 0; i < drive.injection.length; i++) drive.injection[i] = c1 * source.injection[i] + c2 * errorForce[i];
      for (let i = 0; i < drive.fixed.length; i++) drive.fixed[i] = c1 * source.fixed[i];
      const drops = substrate.activationReadings(substrate.equilibrium(drive));
      const base = j * m;
      if (settings.noise > 0) for (let k = 0; k < m; k++) series[base + k] = drops[k] + settings.noise * rng.normal();
      else series.set(drops, base);
    }
    const [act, err] = lockIn(series.subarray(0, count * m), [plan.activationFrequency, plan.errorFrequency], { channels: m, window, samples: N, first });
    for (let k = 0; k < m; k++) {
      a[k] += act.inPhase[k];
      b[k] += err.inPhase[k];
      q[k] += err.quadrature[k];
    }
  }
  const readings = new Float64Array(m);
  let quad = 0;
  for (let k = 0; k < m; k++) {
    readings[k] = b[k] / beta;
    quad += (q[k] / beta) ** 2;
  }
  return {
    readings,
    activationReadings: a,
    diagnostics: { quadratureRms: Math.sqrt(quad / Math.max(1, m)), samples: N, window },
  };
}

export const frequencyErrorRecord: ErrorRecord<FrequencyErrorConfig> = {
  kind: 'frequency',
  description:
    'frequency propagation: the error injected at the outputs at ω₂ (default 1700 Hz) and read by lock-in, ideal (phasor, linear substrates), ' +
    'its β → 0 limit (small-signal) or sampled (transient); exact on linear substrates, exact to O(β²) on nonlinear ones with a DC activation',
  configCodec: frequencyErrorConfig as t.Type<FrequencyErrorConfig, unknown, unknown>,
  requires: [],
  produces: 'product',
  create: (config) => createFrequencyError(config),
  check(config, activation, substrate) {
    try {
      const linear = substrate?.capabilities.has('linear') ?? true;
      if (!linear) refuseNonlinear(activation.carrier, resolveFrequencyErrorConfig(config), 'error');
      createFrequencyError(config).plan(activation.carrier, linear);
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
  },
};
