/**
 * Field names are the log author's in every decoder that builds field maps from the input's
 * own keys: names that plain objects inherit (`toString`, `constructor`, `hasOwnProperty`,
 * `valueOf`) and `__proto__` must come out as ordinary own fields with their values, never
 * dropped, never read as inherited, never replacing a prototype.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Fields } from '../../src/event/event.js';
import type { LineDecoder } from '../../src/input/decoder.js';
import { jsonDecoder } from '../../src/input/json.js';
import { winEventToEvent } from '../../src/input/winevent.js';
import { zeekDecoder } from '../../src/input/text/zeek.js';
import { suricataDecoder } from '../../src/input/text/suricata.js';
import { sysmonLinuxDecoder } from '../../src/input/text/sysmon-linux.js';
import { w3cDecoder } from '../../src/input/text/w3c.js';
import { auditdDecoder } from '../../src/input/text/auditd.js';
import { decode } from './text/run-decoder.js';

/** Read as data (a field named so), never as the accessor. */
const PROTO = '__proto__';

/** The fields, checked to be a plain object whose every field is its own, and nothing leaked into Object.prototype. */
function plain(e: Event | undefined): Fields {
  assert.ok(e, 'an event');
  assert.equal(Object.getPrototypeOf(e.fields), Object.prototype);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  for (const k of Object.keys(e.fields)) assert.ok(Object.hasOwn(e.fields, k));
  // Round trips keep every name (JSON output, detections copied across threads).
  assert.deepStrictEqual(Object.keys(JSON.parse(JSON.stringify(e.fields)) as object), Object.keys(e.fields));
  assert.deepStrictEqual(Object.keys(structuredClone(e.fields)), Object.keys(e.fields));
  return e.fields;
}

function only(decoder: LineDecoder, text: string): Event[] {
  const r = decode(decoder, text, 'hostile.log', { now: Date.UTC(2024, 5, 1) });
  assert.deepStrictEqual(
    r.problems.map((p) => p.message),
    [],
  );
  return r.events;
}

test('JSON Lines: inherited names and __proto__ are kept as fields; an object under __proto__ is flattened, not a prototype', () => {
  const [e] = only(
    jsonDecoder,
    '{"toString":"a","constructor":"b","hasOwnProperty":"c","__proto__":"d","valueOf":{"x":1},"isPrototypeOf":null,"EventID":"4688"}\n' +
      '{"__proto__":{"polluted":"yes","EventID":1},"Channel":"Security"}',
  ).slice(0, 1);
  assert.equal(JSON.stringify(plain(e)), '{"toString":"a","constructor":"b","hasOwnProperty":"c","__proto__":"d","valueOf.x":1,"isPrototypeOf":null,"EventID":4688}');
  const [, second] = only(jsonDecoder, '{"a":1}\n{"__proto__":{"polluted":"yes","EventID":1},"Channel":"Security"}');
  const f = plain(second);
  assert.deepStrictEqual({ ...f }, { '__proto__.polluted': 'yes', '__proto__.EventID': 1, Channel: 'Security' });
  assert.equal(f.EventID, undefined);
  assert.deepStrictEqual(second!.logsource, { product: 'windows' });
});

test('EVTX-JSON and Winlogbeat layouts: inherited names and __proto__ in System, EventData and event_data are fields', () => {
  const origin = { file: 'x.json', record: 1, format: 'json' };
  const evtx = winEventToEvent(
    JSON.parse(
      '{"Event":{"System":{"EventID":"1","Channel":"Sysmon","__proto__":"p","toString":"t","constructor":{"#attributes":{"x":"y"}}},' +
        '"EventData":{"hasOwnProperty":"h","__proto__":"q","valueOf":"v","Data":[{"#text":"u"}]}}}',
    ),
    origin,
  );
  assert.equal(JSON.stringify(plain(evtx)), '{"EventID":1,"Channel":"Sysmon","__proto__":"p","toString":"t","constructor_x":"y","hasOwnProperty":"h","valueOf":"v","Data":["u"]}');
  const beat = winEventToEvent(
    JSON.parse('{"winlog":{"channel":"Security","event_id":4688,"event_data":{"toString":"a","__proto__":"b"}},"constructor":"c","@timestamp":"2024-01-10T10:11:12Z"}'),
    origin,
  );
  const f = plain(beat);
  assert.deepStrictEqual([f.toString, f[PROTO], f.constructor, f.Channel, f.EventID], ['a', 'b', 'c', 'Security', 4688]);
  assert.equal(beat.timestamp, Date.UTC(2024, 0, 10, 10, 11, 12));
});

