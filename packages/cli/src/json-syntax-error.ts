/** The scan of a JSON text for its first syntax error lives in core (network files read by plugins use it too). */
export { findJsonSyntaxError, type JsonSyntaxError } from '@multimech/core';
