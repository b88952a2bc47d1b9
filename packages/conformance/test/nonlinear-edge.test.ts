import { ParameterMap, Rng, ScalarSubstrate, Topology, TwoTerminalLaw, boundaryFromTopology, powerLawMap, uniformBounds } from '@multimech/core';
import { SubstrateFixture, fixtureTopologies, randomDrive, runSubstrateConformance } from '@multimech/conformance';

/**
 * Core's trainable nonlinear edge (a scalar substrate with an `edgeLaw`:
 * edge k carries w_k f(Δs_k)) runs the substrate suite on its own, with two
 * laws: a memristive device, f = sinh(v/V0), with the prefactor trained
 * itself; and a turbulent pipe with a laminar core, f = v (v0² + v²)^(−3/14)
 * (Blasius: the flow grows as Δp^(4/7) at large drops), whose radius r is
 * trained through w = c r^(19/7) (Blasius' k ∝ r^(19/7) at a given
 * viscosity and length). Superposition is skipped by the suite itself: the
 * substrate does not declare 'linear'.
 */
const V0 = 0.5;
const sinhLaw: TwoTerminalLaw = {
  current: (v) => Math.sinh(v / V0),
  conductance: (v) => Math.cosh(v / V0) / V0,
  coContent: (v) => V0 * (Math.cosh(v / V0) - 1),
};

/** The laminar core: the suite's finite-difference probes shrink to the law's scale along them, so a narrower core passes too (substrate-settings.test.ts runs 0.05). */
const v0 = 0.2;
const turbulentLaw: TwoTerminalLaw = {
  current: (v) => v * (v0 * v0 + v * v) ** (-3 / 14),
  conductance: (v) => (v0 * v0 + v * v) ** (-17 / 14) * (v0 * v0 + (4 / 7) * v * v),
  coContent: (v) => (7 / 11) * ((v0 * v0 + v * v) ** (11 / 14) - v0 ** (11 / 7)),
};

class NonlinearEdgeNetwork extends ScalarSubstrate {
  readonly kind = 'test/nonlinear-edge';
  readonly parameterName = 'prefactor';
}

function fixtures(law: TwoTerminalLaw, seed: number, parameterMap?: ParameterMap): () => SubstrateFixture[] {
  return () => {
    const rng = new Rng(seed);
    return fixtureTopologies(seed).flatMap(({ label, topology }: { label: string; topology: Topology }) =>
      (['flow', 'potential'] as const).map((type) => {
        const m = topology.graph.from.length;
        const s = new NonlinearEdgeNetwork({
          graph: topology.graph,
          boundary: boundaryFromTopology(topology, type),
          parameters: Float64Array.from({ length: m }, () => rng.uniform(0.5, 1.5)),
          bounds: uniformBounds(m, 1e-3, 100),
          edgeLaw: law,
          parameterMap,
        });
        return { label: `${label}, ${type} inputs`, substrate: s, drive: randomDrive(s, rng) };
      }),
    );
  };
}

runSubstrateConformance('trainable nonlinear edge, memristive sinh(v/0.5)', fixtures(sinhLaw, 3));
runSubstrateConformance('trainable nonlinear edge, turbulent pipe trained by its radius', fixtures(turbulentLaw, 4, powerLawMap(0.8, 19 / 7)));
