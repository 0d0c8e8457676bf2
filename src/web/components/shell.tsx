import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { navigate, onLinkClick, useLocation } from '../lib/router.js';
import { session, type User } from '../lib/session.js';

/** Header with the navigation a person's roles allow, a banner for system warnings, and the page. */
export function Shell({ user, children }: { user: User | undefined; children: ComponentChildren }) {
  const { path } = useLocation();
  const [warnings, setWarnings] = useState<{ code: string; message: string }[]>([]);
  const roles = user?.roles ?? [];
  const operator = roles.includes('operator') || roles.includes('admin');
  const admin = roles.includes('admin');
  const reviewer = roles.includes('reviewer') || admin;

  useEffect(() => {
    // What an operator must fix (e.g. the placeholder runner pin of a fresh repo); a failure shows no banner.
    // Asked again on each page change: an operator who pins the runner in Operations sees the banner go.
    api.systemWarnings().then(
      (r) => setWarnings(r.warnings),
      () => setWarnings([]),
    );
  }, [path]);

  async function logout() {
    try {
      await api.logout();
    } finally {
      session.signedOut();
      navigate('/login');
    }
  }

  const link = (href: string, label: string, current: boolean) => (
    <a href={href} onClick={onLinkClick} aria-current={current ? 'page' : undefined}>
      {label}
    </a>
  );

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/" onClick={onLinkClick}>
          Berth
        </a>
        <nav aria-label="Main">
          {link('/', 'Apps', path === '/' || path.startsWith('/apps'))}
          {link('/new', 'New app', path === '/new')}
          {reviewer && link('/reviews', 'Reviews', path.startsWith('/reviews'))}
          {operator && link('/ops', 'Operations', path === '/ops')}
          {admin && link('/admin', 'Admin', path === '/admin')}
        </nav>
        <span class="who">
          {user ? (
            <>
              Signed in as <strong>{user.username}</strong>
              {admin && <span class="badge">admin</span>}
            </>
          ) : null}
        </span>
        <button type="button" class="quiet" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      {warnings.length > 0 && (
        <div class="banner" role="status" aria-label="System warnings">
          <strong>Berth's configuration needs an operator:</strong>
          <ul>
            {warnings.map((w) => (
              <li key={w.code}>{w.message}</li>
            ))}
          </ul>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
