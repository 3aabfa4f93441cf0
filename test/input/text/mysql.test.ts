import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mysqlDecoder } from '../../../src/input/text/mysql.js';
import { MYSQL_GENERAL, MYSQL_ERROR } from './fixtures.js';
import { decode, expecter, line, lines } from './run-decoder.js';

const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('mysql');

test('decodes MYSQL_GENERAL: banner skipped, connection user/database carried to its queries, multi-line query, 5.6 stamps', () => {
  const r = decode(mysqlDecoder, MYSQL_GENERAL, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      { ConnectionId: 12, Command: 'Connect', Argument: 'root@198.51.100.7 on shop using TCP/IP', User: 'root', ClientHost: '198.51.100.7', Database: 'shop', Protocol: 'TCP/IP' },
      { product: 'mysql', service: 'general' },
      4,
      line(MYSQL_GENERAL, 4),
      1714558272345,
    ),
    ev(
      { ConnectionId: 12, Command: 'Query', Argument: 'SELECT @@version_compile_os', Query: 'SELECT @@version_compile_os', User: 'root', Database: 'shop' },
      { product: 'mysql', service: 'general' },
      5,
      line(MYSQL_GENERAL, 5),
      1714558272401,
    ),
    ev(
      {
        ConnectionId: 12,
        Command: 'Query',
        Argument: "SELECT 0x7f454c46 INTO DUMPFILE '/usr/lib/mysql/plugin/lib_mysqludf_sys.so'",
        Query: "SELECT 0x7f454c46 INTO DUMPFILE '/usr/lib/mysql/plugin/lib_mysqludf_sys.so'",
        User: 'root',
        Database: 'shop',
      },
      { product: 'mysql', service: 'general' },
      6,
      line(MYSQL_GENERAL, 6),
      1714558273000,
    ),
    ev(
      {
        ConnectionId: 12,
        Command: 'Query',
        Argument: "CREATE FUNCTION sys_exec RETURNS INTEGER SONAME 'lib_mysqludf_sys.so'",
        Query: "CREATE FUNCTION sys_exec RETURNS INTEGER SONAME 'lib_mysqludf_sys.so'",
        User: 'root',
        Database: 'shop',
      },
      { product: 'mysql', service: 'general' },
      7,
      line(MYSQL_GENERAL, 7),
      1714558273500,
    ),
    ev(
      { ConnectionId: 12, Command: 'Init DB', Argument: 'mysql', User: 'root', Database: 'mysql' },
      { product: 'mysql', service: 'general' },
      8,
      line(MYSQL_GENERAL, 8),
      1714558274000,
    ),
    ev(
      {
        ConnectionId: 12,
        Command: 'Query',
        Argument: "SELECT sys_exec('id > /tmp/o')\n  FROM dual",
        Query: "SELECT sys_exec('id > /tmp/o')\n  FROM dual",
        User: 'root',
        Database: 'mysql',
      },
      { product: 'mysql', service: 'general' },
      9,
      lines(MYSQL_GENERAL, 9, 10),
      1714558274250,
    ),
    ev({ ConnectionId: 12, Command: 'Quit', Argument: '', User: 'root', Database: 'mysql' }, { product: 'mysql', service: 'general' }, 11, line(MYSQL_GENERAL, 11), 1714558275000),
    ev(
      { ConnectionId: 13, Command: 'Connect', Argument: 'app@localhost on  using Socket', User: 'app', ClientHost: 'localhost', Protocol: 'Socket' },
      { product: 'mysql', service: 'general' },
      12,
      line(MYSQL_GENERAL, 12),
      1714558320000,
    ),
    ev(
      { ConnectionId: 13, Command: 'Query', Argument: 'SELECT 1', Query: 'SELECT 1', User: 'app' },
      { product: 'mysql', service: 'general' },
      13,
      line(MYSQL_GENERAL, 13),
      1714558320000,
    ),
  ]);
});

