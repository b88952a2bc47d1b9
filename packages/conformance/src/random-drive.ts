import { Drive, Rng, Substrate } from '@multimech/core';

/**
 * A random drive: a standard normal value at every input port. A substrate
 * without input ports gets random injections at its free dofs instead.
 */
export function randomDrive(substrate: Substrate, rng: Rng): Drive {
  const ports = substrate.boundary.inputs.length;
  const drive = substrate.drive(Float64Array.from({ length: ports }, () => rng.normal()));
  if (ports > 0) return drive;
  const dofs = substrate.graph.nodeNames.length * substrate.dofPerNode;
  const injection = Float64Array.from(drive.injection);
  for (const dof of substrate.hessian(new Float64Array(dofs)).freeDofs) injection[dof] += rng.normal();
  return { injection, fixed: drive.fixed };
}
