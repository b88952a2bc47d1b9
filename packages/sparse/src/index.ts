/** Sparse linear algebra: CSR matrices, orderings, sparse Cholesky, conjugate gradients, solver planning. */
export * from './errors';
export * from './csr-matrix';
export * from './edge-pattern';
export * from './graph-adjacency';
export * from './ordering';
export * from './nested-dissection';
export * from './elimination-tree';
export * from './supernodal-structure';
export * from './symbolic-cholesky';
export * from './sparse-cholesky';
export * from './preconditioner';
export * from './smoothed-aggregation';
export * from './conjugate-gradient';
export * from './linear-solver';
export * from './split-csr';
export * from './bicgstab';
export * from './largest-eigenvalue';