test('decodes MYSQL_ERROR (8.0 and 5.7 layouts)', () => {
  const r = decode(mysqlDecoder, MYSQL_ERROR, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      { ThreadId: 0, Level: 'System', ErrorCode: 'MY-010116', Subsystem: 'Server', Message: '/usr/sbin/mysqld (mysqld 8.0.36) starting as process 1234' },
      { product: 'mysql', service: 'error' },
      1,
      line(MYSQL_ERROR, 1),
      1714557600123,
    ),
    ev(
      {
        ThreadId: 12,
        Level: 'ERROR',
        ErrorCode: 'MY-010183',
        Subsystem: 'Server',
        Message: "Can't open shared library 'lib_mysqludf_sys.so' (errno: 0 /usr/lib/mysql/plugin/lib_mysqludf_sys.so: wrong ELF class)",
      },
      { product: 'mysql', service: 'error' },
      2,
      line(MYSQL_ERROR, 2),
      1714558273600,
    ),
    ev(
      { ThreadId: 0, Level: 'Warning', Message: "Access denied for user 'root'@'203.0.113.5' (using password: YES)" },
      { product: 'mysql', service: 'error' },
      3,
      line(MYSQL_ERROR, 3),
      1714558280000,
    ),
  ]);
});

test('mysql: local stamps follow --timezone; stray lines before any record are problems', () => {
  const text = ['stray text', '240501 10:12:00\t   13 Query\tSELECT 1', '2024-05-01T12:00:00.000000+02:00\t   13 Quit\t'].join('\n');
  const r = decode(mysqlDecoder, text, 'q.log', { ...OPTS, timezone: '+02:00' });
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message]),
    [[1, 'not a MySQL log line; skipped: "stray text"']],
  );
  assert.deepStrictEqual(
    r.events.map((e) => [e.fields.Command, e.timestamp]),
    [
      ['Query', Date.UTC(2024, 4, 1, 8, 12)],
      ['Quit', Date.UTC(2024, 4, 1, 10)],
    ],
  );
});

test('the Windows mysqld header (path with spaces, named pipe) is a banner, not a problem', () => {
  const text = [
    'C:\\Program Files\\MySQL\\MySQL Server 8.0\\bin\\mysqld.exe, Version: 8.0.36 (MySQL Community Server - GPL). started with:',
    'TCP Port: 3306, Named Pipe: MySQL',
    'Time                 Id Command    Argument',
    '2024-05-01T10:11:12.345678Z\t   12 Query\tSELECT 1',
  ].join('\n');
  const r = decode(mysqlDecoder, text, 'win.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0]!.fields.Query, 'SELECT 1');
  assert.equal(mysqlDecoder.sniff(text.split('\n')) > 0.5, true);
});

test('banner lines by position: tab-free prefix, ", Version: " before " started with:"; a 700 KB line of repeated marks is decided in linear work (fuzz finding: 13 CPU-s)', () => {
  const banner = (l: string): boolean => decode(mysqlDecoder, `${l}\n2024-05-01T10:11:12.345678Z\t   12 Query\tSELECT 1\n`, 'b.log', OPTS).problems.length === 0;
  assert.equal(banner('/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:'), true);
  assert.equal(banner('/usr/sbin/mysqld, Version: started with:'), false);
  assert.equal(banner('/usr/sbin/\tmysqld, Version: 8.0 started with:'), false);
  assert.equal(banner('/usr/sbin/mysqld, Version: 8.0 started with: x'), false);
  const hostile = '/usr/sbin/mysqld, Version: 8.0.36 (MySQ'.repeat(18_000);
  const cpu0 = process.cpuUsage();
  const r = decode(mysqlDecoder, `${hostile}\n`, 'hostile.log', OPTS);
  const cpu = process.cpuUsage(cpu0);
  assert.equal(r.events.length, 0);
  assert.equal(r.problems.length, 1);
  // CPU, not wall time: quadratic matching took 13 s of it; linear is a few ms
  assert.ok((cpu.user + cpu.system) / 1000 < 3000, `${(cpu.user + cpu.system) / 1000} CPU-ms`);
});
