/** The data sources the service is receiving (issue 13's coverage view "received now"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../src/event/event.js';
import { ReceivingSources } from '../../src/server/receiving.js';

const ev = (logsource: Event['logsource'], fields: Event['fields'] = {}): Event => ({ fields, logsource, origin: { file: 'x', record: 1, format: 'json' } });

test('events map to data sources as rules do (Windows Security by event id); the last time each was seen is kept', () => {
  const r = new ReceivingSources();
  r.note([ev({ product: 'windows', category: 'process_creation' }), ev({ product: 'windows', category: 'process_creation' })], 1000);
  r.note(
    [ev({ category: 'webserver' }), ev({ product: 'windows', service: 'security' }, { EventID: 4688 }), ev({ product: 'windows', service: 'security' }, { EventID: 4657 })],
    2000,
  );
  r.note([ev({ product: 'zeek', service: 'conn' })], 3000);
  assert.deepEqual(r.snapshot(), { process_creation: 2000, network_content: 2000, registry_modification: 2000, network_flow: 3000 });
});

test('the memo of logsource keys stays bounded however many distinct event ids arrive', () => {
  const r = new ReceivingSources();
  for (let i = 0; i < 5000; i++) r.note([ev({ product: 'windows', service: 'security' }, { EventID: i })], i);
  const memo = (r as unknown as { memo: Map<string, unknown> }).memo;
  assert.ok(memo.size <= 1024, `memo ${memo.size}`);
  assert.equal(r.snapshot().process_creation, 4688);
});
