import { adjointErrorRecord, corePlugin, createRegistries } from '@multimech/core';
import { nonlinearFixtures, runMechanismConformance } from '@multimech/conformance';

/**
 * Core's exact adjoint runs the mechanism suite like every other error
 * mechanism (here, since core's own tests cannot depend on the conformance
 * package, which depends on core). It is the reference the others are held
 * to, so its own claim is held to finite differences of the loss through
 * the equilibrium (core's finiteDifferenceGradient), on linear networks and
 * on networks whose every edge is a memristive sinh.
 */
runMechanismConformance('adjoint', {
  record: adjointErrorRecord,
  registries: createRegistries([corePlugin]),
  claims: [
    { label: 'the exact gradient on linear networks: finite differences of the loss to 1e-6', exact: true, reference: 'finite-differences', tolerance: 1e-6 },
    {
      label: 'the exact gradient on nonlinear networks: finite differences of the loss to 1e-6',
      exact: true,
      reference: 'finite-differences',
      tolerance: 1e-6,
      fixtures: () => nonlinearFixtures(),
    },
  ],
});
