import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, COUNT_RANGE, GAIN_RANGE, PARAMETER_RANGE, SIGNAL_RANGE, bounded, decodeOrThrow, finiteNumber, numberWhere, oneOf, positiveInteger, positiveNumber, strictObject, withDefaults } from '@multimech/core';

/** Updates made before the chemical reaches its steady state (PHYSICS.md §4). */
export const relaxationConfig = strictObject(
  'relaxation settings ({ "time": positive, "steps"?: positive integer, "volumes"?: "unit" | "tubes" })',
  {
    /** How long the chemical spreads from c = c₀ before the edges read it. */
    time: bounded(positiveNumber, PARAMETER_RANGE, 'a time in seconds'),
  },
  {
    /** Implicit Euler steps over `time` (default 50). */
    steps: bounded(positiveInteger, COUNT_RANGE),
    /** Node volumes: 1 at every node ('unit', default) or half the volume of the tubes that meet there ('tubes'). */
    volumes: oneOf('unit', 'tubes'),
  },
);

/**
 * The config of the chemical error mechanism, as written in an experiment
 * config under `error` (every key optional).
 */
export const chemicalErrorConfig = strictObject(
  'a chemical error mechanism ({ "kind": "chemical", "lambda"?, "gamma"?, "baseline"?, "diffusivity"?, "advection"?, "relaxation"?, "species"?, "nonNegative"?, "steadyTolerance"? })',
  {},
  {
    /** λ: the source at the outputs is σ = λ e (for MSE, λ (y − p)); default 1. */
    lambda: bounded(positiveNumber, GAIN_RANGE, 'λ·e is a source, and must stay finite'),
    /** γ: the diffusivity scale, D = γ k (default 1). */
    gamma: bounded(positiveNumber, GAIN_RANGE, 'γ·k is a diffusivity, and must stay finite'),
    /** c₀: the concentration where the flow problem holds the pressure (default 0). */
    baseline: bounded(finiteNumber, SIGNAL_RANGE, 'a concentration must stay finite'),
    /** 'conductance': D ∝ k, exact; 'area': D ∝ π r², a measured departure (default 'conductance'). */
    diffusivity: oneOf('conductance', 'area'),
    /** Advection by the flow, upwind (default false). */
    advection: t.boolean,
    /** Read the chemical after a finite time instead of at steady state. */
    relaxation: relaxationConfig,
    /** 'one' species carries σ of both signs; 'two' species carry its positive and negative parts (default 'one'). */
    species: oneOf('one', 'two'),
    /** A concentration below zero is reported in the diagnostics ('report', default) or refused ('error'). */
    nonNegative: oneOf('report', 'error'),
    /**
     * At steady state (no `relaxation`): how close to it the chemical must
     * come, as a fraction of its distance at the start, for the physical time
     * a measurement is counted to take (default 1e-7).
     */
    steadyTolerance: numberWhere('a number in (0, 1)', (x) => x > 0 && x < 1, { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
);
export type ChemicalErrorConfig = t.TypeOf<typeof chemicalErrorConfig>;

/** A chemical error config with every default filled in. */
export interface ChemicalErrorSettings {
  readonly lambda: number;
  readonly gamma: number;
  readonly baseline: number;
  readonly diffusivity: 'conductance' | 'area';
  readonly advection: boolean;
  readonly relaxation?: { readonly time: number; readonly steps: number; readonly volumes: 'unit' | 'tubes' };
  readonly species: 'one' | 'two';
  readonly nonNegative: 'report' | 'error';
  /** The fraction of the start's distance from steady state at which a steady-state measurement counts as done (its physical time); undefined: core's SETTLE_TOLERANCE, 1e-7. */
  readonly steadyTolerance?: number;
}

/** The chemical error section decoded into its settings, every default filled in. */
export const chemicalErrorSettings = withDefaults(
  chemicalErrorConfig,
  (c): ChemicalErrorSettings => ({
    lambda: c.lambda ?? 1,
    gamma: c.gamma ?? 1,
    baseline: c.baseline ?? 0,
    diffusivity: c.diffusivity ?? 'conductance',
    advection: c.advection ?? false,
    ...(c.relaxation
      ? { relaxation: { time: c.relaxation.time, steps: c.relaxation.steps ?? 50, volumes: c.relaxation.volumes ?? 'unit' } }
      : {}),
    species: c.species ?? 'one',
    nonNegative: c.nonNegative ?? 'report',
    ...(c.steadyTolerance !== undefined ? { steadyTolerance: c.steadyTolerance } : {}),
  }),
);

/** The `error` section of the chemical mechanism as written (`{ "kind": "chemical", ... }`), from its codec. */
export type ChemicalErrorSection = WrittenSection<'chemical', ConfigOf<typeof chemicalErrorSettings>>;

/**
 * Decodes a chemical error config (refusing bad values with their config
 * path under `path`) and fills in the defaults.
 */
export function resolveChemicalErrorConfig(config: unknown = {}, path = 'error'): ChemicalErrorSettings {
  return decodeOrThrow(chemicalErrorSettings, config, path);
}
