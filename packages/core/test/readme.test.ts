import { corePlugin, createRegistries } from '@multimech/core';

it("the README snippet: core's registries hold the DC activation, the adjoint and the product rule, and refuse an unknown kind", () => {
  const registries = createRegistries([corePlugin]);
  expect(registries.errors.kinds()).toEqual(['adjoint']);
  expect(registries.activations.kinds()).toEqual(['dc']);
  expect(registries.rules.get('product').consumes).toBe('product');
  expect(() => registries.errors.get('frequency')).toThrow("unknown error mechanism kind 'frequency' (known error mechanism kinds: adjoint)");
});
