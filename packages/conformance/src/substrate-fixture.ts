import type { Drive, Substrate } from '@multimech/core';

/** One substrate instance the conformance suite checks, with the drive it is checked under. */
export interface SubstrateFixture {
  /** Names the fixture in failure messages. */
  readonly label: string;
  readonly substrate: Substrate;
  /** A drive that does something (not zero). */
  readonly drive: Drive;
  /** Output targets for the gradient check; default: the free outputs plus a random offset. */
  readonly target?: Float64Array;
}
