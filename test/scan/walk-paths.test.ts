/**
 * The paths the walk yields are spelled as `join(root, ...names)` would spell them (the walk
 * joins once per folder and appends each name), and a name that is not UTF-8 travels as a
 * token, however the root was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { displayPathOf, walk } from '../../src/scan/walk.js';

async function walked(root: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of walk([root], (p) => out.push(`problem ${p.file}: ${p.message}`))) out.push(f.path);
  return out;
}

test('walked paths: normalized like join() for any spelling of the root; names that are not UTF-8 become tokens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-walkpaths-'));
  try {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'b.php'), '<?php echo 1;\n');
    writeFileSync(join(dir, 'c.txt'), 'text\n');
    writeFileSync(join(dir, '\u00e9.php'), '<?php echo 2;\n');
    // a name with a real U+FFFD in it (valid UTF-8) stays a string
    writeFileSync(join(dir, '\uFFFD.php'), '<?php echo 3;\n');
    // a folder and a file whose names are not UTF-8 (bytes 0xfe, 0xff)
    const badDir = Buffer.from([0xfe]);
    const badName = Buffer.concat([Buffer.from([0xff]), Buffer.from('.php')]);
    const inBadDir = Buffer.concat([badDir, Buffer.from('/x.php')]);
    const tokenOf = (base: string, name = badName): string => `\0${Buffer.concat([Buffer.from(base), name]).toString('base64')}`;
    mkdirSync(Buffer.concat([Buffer.from(`${dir}/`), badDir]));
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), inBadDir]), '<?php echo 5;\n');
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), badName]), '<?php echo 4;\n');
    const expect = (base: string): string[] => [`${base}a/b.php`, `${base}c.txt`, `${base}\u00e9.php`, `${base}\uFFFD.php`, tokenOf(base, inBadDir), tokenOf(base)];
    assert.deepEqual(await walked(dir), expect(`${dir}/`));
    assert.deepEqual(await walked(`${dir}/`), expect(`${dir}/`));
    assert.deepEqual(await walked(`${dir}/./a/..//`), expect(`${dir}/`));
    const rel = relative(process.cwd(), dir);
    assert.deepEqual(await walked(`${rel}/a/..`), expect(`${rel}/`));
    // the token is spelled like its siblings, whatever the spelling of the root (not `dir//\xff.php`)
    assert.equal(displayPathOf(tokenOf(`${dir}/`)), `${dir}/\\xff.php`);
    assert.equal(displayPathOf(tokenOf(`${rel}/`)), `${rel}/\\xff.php`);
    assert.equal(displayPathOf(tokenOf(`${dir}/`, inBadDir)), `${dir}/\\xfe/x.php`);
    // a folder given as its own root: its files come out under that spelling
    assert.deepEqual(await walked(join(dir, 'a', '.')), [`${dir}/a/b.php`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('walking the root folder itself: children are /name, not //name', async () => {
  // only the listing of / is read (nothing is opened): the first entries the walk yields under it
  const out: string[] = [];
  for await (const f of walk(['/'], () => {}, { onSkip: () => {} })) {
    out.push(f.path);
    if (out.length >= 3) break;
  }
  for (const p of out) assert.match(p, /^\/[^/]/);
});
