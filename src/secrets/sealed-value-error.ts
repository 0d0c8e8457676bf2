/**
 * A sealed secret value could not be opened: tampered, truncated, of an
 * unknown version, or sealed under another key. It is a server-side fault
 * (the store's data or the configured key), never the caller's input, so it
 * is deliberately not a BerthError mapped to a 4xx; the message never holds
 * the value.
 */
export class SealedValueError extends Error {
  readonly code = 'sealed_value_invalid';

  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

/** The key file or configured key is unusable (wrong size, too open permissions). */
export class SecretKeyError extends Error {
  readonly code = 'secret_key_invalid';

  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}
