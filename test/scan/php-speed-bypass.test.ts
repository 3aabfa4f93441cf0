/**
 * bypassTechniques (php/bypass.ts) asks the call index for putenv() / proc_open() /
 * pcntl_exec() before searching the text for LD_PRELOAD and GCONV_PATH: every report of those
 * passes comes from one of those calls. The reports with each call, and none without.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

test('php: LD_PRELOAD reported from putenv(), proc_open() and pcntl_exec(), not from the text alone', () => {
  const viaPcntl = `<?php pcntl_exec('/bin/true', array(), array('LD_PRELOAD=/tmp/x.so'));\n`;
  assert.ok(
    reasons(findingOf('p.php', viaPcntl)).includes('starts a child process with LD_PRELOAD in its environment array: library injection past disable_functions'),
    reasons(findingOf('p.php', viaPcntl)).join('; '),
  );
  assert.deepEqual(reasons(findingOf('e.php', `<?php putenv("LD_PRELOAD=/tmp/x.so");\n`)), ['sets LD_PRELOAD for child processes']);
  // the name written with no call that passes it on
  assert.ok(!reasons(findingOf('d.php', `<?php $doc = array('LD_PRELOAD' => 'explained'); echo "LD_PRELOAD=x";\n`)).some((r) => r.includes('LD_PRELOAD')));
  assert.ok(!reasons(findingOf('g.php', `<?php echo 'GCONV_PATH=/tmp'; iconv('a', 'b', 'c');\n`)).some((r) => r.includes('GCONV_PATH')));
  assert.deepEqual(reasons(findingOf('h.php', `<?php putenv('GCONV_PATH=/tmp/');\n`)), ['sets GCONV_PATH (where iconv loads charset modules from)']);
});
