import { Encrypter, armor } from 'age-encryption';

import { InputError } from '../errors.js';

/*
 * Only native X25519 recipients: they are what `age-keygen` prints, what the
 * cluster's sops-age Secret holds, and what every sops and age release
 * understands. Post-quantum and plugin recipients (age1pq1..., age1tag1...)
 * are refused because older decryptors (Flux's bundled sops, Debian's age
 * 1.1) cannot open them and the deploy would fail only inside the cluster.
 */
const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** The age encryption of a sops data key for one recipient, as sops stores it. */
export interface AgeKeyEntry {
  readonly recipient: string;
  /** ASCII-armored age file holding the raw data key bytes. */
  readonly enc: string;
}

/**
 * Checks age recipients (`age1...`, X25519, bech32 checksum included) and
 * returns them without duplicates. Throws InputError naming the bad one.
 */
export function assertAgeRecipients(recipients: readonly string[]): string[] {
  if (recipients.length === 0) {
    throw new InputError('at least one age recipient is required to encrypt secrets', undefined);
  }
  const unique = [...new Set(recipients.map((recipient) => recipient.trim()))];
  for (const recipient of unique) {
    if (!X25519_RECIPIENT.test(recipient)) {
      throw new InputError(`age recipient ${JSON.stringify(recipient)} is not an X25519 age public key (age1...)`);
    }
    try {
      // Parsing checks the bech32 checksum, which the pattern cannot.
      new Encrypter().addRecipient(recipient);
    } catch {
      throw new InputError(`age recipient ${JSON.stringify(recipient)} has a bad checksum`);
    }
  }
  return unique;
}

/**
 * Encrypts the data key to each recipient separately, as sops does (one age
 * file per recipient, so any single cluster key can open it).
 */
export async function encryptDataKeyForRecipients(dataKey: Uint8Array, recipients: readonly string[]): Promise<AgeKeyEntry[]> {
  return Promise.all(
    recipients.map(async (recipient) => {
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipient);
      const file = await encrypter.encrypt(dataKey);
      return { recipient, enc: armor.encode(file) };
    }),
  );
}