test('Zeek JSON and TSV: inherited names and __proto__ are fields', () => {
  const [j] = only(zeekDecoder, '{"_path":"http","ts":1704881472.5,"uid":"C1","toString":"x","__proto__":"y","constructor":{"name":"z"},"hasOwnProperty":[1,2]}');
  assert.equal(JSON.stringify(plain(j)), '{"ts":1704881472.5,"uid":"C1","toString":"x","__proto__":"y","constructor.name":"z","hasOwnProperty":[1,2]}');
  assert.equal(j!.timestamp, 1704881472500);
  const tsv = ['#separator \\x09', '#path\thttp', '#fields\tts\ttoString\t__proto__\thasOwnProperty', '#types\ttime\tstring\tstring\tset[string]', '1704881472.5\ta\tb\tc,d'].join(
    '\n',
  );
  const [t] = only(zeekDecoder, tsv);
  assert.equal(JSON.stringify(plain(t)), '{"ts":1704881472.5,"toString":"a","__proto__":"b","hasOwnProperty":["c","d"]}');
  assert.equal(t!.timestamp, 1704881472500);
});

test('Suricata EVE: inherited names and __proto__ are fields', () => {
  const [e] = only(
    suricataDecoder,
    '{"timestamp":"2024-01-10T10:11:12.000000+0000","event_type":"http","src_ip":"1.2.3.4","toString":"x","__proto__":"y","http":{"constructor":"z","hasOwnProperty":[{"valueOf":"v"}]}}',
  );
  const f = plain(e);
  assert.deepStrictEqual([f.toString, f[PROTO], f['http.constructor'], f['http.hasOwnProperty.valueOf']], ['x', 'y', 'z', ['v']]);
});

test('Sysmon for Linux: Data names that objects inherit are fields, and the first occurrence wins as for other names', () => {
  const line =
    '<14>1 2024-05-01T10:11:12.345678+00:00 web01 sysmon - - - <Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EventID><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer></System>' +
    '<EventData><Data Name="toString">a</Data><Data Name="__proto__">b</Data><Data Name="constructor">c</Data><Data Name="toString">second</Data><Data Name="Image">/bin/sh</Data></EventData></Event>';
  const [e] = only(sysmonLinuxDecoder, line);
  const f = plain(e);
  assert.deepStrictEqual([f.toString, f[PROTO], f.constructor, f.Image], ['a', 'b', 'c', '/bin/sh']);
});

test('W3C: #Fields names that objects inherit, or that the rename table would resolve through its prototype, are fields', () => {
  const text = ['#Fields: date time constructor toString __proto__ hasOwnProperty cs-uri-stem', '2024-01-10 10:11:12 a b c d /x'].join('\n');
  for (let round = 0; round < 3; round++) {
    // Rounds 2 and 3 take the cached layout and compiled shape.
    const [e] = only(w3cDecoder, text);
    assert.equal(JSON.stringify(plain(e)), '{"date":"2024-01-10","time":"10:11:12","constructor":"a","tostring":"b","__proto__":"c","hasownproperty":"d","cs-uri-stem":"/x"}');
  }
});

test('auditd: keys that objects inherit, repeated or not, and __proto__ are fields', () => {
  const text = [
    'type=USER_CMD msg=audit(1704881472.100:300): pid=1 uid=0 toString=a __proto__=b constructor="c" hasOwnProperty=d toString=e msg=\'cwd="/" cmd=6964 res=success\'',
    'type=SYSCALL msg=audit(1704881472.200:301): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=2 uid=0 comm="sh" exe="/bin/sh" key=(null)',
    'type=CWD msg=audit(1704881472.200:301): cwd="/" valueOf=x __proto__=y',
    'type=EOE msg=audit(1704881472.200:301): ',
  ].join('\n');
  for (let round = 0; round < 3; round++) {
    const events = only(auditdDecoder, text);
    const f = plain(events[0]);
    assert.deepStrictEqual([f.toString, f[PROTO], f.constructor, f.hasOwnProperty, f.cmd], [['a', 'e'], 'b', 'c', 'd', 'id']);
    const g = plain(events[1]);
    assert.deepStrictEqual([g.valueOf, g[PROTO], g.cwd, g.exe], ['x', 'y', '/', '/bin/sh']);
  }
});
