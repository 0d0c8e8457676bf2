import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ForbiddenError } from '../errors.js';
import type { SettingsStore } from '../ports/store.js';

/**
 * Who may create an account by themselves: anyone (`open`), only someone an
 * admin invited (`invite`: an invite link, or an account the admin creates),
 * or nobody (`closed`: admins create accounts). The very first account is
 * always allowed, whatever the setting, and becomes admin (the store decides
 * that atomically).
 */
export const SIGNUP_MODES = ['open', 'invite', 'closed'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

export const SIGNUP_SETTING = 'auth.signups';
const inviteKey = (hash: string) => `auth.invite.${hash}`;
export const INVITE_TTL_DAYS = 7;

const inviteRecord = z.object({
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  username: z.string().optional(),
  usedAt: z.string().optional(),
  usedBy: z.string().optional(),
});
type InviteRecord = z.infer<typeof inviteRecord>;

/** The stored mode; `open` until an admin chose (Berth's behaviour before the setting existed). */
export async function signupMode(settings: SettingsStore): Promise<SignupMode> {
  const stored = await settings.get<unknown>(SIGNUP_SETTING);
  const mode = z.object({ mode: z.enum(SIGNUP_MODES) }).safeParse(stored);
  return mode.success ? mode.data.mode : 'open';
}

export async function setSignupMode(settings: SettingsStore, mode: SignupMode, now: Date): Promise<void> {
  await settings.put(SIGNUP_SETTING, { mode }, now.toISOString());
}

const hashInvite = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A single-use invite (only its hash is stored); bound to a username when given. */
export async function createInvite(
  settings: SettingsStore,
  input: { readonly createdBy: string; readonly username?: string },
  now: Date,
): Promise<{ readonly token: string; readonly expiresAt: string }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITE_TTL_DAYS * 86_400_000).toISOString();
  const record: InviteRecord = { createdBy: input.createdBy, createdAt: now.toISOString(), expiresAt, ...(input.username ? { username: input.username } : {}) };
  await settings.put(inviteKey(hashInvite(token)), record, now.toISOString());
  return { token, expiresAt };
}

const INVITE_ONLY = 'signups are by invitation only: ask an administrator for an invite link';

/**
 * Throws ForbiddenError unless this signup may go ahead; returns what to
 * call once the account exists (marks the invite used).
 */
export async function admitSignup(
  deps: { readonly settings: SettingsStore; readonly countUsers: () => Promise<number> },
  input: { readonly username: string; readonly invite?: string | undefined },
  now: Date,
): Promise<(userId: string) => Promise<void>> {
  const nothing = async () => undefined;
  if ((await deps.countUsers()) === 0) return nothing;
  const mode = await signupMode(deps.settings);
  if (mode === 'open') return nothing;
  if (mode === 'closed') throw new ForbiddenError('signups are closed: an administrator creates accounts');
  if (!input.invite) throw new ForbiddenError(INVITE_ONLY);
  const key = inviteKey(hashInvite(input.invite));
  const parsed = inviteRecord.safeParse(await deps.settings.get<unknown>(key));
  if (!parsed.success) throw new ForbiddenError('this invite is not valid; ask an administrator for a new one');
  const invite = parsed.data;
  if (invite.usedAt) throw new ForbiddenError('this invite was already used; ask an administrator for a new one');
  if (Date.parse(invite.expiresAt) <= now.getTime()) throw new ForbiddenError('this invite has expired; ask an administrator for a new one');
  if (invite.username && invite.username.toLowerCase() !== input.username.toLowerCase()) {
    throw new ForbiddenError(`this invite is for the username ${invite.username}`);
  }
  return async (userId) => deps.settings.put(key, { ...invite, usedAt: now.toISOString(), usedBy: userId }, now.toISOString());
}
