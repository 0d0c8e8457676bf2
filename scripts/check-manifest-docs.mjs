// Reads a `kustomize build` output on stdin and checks that every document is
// an object with apiVersion, kind and metadata.name: what any apply needs,
// and what a typo in a patch or a stray file tends to break.
// Prints "<n> objects" on success; one line per problem on stderr otherwise.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { parseAllDocuments } from 'yaml';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString('utf8');

const problems = [];
let objects = 0;
parseAllDocuments(text).forEach((doc, index) => {
  const where = `document ${index + 1}`;
  for (const error of doc.errors) problems.push(`${where}: ${error.message}`);
  const value = doc.toJS();
  if (value === null || value === undefined) return; // an empty document, e.g. a trailing ---
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where}: not a mapping`);
    return;
  }
  objects += 1;
  const name = value.metadata?.name;
  const id = `${where} (${value.kind ?? '?'}/${name ?? '?'})`;
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') problems.push(`${id}: no apiVersion`);
  if (typeof value.kind !== 'string' || value.kind === '') problems.push(`${id}: no kind`);
  if (typeof name !== 'string' || name === '') problems.push(`${id}: no metadata.name`);
});

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${objects} objects\n`);
