import { MultimechError, ParameterMap, ScalarSubstrate, ScalarSubstrateSpec, gridTopology, boundaryFromTopology, identityMap, powerLawMap, uniformBounds } from '../src';

/** A final scalar substrate on a 3 x 3 grid, built from a spec with the given additions. */
class Grid extends ScalarSubstrate {
  readonly kind = 'test/grid';
  readonly parameterName = 'radius';
}

function grid(extra: Partial<ScalarSubstrateSpec> = {}, theta?: ArrayLike<number>): Grid {
  const topology = gridTopology(3, 3, { inputs: 1, outputs: 1 });
  const m = topology.graph.from.length;
  return new Grid({
    graph: topology.graph,
    boundary: boundaryFromTopology(topology, 'flow'),
    parameters: theta ?? Float64Array.from({ length: m }, (_, k) => 0.5 + 0.1 * k),
    bounds: uniformBounds(m, 1e-3, 100),
    ...extra,
  });
}

describe('parameter maps', () => {
  const theta = Float64Array.of(0.5, 1, 2.5);

  it('identity: w = θ, dw/dθ = 1', () => {
    expect(Array.from(identityMap.weights(theta))).toEqual([0.5, 1, 2.5]);
    expect(Array.from(identityMap.slopes(theta))).toEqual([1, 1, 1]);
  });

  it.each([
    ['one coefficient', 3, 4],
    ['one per edge', [1, 2, 3], 4],
    ['a fractional power', 0.7, 19 / 7],
  ] as const)('power law (%s): slopes against central differences to 1e-8', (_, c, p) => {
    const map: ParameterMap = powerLawMap(c as number | number[], p);
    const w = map.weights(theta);
    const coefficient = (k: number) => (typeof c === 'number' ? c : c[k]);
    w.forEach((x, k) => expect(x).toBeCloseTo(coefficient(k) * theta[k] ** p, 12));
    const h = 1e-6;
    const fd = theta.map((_, k) => {
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[k] += h;
      down[k] -= h;
      return (map.weights(up)[k] - map.weights(down)[k]) / (2 * h);
    });
    map.slopes(theta).forEach((s, k) => expect(Math.abs(s - fd[k]) / Math.abs(fd[k])).toBeLessThan(1e-8));
  });

  it('refuses a bad exponent, a bad coefficient and a count that does not match', () => {
    expect(() => powerLawMap(1, 0)).toThrow(new MultimechError('power-law parameter map: the exponent must be a finite non-zero number, got 0'));
    expect(() => powerLawMap([1, -2], 4)).toThrow(/coefficient of edge 1 must be a finite positive number, got -2/);
    expect(() => powerLawMap(NaN, 4)).toThrow(/the coefficient must be a finite positive number, got NaN/);
    expect(() => powerLawMap([1, 2], 4).weights(theta)).toThrow(/2 coefficients \(one per edge\), but 3 parameters/);
  });
});

describe('a scalar substrate built with a parameter map', () => {
  it('applies the chain rule: with w = c r⁴ its gradient is (4w/r) times the gradient of the substrate whose parameter is w', () => {
    const radius = grid({ parameterMap: powerLawMap(2, 4) });
    const weights = radius.edgeWeights();
    const plain = grid({}, weights);
    expect(Array.from(plain.parameters)).toEqual(Array.from(weights));
    const drive = radius.drive([1]);
    const state = radius.equilibrium(drive);
    const same = plain.equilibrium(drive);
    state.forEach((x, i) => expect(x).toBeCloseTo(same[i], 12));
    const [u] = radius.linearResponse(state, [radius.outputForce(state, [1])]);
    const a = radius.activationReadings(state);
    const e = radius.errorReadings(state, u);
    const g = radius.localGradient(a, e);
    const gw = plain.localGradient(a, e);
    const f = radius.parameterForce(state);
    const fw = plain.parameterForce(state);
    radius.parameters.forEach((r, k) => {
      const slope = (4 * weights[k]) / r;
      expect(g[k]).toBeCloseTo(slope * gw[k], 12);
      expect(f[k]).toBeCloseTo(slope * fw[k], 12);
    });
  });

  it("adds the spec's capabilities to those of the network, and refuses to be told it is linear", () => {
    expect([...grid({ capabilities: ['transport'] }).capabilities].sort()).toEqual(['linear', 'scalar-potential', 'transport']);
    expect(() => grid({ capabilities: ['linear'] })).toThrow(
      new MultimechError("capabilities: 'linear' follows from the network (no nonlinear elements, no edge law); give only the capabilities it adds"),
    );
  });

  it('refuses a map that gives a weight count other than the edge count', () => {
    expect(() => grid({ parameterMap: powerLawMap([1, 2], 4) })).toThrow(/2 coefficients \(one per edge\), but 12 parameters/);
    const short: ParameterMap = { description: 'short', weights: () => new Float64Array(2), slopes: () => new Float64Array(2) };
    expect(() => grid({ parameterMap: short })).toThrow(new MultimechError("parameter map 'short' gives 2 weights for 12 edges"));
  });
});
