/**
 * A conditional expression holds one of its branches: a request value that only decides between
 * two constants (`"list".equals(p) ? "list" : "show"`) chooses no method, while a branch that is
 * the request value still carries it. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const verdict = (path: string, text: string): string => findingOf(path, text)?.verdict ?? 'clean';

test('JSP: a method picked by a condition between two constants is the page\u2019s own dispatch', () => {
  const page = `<%@ page import="java.lang.reflect.Method" %>
<%
String p = request.getParameter("view");
String name = "list".equals(p) ? "list" : "show";
Method m = Pages.class.getMethod(name, javax.servlet.jsp.JspWriter.class);
m.invoke(null, out);
%>`;
  assert.equal(verdict('view.jsp', page), 'clean', JSON.stringify(reasons(findingOf('view.jsp', page))));
  // a branch holding the request value still carries it
  const shell = page.replace('"list".equals(p) ? "list" : "show"', 'p != null ? p : "show"');
  assert.ok(reasons(findingOf('view.jsp', shell)).includes('request chooses the class or method run through reflection'));
});

test('JSP and C#: a command whose branch is the request value is still the request\u2019s command', () => {
  const jsp = '<% String c = request.getParameter("c") != null ? request.getParameter("c") : "whoami";\nProcess p = Runtime.getRuntime().exec(c); %>';
  assert.equal(verdict('c.jsp', jsp), 'malicious');
  const cs = '<%@ Page Language="C#" %>\n<% string c = Request["c"] != null ? Request["c"] : "ver";\nSystem.Diagnostics.Process.Start("cmd.exe", "/c " + c); %>';
  assert.equal(verdict('c.aspx', cs), 'malicious');
});
