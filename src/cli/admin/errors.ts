/**
 * A failure the operator can act on. Its message is printed as the one line the admin tool ends
 * with (`rollcall admin: <message>`), and the process exits 1.
 */
export class AdminError extends Error {
  override readonly name = 'AdminError';
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
