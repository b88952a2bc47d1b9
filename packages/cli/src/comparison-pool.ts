/**
 * The worker threads of `compare` and `sweep` are `@multimech/sweep`'s
 * ThreadPool (named ComparisonPool here, as before it moved there).
 */
export {
  ThreadPool as ComparisonPool,
  JobFailedError,
  reviveError,
  serializeError,
  serveJobs,
  type PoolEvents,
  type PoolReply,
  type PoolRequest,
  type SerializedError,
} from '@multimech/sweep';
