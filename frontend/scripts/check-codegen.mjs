#!/usr/bin/env node
// CI guard: regenerate the GraphQL types into a temporary file and fail if they
// differ from the committed src/graphql/generated.ts (schema or operation drift).
import { generate } from '@graphql-codegen/cli';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import config, { OUTPUT, outputConfig } from '../codegen.config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

const dir = mkdtempSync(join(tmpdir(), 'codegen-check-'));
const tmpOut = join(dir, 'generated.ts');
let exitCode = 0;
try {
  await generate({ ...config, silent: true, generates: { [tmpOut]: outputConfig } }, true);
  const fresh = readFileSync(tmpOut, 'utf8');
  let committed = '';
  try {
    committed = readFileSync(OUTPUT, 'utf8');
  } catch {
    console.error(`check-codegen: ${OUTPUT} is missing. Run \`npm run codegen\` and commit it.`);
    exitCode = 1;
  }
  if (!exitCode && fresh !== committed) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const first = a.findIndex((line, i) => line !== b[i]);
    const line = first === -1 ? Math.min(a.length, b.length) : first;
    console.error(`check-codegen: ${OUTPUT} is out of date (first difference at line ${line + 1}).`);
    console.error(`  committed: ${JSON.stringify(a[line] ?? '<end of file>')}`);
    console.error(`  expected:  ${JSON.stringify(b[line] ?? '<end of file>')}`);
    console.error('Run `npm run codegen` and commit the result.');
    exitCode = 1;
  } else if (!exitCode) {
    console.log(`check-codegen: ${OUTPUT} is up to date.`);
  }
} catch (err) {
  console.error('check-codegen: generation failed:', err instanceof Error ? err.message : err);
  exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
