import { useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { api } from '../lib/api.js';
import { navigate, onLinkClick } from '../lib/router.js';
import { session } from '../lib/session.js';

/** Log in, or sign up (the first account becomes admin). */
export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const signup = mode === 'signup';
  const title = signup ? 'Sign up' : 'Log in';

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // An admin's invite link (/signup?invite=…) carries the token signups by invitation need.
      const invite = new URLSearchParams(location.search).get('invite') ?? undefined;
      const result = signup ? await api.signup({ username, email, password, ...(invite ? { invite } : {}) }) : await api.login({ username, password });
      session.signedIn(result.accessToken, result.user);
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="auth">
      <h1>Berth</h1>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="auth-title" class="card">
        <h2 id="auth-title">{title}</h2>
        <label>
          Username
          <input name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        {signup && (
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? `${title}…` : title}
        </button>
        <p>
          {signup ? (
            <>
              Have an account?{' '}
              <a href="/login" onClick={onLinkClick}>
                Log in
              </a>
            </>
          ) : (
            <>
              New here?{' '}
              <a href="/signup" onClick={onLinkClick}>
                Sign up
              </a>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
