import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { call } from '../lib/api.js';
import { nameProblem } from '../lib/rules.js';
import type { User } from '../lib/session.js';
import { RemoveUserButton, SignupsSection } from './admin/accounts.js';

const ROLES = ['editor', 'reviewer', 'operator', 'admin'] as const;

function UsersSection() {
  const [users, setUsers] = useState<User[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string | undefined>();

  useEffect(() => {
    call<{ users: User[] }>('GET', '/admin/users').then((r) => setUsers(r.users), setError);
  }, []);

  async function toggle(user: User, role: string, on: boolean) {
    const roles = on ? [...new Set([...user.roles, role])] : user.roles.filter((r) => r !== role);
    setError(undefined);
    try {
      const r = await call<{ user: User }>('PUT', `/admin/users/${encodeURIComponent(user.username)}/roles`, { body: { roles } });
      setUsers((prev) => prev?.map((u) => (u.id === r.user.id ? r.user : u)));
      setSaved(`${user.username}: ${r.user.roles.join(', ') || 'no roles'}`);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section aria-labelledby="users-title" class="stack">
      <h2 id="users-title">Users and roles</h2>
      <ErrorBox error={error} />
      {saved && <p role="status">Saved {saved}.</p>}
      {users === undefined && !error && <p role="status">Loading users…</p>}
      {users && (
        <table class="list">
          <caption class="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Email</th>
              {ROLES.map((r) => (
                <th scope="col" key={r}>
                  {r}
                </th>
              ))}
              <th scope="col">Account</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.username}</td>
                <td>{u.email}</td>
                {ROLES.map((role) => (
                  <td key={role}>
                    <input
                      type="checkbox"
                      aria-label={`${u.username} is ${role}`}
                      checked={u.roles.includes(role)}
                      onChange={(e) => void toggle(u, role, e.currentTarget.checked)}
                    />
                  </td>
                ))}
                <td>
                  <RemoveUserButton
                    user={u}
                    onRemoved={(gone) => {
                      setUsers((prev) => prev?.filter((x) => x.id !== gone.id));
                      setSaved(`${gone.username}: removed`);
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function PolicySection() {
  const [tenant, setTenant] = useState('');
  const [mode, setMode] = useState<'auto' | 'review'>('auto');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const problem = tenant === '' ? undefined : nameProblem(tenant);

  async function submit(event: Event) {
    event.preventDefault();
    if (!tenant || problem) return;
    setError(undefined);
    try {
      await call('PUT', `/admin/tenants/${encodeURIComponent(tenant)}/policy`, { body: { mode } });
      setDone(`Tenant ${tenant} deploys ${mode === 'auto' ? 'straight to main' : 'through review'}.`);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} class="stack narrow" aria-labelledby="policy-title">
      <h2 id="policy-title">Tenant policy</h2>
      <label>
        Tenant
        <input value={tenant} aria-invalid={problem ? 'true' : 'false'} aria-describedby="tenant-help" onInput={(e) => setTenant(e.currentTarget.value)} />
      </label>
      <p id="tenant-help" class={problem ? 'field-error' : 'hint'}>
        {problem ? `Tenant name ${problem}` : "A tenant is its owner's username."}
      </p>
      <label>
        Deploys land
        <select value={mode} onChange={(e) => setMode(e.currentTarget.value as 'auto' | 'review')}>
          <option value="auto">auto: straight to main</option>
          <option value="review">review: through a change request</option>
        </select>
      </label>
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
      <div>
        <button type="submit" class="primary" disabled={!tenant || Boolean(problem)}>
          Set policy
        </button>
      </div>
    </form>
  );
}

function ImportsSection() {
  const [text, setText] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();

  useEffect(() => {
    call<{ modules: string[] }>('GET', '/admin/allowed-imports').then((r) => setText(r.modules.join('\n')), setError);
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    const modules = (text ?? '')
      .split('\n')
      .map((m) => m.trim())
      .filter(Boolean);
    setError(undefined);
    try {
      const r = await call<{ modules: string[] }>('PUT', '/admin/allowed-imports', { body: { modules } });
      setDone(`Saved ${r.modules.length} modules.`);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} class="stack narrow" aria-labelledby="imports-title">
      <h2 id="imports-title">Import allow-list</h2>
      <label>
        Modules apps may import, one per line
        <textarea rows={10} value={text ?? ''} disabled={text === undefined} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
      <div>
        <button type="submit" class="primary" disabled={text === undefined}>
          Save allow-list
        </button>
      </div>
    </form>
  );
}

/** Admin: users and roles, each tenant's policy, the import allow-list. */
export function AdminPage() {
  return (
    <section aria-labelledby="admin-title" class="stack">
      <h1 id="admin-title">Admin</h1>
      <UsersSection />
      <SignupsSection />
      <div class="two">
        <PolicySection />
        <ImportsSection />
      </div>
    </section>
  );
}
