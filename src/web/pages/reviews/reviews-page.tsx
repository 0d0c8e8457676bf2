import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { call } from '../../lib/api.js';
import { onLinkClick } from '../../lib/router.js';
import { ago } from '../../lib/rules.js';
import { reviewPath, type ChangeRequest } from './review-types.js';

/** Open change requests, oldest waiting longest at the bottom: what a reviewer works through. */
export function ReviewsPage() {
  const [requests, setRequests] = useState<ChangeRequest[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    call<{ changeRequests: ChangeRequest[] }>('GET', '/change-requests?state=open').then((r) => setRequests(r.changeRequests), setError);
  }, []);
  return (
    <section aria-labelledby="reviews-title" class="stack">
      <h1 id="reviews-title">Reviews</h1>
      <ErrorBox error={error} />
      {requests === undefined && !error && <p role="status">Loading change requests…</p>}
      {requests?.length === 0 && <p>No change requests are waiting for review.</p>}
      {requests && requests.length > 0 && (
        <table class="list">
          <caption class="sr-only">Open change requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Author</th>
              <th scope="col">Opened</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((cr) => (
              <tr key={cr.id}>
                <td>
                  <a href={reviewPath(cr.id)} onClick={onLinkClick}>
                    {cr.tenant}/{cr.app}
                  </a>
                </td>
                <td>{cr.author}</td>
                <td>
                  <time dateTime={cr.createdAt}>{ago(cr.createdAt)}</time>
                </td>
                <td>{cr.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
