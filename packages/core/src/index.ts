// support: errors, seeded random numbers
export * from './support/errors';
export * from './support/rng';
export * from './support/format';
export * from './support/csv';
// graphs and their generators
export * from './graph/graph';
export * from './graph/generators';
// config decoding: codecs, physical quantities, the generated-network section, JSON Schema of codecs
export * from './config/json-schema';
export * from './config/codecs';
export * from './config/bounds';
export * from './config/resource-limits';
export * from './config/config-files';
export * from './config/quantity';
export * from './config/section-problems';
export * from './config/solver-config';
export * from './config/network-config';
export * from './config/json-duplicate-keys';
export * from './config/data-files';
export * from './config/edge-list-network';
export * from './config/json-syntax-error';
// the contracts every plugin implements, each an interface and a same-named token
export * from './contracts/boundary';
export * from './contracts/substrate';
export * from './contracts/nudged-states';
export * from './contracts/minibatch';
export * from './contracts/activation-mechanism';
export * from './contracts/error-mechanism';
export * from './contracts/learning-rule';
export * from './contracts/task';
export * from './contracts/transport';
// registration: records, registries, the decoding of plugin sections
export * from './plugin/registry';
export * from './plugin/sections';
export * as inversify from 'inversify';
// shared physics: scalar networks and their parameter maps, two-terminal laws, minimisers, dynamics, physical cost
export * from './physics/scalar-network';
export * from './physics/scalar-substrate';
export * from './physics/parameter-map';
export * from './physics/two-terminal-law';
export * from './physics/expression-law';
export * from './physics/newton';
export * from './physics/fire';
export * from './physics/phasor-response';
export * from './physics/transient-integrator';
export * from './physics/physical-cost';
// one example's gradient, losses, finite differences, fidelity
export * from './learning/loss';
export * from './learning/gradient';
export * from './learning/continuous-learning';
// core's own mechanisms: the DC activation, the exact adjoint, the product rule
export * from './mechanisms/dc-activation';
export * from './mechanisms/adjoint-error';
export * from './mechanisms/product-rule';
export * from './mechanisms/core-plugin';
