// docs/writing-a-mechanism.md, "LearningRule": the contract as the doc states it, held to be core's (type-checked by test/doc-snippets.test.ts).
import type * as core from '@multimech/core';
import type { ActivationReading, ErrorReading, ReadingKind, Substrate } from '@multimech/core';
import type { Equal } from '../equal';

// snippet start
interface LearningRule {
  readonly kind: string;
  readonly consumes: ReadingKind;
  gradient(substrate: Substrate, activation: ActivationReading, error: ErrorReading): Float64Array; // ≈ dC/dθ
}
// snippet end

export const same: [Equal<LearningRule, core.LearningRule>] = [true];
