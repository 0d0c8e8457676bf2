import { ApiError } from '../lib/api.js';

/** Any failure, in the API's own words (with its code), as an alert. */
export function ErrorBox({ error, label }: { error: unknown; label?: string }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const issues = error instanceof ApiError ? issuesOf(error.details) : [];
  return (
    <div class="error" role="alert">
      {label ? <strong>{label}: </strong> : null}
      {message}
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, i) => (
            <li key={i}>
              {issue.path ? <code>{issue.path}</code> : null} {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function issuesOf(details: unknown): { path: string; message: string }[] {
  if (typeof details !== 'object' || details === null || !('issues' in details) || !Array.isArray(details.issues)) return [];
  return (details.issues as unknown[]).filter((i): i is { path: string; message: string } => typeof i === 'object' && i !== null && 'message' in i);
}
