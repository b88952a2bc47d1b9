import { Rng } from '@multimech/core';
import { SubstrateFixture, runSubstrateConformance } from '@multimech/conformance';
import { DeepResistiveNetwork, DrnDiode, DrnSubstrate, IDEAL_DIODE, shockleyDrnDiode } from '@multimech/resistive';

/**
 * Small deep resistive networks as substrates: every conductance positive
 * (uniform in [0.2, 1] S), bias currents of a few mA, inputs as the images
 * task gives them (+x then −x, x in [0, 0.5] V).
 */
function drnFixtures(diode: DrnDiode, seed: number): SubstrateFixture[] {
  const rng = new Rng(seed);
  return [
    { pixels: 4, hidden: [5], outputs: 3 },
    { pixels: 3, hidden: [4, 6], outputs: 2 },
    { pixels: 2, hidden: [3, 4, 3], outputs: 2 },
  ].map(({ pixels, hidden, outputs }) => {
    const net = new DeepResistiveNetwork({ inputs: 2 * pixels, hidden, outputs }, diode);
    const c = net.conductanceCount;
    net.setParameters(Float64Array.from({ length: net.parameterCount }, (_, p) => (p < c ? rng.uniform(0.2, 1) : rng.uniform(-5e-3, 5e-3))));
    const substrate = new DrnSubstrate(net);
    const x = Array.from({ length: pixels }, () => rng.uniform(0, 0.5));
    return { label: `${2 * pixels} sources, hidden ${hidden.join('-')}, ${outputs} outputs`, substrate, drive: substrate.drive([...x, ...x.map((v) => -v)]) };
  });
}

runSubstrateConformance('drn, Shockley diodes', () => drnFixtures(shockleyDrnDiode(1e-8, 1.5), 3));

runSubstrateConformance('drn, ideal diodes', () => drnFixtures(IDEAL_DIODE, 5), {
  skip: [
    {
      id: 'stationarity',
      reason:
        'E is +∞ past an ideal diode (a node held at 0 V), so central differences of E along a random direction through such a node are not defined; the equilibrium is checked by its KKT conditions and random feasible moves (drn.test.ts, drn-substrate.test.ts)',
    },
    {
      id: 'hessian-symmetry',
      reason:
        "the residual jumps where a random direction moves a held node off its diode's bound (E is piecewise quadratic), so finite differences of the residual do not give H there; H's symmetry, H·v against finite differences along directions that keep the held nodes held, and linearResponse are checked in drn-substrate.test.ts",
    },
  ],
});
