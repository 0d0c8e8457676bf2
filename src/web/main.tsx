import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { api } from './lib/api.js';
import { navigate, useLocation } from './lib/router.js';
import { refresh, session } from './lib/session.js';
import { Shell } from './components/shell.js';
import { AuthPage } from './pages/auth.js';
import { AppsPage } from './pages/apps.js';
import { NewAppPage } from './pages/new-app.js';

// CodeMirror is only loaded for the editor, so the apps list stays light.
const EditorPage = lazy(() => import('./pages/editor/editor-page.js').then((m) => ({ default: m.EditorPage })));
const OpsPage = lazy(() => import('./pages/ops.js').then((m) => ({ default: m.OpsPage })));
const ReviewsPage = lazy(() => import('./pages/reviews/reviews-page.js').then((m) => ({ default: m.ReviewsPage })));
const ReviewPage = lazy(() => import('./pages/reviews/review-page.js').then((m) => ({ default: m.ReviewPage })));
const AdminPage = lazy(() => import('./pages/admin.js').then((m) => ({ default: m.AdminPage })));

function useSession() {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((n) => n + 1)), []);
  return { token: session.token(), user: session.user() };
}

function Routes() {
  const { path } = useLocation();
  const editor = /^\/apps\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (editor) return <EditorPage tenant={decodeURIComponent(editor[1] ?? '')} app={decodeURIComponent(editor[2] ?? '')} />;
  if (path === '/new') return <NewAppPage />;
  if (path === '/ops') return <OpsPage />;
  if (path === '/admin') return <AdminPage />;
  if (path === '/reviews') return <ReviewsPage />;
  const review = /^\/reviews\/([0-9a-f]{12})\/?$/.exec(path);
  if (review) return <ReviewPage id={review[1] ?? ''} />;
  if (path === '/' || path === '/apps') return <AppsPage />;
  return (
    <section aria-labelledby="nf">
      <h1 id="nf">Page not found</h1>
      <p>
        There is nothing at {path}. <a href="/">Go to your apps</a>.
      </p>
    </section>
  );
}

function Root() {
  const { token, user } = useSession();
  const [restoring, setRestoring] = useState(true);
  const { path } = useLocation();

  useEffect(() => {
    // A reload or a new tab: the httpOnly refresh cookie is the only thing that survived.
    void (async () => {
      if (!session.token() && (await refresh())) session.setUser((await api.me()).user);
      setRestoring(false);
    })();
  }, []);

  useEffect(() => {
    if (token && !user) void api.me().then((r) => session.setUser(r.user));
  }, [token, user]);

  const onAuthPage = path === '/login' || path === '/signup';
  useEffect(() => {
    // Signed out: only the login and signup pages; signed in: never those two.
    if (restoring) return;
    if (!token && !onAuthPage) navigate('/login', { replace: true });
    if (token && onAuthPage) navigate('/', { replace: true });
  }, [restoring, token, onAuthPage]);

  if (restoring) return <p class="boot">Restoring your session…</p>;
  if (!token) return <AuthPage mode={path === '/signup' ? 'signup' : 'login'} />;
  return (
    <Shell user={user}>
      <Suspense fallback={<p class="boot">Loading…</p>}>
        <Routes />
      </Suspense>
    </Shell>
  );
}

const root = document.getElementById('root');
if (root) {
  root.textContent = '';
  render(<Root />, root);
}
