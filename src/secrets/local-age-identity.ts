import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { loadOrCreatePrivateFile } from '../adapters/fs/private-file.js';
import { SecretKeyError } from './sealed-value-error.js';

/** An age identity (AGE-SECRET-KEY-1...) and its public recipient (age1...). */
export interface AgeIdentity {
  readonly identity: string;
  readonly recipient: string;
}

/**
 * Berth's own age identity for embedded mode, kept in DATA_DIR (mode 0600,
 * created once): the default SOPS recipient, so secret env vars deploy on a
 * laptop, and the key the local runtime decrypts `secret.sops.yaml` with.
 * X25519 only, like every recipient Berth accepts (see age-recipients.ts).
 */
export async function loadOrCreateAgeIdentity(path: string): Promise<AgeIdentity> {
  const text = await loadOrCreatePrivateFile(
    path,
    async () => `# Berth's embedded age identity: secret env vars of locally run apps are encrypted to it.\n${await generateX25519Identity()}\n`,
    (message) => new SecretKeyError(message),
  );
  const identity = text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('AGE-SECRET-KEY-1'));
  if (!identity) throw new SecretKeyError(`${path} holds no AGE-SECRET-KEY-1 line`);
  return { identity, recipient: await identityToRecipient(identity) };
}
