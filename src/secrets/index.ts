/**
 * Secrets: SOPS files for Flux (values encrypted to the cluster's age keys),
 * the secret box for draft values at rest in the Store, and per-tenant
 * MongoDB users whose URIs only ever travel inside those encrypted files.
 */
export { assertAgeRecipients, encryptDataKeyForRecipients, type AgeKeyEntry } from './age-recipients.js';
export { SealedValueError, SecretKeyError } from './sealed-value-error.js';
export { createSecretBox, loadOrCreateKey, parseSecretBoxKey, SECRET_BOX_KEY_BYTES, type SecretBox } from './secret-box.js';
export { encryptAppSecret, encryptSecretManifest, SOPS_ENCRYPTED_REGEX, SOPS_FORMAT_VERSION, type AppSecretInput, type SecretManifestInput } from './sops.js';
// The per-tenant MongoDB provisioner is an adapter: src/adapters/tenant-db.
