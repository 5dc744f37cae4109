/** Why a publish was not confirmed: the message did not reach Redis, or it may have but no answer came. */
export type PublishErrorCode = 'NOT_PUBLISHED' | 'UNCONFIRMED';

export class PublishError extends Error {
  override readonly name = 'PublishError';

  /**
   * NOT_PUBLISHED: the message was never stored (Redis stayed unreachable
   * until the deadline, or refused the command): no subscriber gets it.
   * UNCONFIRMED: it was sent, and the connection was lost or the deadline
   * passed before Redis answered: it may still be delivered.
   */
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
