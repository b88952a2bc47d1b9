import type * as t from 'io-ts';
import type { ActivationReading } from './activation-mechanism';
import type { ErrorReading, ReadingKind } from './error-mechanism';
import type { Substrate } from './substrate';

/**
 * Turns the two local readings into a gradient estimate per edge; the
 * optimizer applies Δθ = -α·estimate (with momentum and bounds).
 */
export interface LearningRule {
  readonly kind: string;
  readonly consumes: ReadingKind;
  gradient(substrate: Substrate, activation: ActivationReading, error: ErrorReading): Float64Array;
}

export interface RuleRecord<S = unknown> {
  readonly kind: string;
  readonly description: string;
  /** Decodes the section (without `kind`) into settings with every default filled in (core's `withDefaults`). */
  readonly configCodec: t.Type<S, unknown, unknown>;
  readonly consumes: ReadingKind;
  /**
   * An example config section for `multimech plugins KIND` (a section object,
   * with or without `kind`); it must decode with `configCodec`. Give one
   * when the section has required keys.
   */
  readonly example?: Record<string, unknown>;
  create(settings: S): LearningRule;
}
export const RuleRecord = Symbol.for('@multimech/core/RuleRecord');
