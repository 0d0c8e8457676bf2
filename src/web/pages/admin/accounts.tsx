import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { call } from '../../lib/api.js';
import type { User } from '../../lib/session.js';

type SignupMode = 'open' | 'invite' | 'closed';

const MODES: Record<SignupMode, string> = {
  open: 'open: anyone can sign up',
  invite: 'invite only: invite links, or accounts created here',
  closed: 'closed: only accounts created here',
};

/** Who may sign up, invite links and accounts an admin creates. */
export function SignupsSection() {
  const [mode, setMode] = useState<SignupMode | undefined>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [inviteFor, setInviteFor] = useState('');
  const [link, setLink] = useState<string | undefined>();

  useEffect(() => {
    call<{ mode: SignupMode }>('GET', '/admin/signups').then((r) => setMode(r.mode), setError);
  }, []);

  async function save(next: SignupMode) {
    setError(undefined);
    try {
      const r = await call<{ mode: SignupMode }>('PUT', '/admin/signups', { body: { mode: next } });
      setMode(r.mode);
      setDone(`Signups are ${MODES[r.mode]}.`);
    } catch (err) {
      setError(err);
    }
  }

  async function invite(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      const r = await call<{ invite: { url: string; expiresAt: string } }>('POST', '/admin/invites', { body: inviteFor ? { username: inviteFor } : {} });
      setLink(r.invite.url);
      setDone(`Invite link made; it works once, until ${new Date(r.invite.expiresAt).toLocaleDateString()}.`);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section aria-labelledby="signups-title" class="stack narrow">
      <h2 id="signups-title">Signups</h2>
      <label>
        Who may sign up
        <select value={mode ?? ''} disabled={mode === undefined} onChange={(e) => void save(e.currentTarget.value as SignupMode)}>
          {(Object.keys(MODES) as SignupMode[]).map((m) => (
            <option key={m} value={m}>
              {MODES[m]}
            </option>
          ))}
        </select>
      </label>
      <form onSubmit={(e) => void invite(e)} class="stack" aria-label="New invite">
        <label>
          Invite for username (optional)
          <input value={inviteFor} onInput={(e) => setInviteFor(e.currentTarget.value)} />
        </label>
        <div>
          <button type="submit">Make invite link</button>
        </div>
      </form>
      {link && (
        <p>
          <label>
            Invite link
            <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          </label>
        </p>
      )}
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
      <CreateAccountForm />
    </section>
  );
}

function CreateAccountForm() {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      const r = await call<{ user: User }>('POST', '/admin/users', { body: { username, email, password } });
      setDone(`Created ${r.user.username}; tell them their password another way.`);
      setUsername('');
      setEmail('');
      setPassword('');
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} class="stack" aria-labelledby="create-account-title">
      <h3 id="create-account-title">Create an account</h3>
      <label>
        Username
        <input required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        Email
        <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
      <div>
        <button type="submit" class="primary">
          Create account
        </button>
      </div>
    </form>
  );
}

/** The remove button of one user row, with a confirmation that says what stays. */
export function RemoveUserButton({ user, onRemoved }: { user: User; onRemoved: (user: User) => void }) {
  const [error, setError] = useState<unknown>();
  async function remove() {
    const sure = window.confirm(
      `Remove ${user.username}? Their sessions end at once. Their apps stay (owned by tenant ${user.username}) until deleted; the username is not given to anyone else.`,
    );
    if (!sure) return;
    setError(undefined);
    try {
      await call('DELETE', `/admin/users/${encodeURIComponent(user.username)}`);
      onRemoved(user);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <button type="button" class="danger" aria-label={`Remove ${user.username}`} onClick={() => void remove()}>
        Remove
      </button>
      <ErrorBox error={error} />
    </>
  );
}
