import { MultimechError, TwoTerminalLaw, withParallelConductance } from '@multimech/core';

/** Boltzmann constant over the elementary charge, k/q in V/K (exact SI values). */
const K_OVER_Q = 1.380649e-23 / 1.602176634e-19;

/** The thermal voltage kT/q at SPICE's default temperature, 27 °C (300.15 K): 0.025865 V. */
export const THERMAL_VOLTAGE = K_OVER_Q * 300.15;

/** The conductance SPICE puts in parallel with every junction (its GMIN option's default), 1e-12 S. */
export const DEFAULT_GMIN = 1e-12;

/** The parameters of a Shockley diode: saturation current IS (A) and emission coefficient N. */
export interface ShockleyParameters {
  readonly IS: number;
  readonly N: number;
}

/**
 * The Shockley diode with a conductance gmin in parallel, as SPICE models a
 * junction at DC (no series resistance, no breakdown):
 *
 *     i(v) = IS (e^{v/(N Vt)} − 1) + gmin v
 *     F(v) = IS N Vt (e^{v/(N Vt)} − 1) − IS v + ½ gmin v²     (co-content, PHYSICS.md §1)
 *
 * with Vt = THERMAL_VOLTAGE. gmin keeps H positive definite when a diode is
 * far in reverse (a node between two reverse-biased diodes). Newton steps are
 * limited as SPICE's pnjlim does: above the critical voltage
 * Vcrit = N Vt ln(N Vt / (√2 IS)), a rise of more than 2 N Vt is replaced by
 * a logarithmic one.
 */
export function shockleyDiode(p: ShockleyParameters, gmin = DEFAULT_GMIN): TwoTerminalLaw {
  if (!(p.IS > 0 && Number.isFinite(p.IS)) || !(p.N > 0 && Number.isFinite(p.N))) {
    throw new MultimechError(`diode parameters must be finite and positive, got IS=${p.IS} N=${p.N}`);
  }
  if (!(gmin >= 0 && Number.isFinite(gmin))) throw new MultimechError(`gmin must be a finite non-negative conductance, got ${gmin}`);
  const { IS } = p;
  const nvt = p.N * THERMAL_VOLTAGE;
  const vcrit = nvt * Math.log(nvt / (Math.SQRT2 * IS));
  const junction: TwoTerminalLaw = {
    current: (v) => IS * Math.expm1(v / nvt),
    conductance: (v) => (IS / nvt) * Math.exp(v / nvt),
    coContent: (v) => IS * nvt * Math.expm1(v / nvt) - IS * v,
    limit(vNew, vOld) {
      if (vNew > vcrit && Math.abs(vNew - vOld) > 2 * nvt) {
        if (vOld > 0) return vOld + nvt * Math.log1p((vNew - vOld) / nvt);
        return nvt * Math.log(vNew / nvt);
      }
      return vNew;
    },
  };
  // gmin in parallel, the one way every nonlinear element of a netlist gets it
  return withParallelConductance(junction, gmin);
}
