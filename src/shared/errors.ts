/**
 * An error whose message is meant for the member who caused it ("that zone does not exist").
 * The interaction layer shows it as an ephemeral reply; anything else is "something went wrong".
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}
