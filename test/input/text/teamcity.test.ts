import { test } from 'node:test';
import assert from 'node:assert/strict';
import { teamcityDecoder } from '../../../src/input/text/teamcity.js';
import { TEAMCITY_ACTIVITIES, TEAMCITY_REST, TEAMCITY_SERVER } from './fixtures.js';
import { decode, expecter, line, lines } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('teamcity');

test('decodes TEAMCITY_ACTIVITIES', () => {
  const r = decode(teamcityDecoder, TEAMCITY_ACTIVITIES, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        Level: 'INFO',
        Category: 'jetbrains.buildServer.ACTIVITIES.AUDIT',
        Message: 'plugin_uploaded: Plugin "evil-plugin" was updated by "user with id=11 \'attacker\'" with comment "Plugin was uploaded"',
        Action: 'plugin_uploaded',
        Object: 'Plugin "evil-plugin"',
        Verb: 'updated',
        Plugin: 'evil-plugin',
        Actor: "user with id=11 'attacker'",
        UserId: 11,
        User: 'attacker',
        Comment: 'Plugin was uploaded',
      },
      { product: 'teamcity', service: 'activities' },
      1,
      line(TEAMCITY_ACTIVITIES, 1),
      1709583527126,
    ),
    ev(
      {
        Level: 'INFO',
        Category: 'jetbrains.buildServer.ACTIVITIES.AUDIT',
        Message: 'plugin_enable: Plugin "evil-plugin" was enabled by "user with id=11 \'attacker\'"',
        Action: 'plugin_enable',
        Object: 'Plugin "evil-plugin"',
        Verb: 'enabled',
        Plugin: 'evil-plugin',
        Actor: "user with id=11 'attacker'",
        UserId: 11,
        User: 'attacker',
      },
      { product: 'teamcity', service: 'activities' },
      2,
      line(TEAMCITY_ACTIVITIES, 2),
      1709583530001,
    ),
    ev(
      {
        Level: 'INFO',
        Category: 'jetbrains.buildServer.ACTIVITIES.AUDIT',
        Message: 'user_token_create: "access token \'RPC2\'" was created by "\'admin\' user with id=1"',
        Action: 'user_token_create',
        Object: "access token 'RPC2'",
        Verb: 'created',
        Actor: "'admin' user with id=1",
        UserId: 1,
        User: 'admin',
      },
      { product: 'teamcity', service: 'activities' },
      3,
      line(TEAMCITY_ACTIVITIES, 3),
      1709583541500,
    ),
    ev(
      { Level: 'INFO', Category: 'jetbrains.buildServer.ACTIVITIES', Message: 'User "admin" logged in' },
      { product: 'teamcity', service: 'activities' },
      4,
      line(TEAMCITY_ACTIVITIES, 4),
      1709583542000,
    ),
  ]);
});

test('decodes TEAMCITY_REST', () => {
  const r = decode(teamcityDecoder, TEAMCITY_REST, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        Level: 'DEBUG',
        Category: 's.buildServer.server.rest.APIController',
        Message: "REST API request received: POST '/app/rest/users/id:1/tokens/RPC2', from client 198.51.100.7:50123, authenticated as 'admin' (id=1)",
        Method: 'POST',
        Path: '/app/rest/users/id:1/tokens/RPC2',
        ClientIp: '198.51.100.7',
        User: 'admin',
      },
      { product: 'teamcity', service: 'rest' },
      1,
      line(TEAMCITY_REST, 1),
      1709583520000,
    ),
    ev(
      {
        Level: 'DEBUG',
        Category: 's.buildServer.server.rest.APIController',
        Message: "REST API request processing finished in 50 ms, status code: 200, request: POST '/app/rest/users/id:1/tokens/RPC2', from client 198.51.100.7:50123",
        Method: 'POST',
        Path: '/app/rest/users/id:1/tokens/RPC2',
        ClientIp: '198.51.100.7',
        Status: 200,
      },
      { product: 'teamcity', service: 'rest' },
      2,
      line(TEAMCITY_REST, 2),
      1709583520050,
    ),
  ]);
});

test('decodes TEAMCITY_SERVER', () => {
  const r = decode(teamcityDecoder, TEAMCITY_SERVER, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      { Level: 'INFO', Category: 'jetbrains.buildServer.SERVER', Message: 'TeamCity server started' },
      { product: 'teamcity', service: 'server' },
      1,
      line(TEAMCITY_SERVER, 1),
      1709582400000,
    ),
    ev(
      {
        Level: 'ERROR',
        Category: 'jetbrains.buildServer.plugins',
        Message: 'Failed to load plugin\njava.lang.IllegalStateException: bad descriptor\n\tat jetbrains.buildServer.plugins.Loader.load(Loader.java:42)',
      },
      { product: 'teamcity', service: 'server' },
      2,
      lines(TEAMCITY_SERVER, 2, 4),
      1709582401000,
    ),
  ]);
});

test('TeamCity: local times follow --timezone; the file name picks the service for uncategorized lines', () => {
  const text = ['\tat orphan.continuation(Line.java:1)', '[2024-03-04 22:00:00,000]   INFO - misc - something'].join('\n');
  const r = decode(teamcityDecoder, text, '/opt/teamcity/logs/teamcity-activities.log', { timezone: 'Europe/Berlin' });
  assert.deepStrictEqual(
    r.events.map((e) => [e.timestamp, e.logsource.service]),
    [[Date.UTC(2024, 2, 4, 21), 'activities']],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.replace(/;.*/, '')]),
    [[1, 'not a TeamCity log line']],
  );
});

test('TeamCity sniff', () => {
  assert.equal(teamcityDecoder.sniff(TEAMCITY_ACTIVITIES.split('\n')), 0.9);
  assert.equal(teamcityDecoder.sniff(['[10/Jan/2024:10:11:12 +0000] x']), 0);
});
