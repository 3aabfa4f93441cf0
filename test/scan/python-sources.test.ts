/**
 * Python request sources that depend on the program: `self.path`/`self.headers`/`self.rfile`
 * are the request only in an http.server handler, and standard input only in a CGI program.
 * Fixtures are written here; each shell has a look-alike from ordinary tooling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

test('python: self.path of an http.server handler reaching os.system is a shell', () => {
  const code = `import os\nfrom http.server import BaseHTTPRequestHandler, HTTPServer\nclass H(BaseHTTPRequestHandler):\n    def do_GET(self):\n        cmd = self.path[1:]\n        os.system(cmd)\nHTTPServer(('', 8000), H).serve_forever()\n`;
  const f = findingOf('srv.py', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request-derived variable reaches os.system'), reasons(f).join(' | '));
});

test('python: a class with a path attribute and an eval elsewhere is no request flow', () => {
  const code = `class Interpreter:\n    def __init__(self, path=None):\n        self.path = path\n    def binary(self):\n        result = self.path or ''\n        return result\n    def magic(self, version):\n        result = 'sys.version_info[:2]'\n        return eval(result)\n`;
  assert.equal(findingOf('interpreter.py', code), undefined);
});

test('python: standard input is the request body in a CGI program only', () => {
  const cli = `import sys, subprocess\nname = sys.stdin.readline().strip()\nsubprocess.call(['git', 'checkout', name])\n`;
  assert.equal(findingOf('tool.py', cli), undefined);
  const cgi = `#!/usr/bin/env python3\nimport sys, os\nprint("Content-type: text/plain\\n")\nbody = sys.stdin.read(int(os.environ['CONTENT_LENGTH']))\nos.system(body)\n`;
  assert.equal(findingOf('run.py', cgi)?.verdict, 'malicious');
});
