import { PortCounts, Rng, ScalarSubstrate, TwoTerminalLaw, boundaryFromTopology, uniformBounds } from '@multimech/core';
import { fixtureTopologies } from './fixture-topologies';
import { randomDrive } from './random-drive';
import type { SubstrateFixture } from './substrate-fixture';

/**
 * The network the mechanism suite measures on by default: core's scalar
 * substrate, E = ½ Σ w Δs² − q·s (a resistor network, a linear flow
 * network), or with a law f on every trainable edge, E = Σ w F(Δs). It
 * names no plugin, so that the suite runs for a mechanism of any package.
 */
export class FixtureNetwork extends ScalarSubstrate {
  readonly kind = 'conformance/network';
  readonly parameterName = 'weight';
}

/** The law of `nonlinearFixtures`: a memristive edge, i = w sinh(v/0.5), nonlinear on the scale of the fixtures' drives (about 1). */
export const sinhEdgeLaw: TwoTerminalLaw = {
  current: (v) => Math.sinh(v / 0.5),
  conductance: (v) => Math.cosh(v / 0.5) / 0.5,
  coContent: (v) => 0.5 * (Math.cosh(v / 0.5) - 1),
};

/**
 * `fixtureTopologies(seed, ports)` as FixtureNetworks, each with flow inputs
 * and with potential inputs: weights uniform in [0.5, 2] within bounds
 * [1e-3, 100], a standard normal drive (`randomDrive`), and no target (the
 * checks aim at the outputs plus a random offset). With `law`, every
 * trainable edge carries it, and the networks are not 'linear'.
 */
export function networkFixtures(seed = 1, ports: PortCounts = { inputs: 2, outputs: 2 }, law?: TwoTerminalLaw): SubstrateFixture[] {
  const rng = new Rng(seed);
  return fixtureTopologies(seed, ports).flatMap(({ label, topology }) =>
    (['flow', 'potential'] as const).map((type) => {
      const m = topology.graph.from.length;
      const substrate = new FixtureNetwork({
        graph: topology.graph,
        boundary: boundaryFromTopology(topology, type),
        parameters: Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)),
        bounds: uniformBounds(m, 1e-3, 100),
        ...(law ? { edgeLaw: law } : {}),
      });
      return { label: `${label}, ${type} inputs${law ? ', nonlinear edges' : ''}`, substrate, drive: randomDrive(substrate, rng) };
    }),
  );
}

/** Linear networks: the fixture topologies with flow and with potential inputs (see `networkFixtures`). */
export function linearFixtures(seed = 1, ports?: PortCounts): SubstrateFixture[] {
  return networkFixtures(seed, ports);
}

/** Nonlinear networks: the same topologies with every trainable edge a memristive sinh(v/0.5) (see `networkFixtures`). */
export function nonlinearFixtures(seed = 1, ports?: PortCounts): SubstrateFixture[] {
  return networkFixtures(seed, ports, sinhEdgeLaw);
}
