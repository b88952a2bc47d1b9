import type * as t from 'io-ts';
import type { Drive } from './boundary';
import type { Capability, Substrate } from './substrate';

/** How a signal varies in time: static, or a cosine at `frequency` (Hz) read by lock-in. */
export type Carrier = { readonly type: 'dc' } | { readonly type: 'ac'; readonly frequency: number };

/** What the activation mechanism produced for one example. */
export interface ActivationReading {
  /** The drive of the example (its amplitude, for an AC carrier). */
  readonly drive: Drive;
  readonly carrier: Carrier;
  /** The free state s* (for AC: its in-phase amplitude). */
  readonly state: Float64Array;
  /** What each edge reads as its activation. */
  readonly readings: Float64Array;
}

/** Produces what each edge reads as its activation (the free state, DC or at ω₁). */
export interface ActivationMechanism {
  readonly kind: string;
  readonly carrier: Carrier;
  activate(substrate: Substrate, drive: Drive): ActivationReading;
}

export interface ActivationRecord<S = unknown> {
  readonly kind: string;
  readonly description: string;
  /** Decodes the section (without `kind`) into settings with every default filled in (core's `withDefaults`). */
  readonly configCodec: t.Type<S, unknown, unknown>;
  readonly requires: readonly Capability[];
  /**
   * An example config section for `multimech plugins KIND` (a section object,
   * with or without `kind`); it must decode with `configCodec`. Give one
   * when the section has required keys.
   */
  readonly example?: Record<string, unknown>;
  create(settings: S): ActivationMechanism;
}
export const ActivationRecord = Symbol.for('@multimech/core/ActivationRecord');
