import { Drive } from '@multimech/core';
import { ConformanceFailure, runCheck, runSubstrateConformance, substrateChecks } from '@multimech/conformance';
import { ElasticSubstrate } from '@multimech/elastic';
import { elasticFixtures } from './fixtures';

runSubstrateConformance('elastic', () => elasticFixtures());

describe('the rigid-body check catches what it is there for', () => {
  const check = substrateChecks.find((c) => c.id === 'rigid-body')!;

  it('passes on the elastic fixtures and fails when an energy term is tied to the frame', () => {
    expect(() => runCheck(check, elasticFixtures())).not.toThrow();
    // a weak spring of every node to the origin: not invariant under translation
    const tethered = elasticFixtures().map((f) => {
      const s = f.substrate as ElasticSubstrate;
      const energy = s.energy.bind(s);
      const residual = s.residual.bind(s);
      s.energy = (x: Float64Array, d: Drive) => energy(x, d) + 1e-3 * x.reduce((a, v) => a + v * v, 0);
      s.residual = (x: Float64Array, d: Drive) => residual(x, d).map((r, i) => r + 2e-3 * x[i]);
      return f;
    });
    expect(() => runCheck(check, tethered)).toThrow(ConformanceFailure);
    expect(() => runCheck(check, tethered)).toThrow(/^\[rigid-body\] fixture '.*': E changes under a rigid motion/);
  });

  it('fails when the forces are not central (a torque appears)', () => {
    const twisted = elasticFixtures().map((f) => {
      const s = f.substrate as ElasticSubstrate;
      const residual = s.residual.bind(s);
      // rotate each node's force by a small angle in the first plane: no longer along the springs
      s.residual = (x: Float64Array, d: Drive) => {
        const r = residual(x, d);
        const dim = s.dofPerNode;
        for (let i = 0; i < r.length; i += dim) [r[i], r[i + 1]] = [r[i] - 0.01 * r[i + 1], r[i + 1] + 0.01 * r[i]];
        return r;
      };
      return f;
    });
    expect(() => runCheck(check, twisted)).toThrow(ConformanceFailure);
  });
});
