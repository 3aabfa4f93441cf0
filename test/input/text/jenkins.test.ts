import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jenkinsDecoder } from '../../../src/input/text/jenkins.js';
import { JENKINS } from './fixtures.js';
import { decode, expecter, line, lines } from './run-decoder.js';

/** Fixed clock and zone so year inference and local times are deterministic. */
const OPTS = { now: Date.UTC(2024, 5, 1), timezone: 'UTC' };
const ev = expecter('jenkins');

test('decodes JENKINS', () => {
  const r = decode(jenkinsDecoder, JENKINS, 'sample.log', OPTS);
  assert.deepStrictEqual(r.problems, []);
  assert.deepStrictEqual(r.events, [
    ev(
      {
        Level: 'INFO',
        Logger: 'hudson.model.UpdateCenter$DownloadJob#run',
        Message: 'Starting the installation of evil-plugin on behalf of admin',
        ThreadId: 42,
        Action: 'install_started',
        Plugin: 'evil-plugin',
        User: 'admin',
      },
      { product: 'jenkins', service: 'jenkins' },
      1,
      line(JENKINS, 1),
      1704881472345,
    ),
    ev(
      {
        Level: 'INFO',
        Logger: 'hudson.model.UpdateCenter$DownloadJob#run',
        Message: 'Installation successful: evil-plugin',
        ThreadId: 42,
        Action: 'install_succeeded',
        Plugin: 'evil-plugin',
      },
      { product: 'jenkins', service: 'jenkins' },
      2,
      line(JENKINS, 2),
      1704881473001,
    ),
    ev(
      {
        Level: 'SEVERE',
        Logger: 'hudson.model.UpdateCenter$DownloadJob#run',
        Message: 'Failed to install other-plugin\njava.io.IOException: Failed to download\n\tat hudson.model.UpdateCenter.download(UpdateCenter.java:1)',
        ThreadId: 43,
        Action: 'install_failed',
        Plugin: 'other-plugin',
      },
      { product: 'jenkins', service: 'jenkins' },
      3,
      lines(JENKINS, 3, 5),
      1704881474000,
    ),
    ev(
      {
        Level: 'INFO',
        Logger: 'hudson.PluginManager#dynamicLoad',
        Message: 'Attempting to dynamic load /var/jenkins_home/plugins/evil-plugin.jpi',
        Action: 'dynamic_load',
        Plugin: 'evil-plugin',
        TargetFilename: '/var/jenkins_home/plugins/evil-plugin.jpi',
      },
      { product: 'jenkins', service: 'jenkins' },
      6,
      lines(JENKINS, 6, 7),
      1704881475000,
    ),
  ]);
});

test('Jenkins: a legacy header without its LEVEL line is a problem', () => {
  const text = ['Jan 10, 2024 1:02:03 PM hudson.PluginManager load', 'Jan 10, 2024 1:02:04 PM hudson.PluginManager load', 'WARNING: slow'].join('\n');
  const r = decode(jenkinsDecoder, text, 'jenkins.log', { timezone: '-05:00' });
  assert.deepStrictEqual(
    r.events.map((e) => [e.origin.record, e.timestamp, e.fields.Level, e.fields.Message]),
    [[2, Date.UTC(2024, 0, 10, 18, 2, 4), 'WARNING', 'slow']],
  );
  assert.deepStrictEqual(
    r.problems.map((p) => [p.line, p.message.replace(/;.*/, '')]),
    [[1, 'Jenkins log header without a LEVEL: message line']],
  );
});

test('Jenkins sniff', () => {
  assert.equal(jenkinsDecoder.sniff(JENKINS.split('\n').slice(0, 3)), 0.9);
  assert.equal(jenkinsDecoder.sniff(JENKINS.split('\n').slice(5)), 0.85);
  assert.equal(jenkinsDecoder.sniff(['2024-01-10 10:11:12.34 spid55      x']), 0);
});
