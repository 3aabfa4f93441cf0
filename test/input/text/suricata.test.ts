import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suricataDecoder } from '../../../src/input/text/suricata.js';
import { SURICATA_EVE } from './fixtures.js';
import { decode, expecter, line } from './run-decoder.js';

const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('suricata');

test('decodes SURICATA_EVE (alert -> ids category, other event types -> service)', () => {
  const r = decode(suricataDecoder, SURICATA_EVE, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        timestamp: '2024-05-01T10:11:12.345678+0000',
        flow_id: 1187642553817395,
        in_iface: 'eth0',
        event_type: 'alert',
        src_ip: '203.0.113.9',
        src_port: 51544,
        dest_ip: '10.0.0.5',
        dest_port: 80,
        proto: 'TCP',
        pkt_src: 'wire/pcap',
        tx_id: 0,
        'alert.action': 'allowed',
        'alert.gid': 1,
        'alert.signature_id': 2029462,
        'alert.rev': 3,
        'alert.signature': 'ET WEB_SERVER Possible Webshell Command Execution (cmd=whoami)',
        'alert.category': 'Web Application Attack',
        'alert.severity': 1,
        'alert.metadata.attack_target': ['Web_Server'],
        'alert.metadata.signature_severity': ['Major'],
        'http.hostname': 'www.example.com',
        'http.url': '/uploads/help.php?cmd=whoami',
        'http.http_user_agent': 'curl/8.4.0',
        'http.http_method': 'GET',
        'http.protocol': 'HTTP/1.1',
        'http.status': 200,
        'http.length': 12,
        app_proto: 'http',
        direction: 'to_server',
        'flow.pkts_toserver': 4,
        'flow.pkts_toclient': 3,
        'flow.bytes_toserver': 372,
        'flow.bytes_toclient': 512,
        'flow.start': '2024-05-01T10:11:12.300001+0000',
        'flow.src_ip': '203.0.113.9',
        'flow.dest_ip': '10.0.0.5',
        'flow.src_port': 51544,
        'flow.dest_port': 80,
      },
      { product: 'suricata', category: 'ids' },
      1,
      line(SURICATA_EVE, 1),
      1714558272345,
    ),
    ev(
      {
        timestamp: '2024-05-01T10:11:12.346001+0000',
        flow_id: 1187642553817395,
        in_iface: 'eth0',
        event_type: 'http',
        src_ip: '203.0.113.9',
        src_port: 51544,
        dest_ip: '10.0.0.5',
        dest_port: 80,
        proto: 'TCP',
        pkt_src: 'wire/pcap',
        tx_id: 0,
        'http.hostname': 'www.example.com',
        'http.url': '/uploads/help.php?cmd=whoami',
        'http.http_user_agent': 'curl/8.4.0',
        'http.http_content_type': 'text/html',
        'http.http_method': 'GET',
        'http.protocol': 'HTTP/1.1',
        'http.status': 200,
        'http.length': 12,
        'http.request_headers.name': ['Host', 'User-Agent'],
        'http.request_headers.value': ['www.example.com', 'curl/8.4.0'],
      },
      { product: 'suricata', service: 'http' },
      2,
      line(SURICATA_EVE, 2),
      1714558272346,
    ),
    ev(
      {
        timestamp: '2024-05-01T10:11:13.000100+0000',
        flow_id: 998877,
        event_type: 'dns',
        src_ip: '10.0.0.5',
        src_port: 40212,
        dest_ip: '10.0.0.2',
        dest_port: 53,
        proto: 'UDP',
        'dns.version': 2,
        'dns.type': 'answer',
        'dns.id': 4242,
        'dns.flags': '8180',
        'dns.qr': true,
        'dns.rd': true,
        'dns.ra': true,
        'dns.rrname': 'c2.example.net',
        'dns.rrtype': 'A',
        'dns.rcode': 'NOERROR',
        'dns.answers.rrname': ['c2.example.net'],
        'dns.answers.rrtype': ['A'],
        'dns.answers.ttl': [60],
        'dns.answers.rdata': ['198.51.100.7'],
        host: 'sensor01',
      },
      { product: 'suricata', service: 'dns' },
      3,
      line(SURICATA_EVE, 3),
      1714558273000,
      'sensor01',
    ),
    ev(
      {
        timestamp: '2024-05-01T10:11:14.500000+0000',
        flow_id: 1187642553817400,
        event_type: 'fileinfo',
        src_ip: '10.0.0.5',
        src_port: 80,
        dest_ip: '203.0.113.9',
        dest_port: 51550,
        proto: 'TCP',
        'http.hostname': 'www.example.com',
        'http.url': '/upload.php',
        'http.http_method': 'POST',
        'http.status': 200,
        app_proto: 'http',
        'fileinfo.filename': '/upload.php',
        'fileinfo.magic': 'PHP script, ASCII text',
        'fileinfo.gaps': false,
        'fileinfo.state': 'CLOSED',
        'fileinfo.md5': '0cc175b9c0f1b6a831c399e269772661',
        'fileinfo.stored': false,
        'fileinfo.size': 1324,
        'fileinfo.tx_id': 0,
      },
      { product: 'suricata', service: 'fileinfo' },
      4,
      line(SURICATA_EVE, 4),
      1714558274500,
    ),
  ]);
});

test('suricata: sniffs 0.95 on EVE, 0 on other JSON; bad lines are problems', () => {
  assert.equal(suricataDecoder.sniff(SURICATA_EVE.split('\n')), 0.95);
  assert.equal(suricataDecoder.sniff(['{"ts":1,"uid":"C1","id.orig_h":"10.0.0.1"}']), 0);
  const r = decode(suricataDecoder, ['{"event_type":', '[1,2]', '{"timestamp":"x","event_type":"flow","src_ip":"10.0.0.1"}'].join('\n'), 'eve.json', OPTS);
  assert.deepStrictEqual(
    r.events.map((e) => [e.logsource, e.timestamp]),
    [[{ product: 'suricata', service: 'flow' }, undefined]],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => p.line),
    [1, 2],
  );
});
