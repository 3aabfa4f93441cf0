/**
 * Which `exec(` a JSP calls: Runtime's (on Runtime.getRuntime() or a variable holding it), or a
 * method of the page's own; and a method defined under that name is no call. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

test('Runtime.exec on getRuntime() or a variable holding it', () => {
  const chained = '<%\nString c = request.getParameter("c");\nRuntime.getRuntime().exec(c);\n%>\n';
  assert.ok(reasons(findingOf('a.jsp', chained)).includes('request-derived variable reaches Runtime.exec'), JSON.stringify(reasons(findingOf('a.jsp', chained))));
  const held = '<%\nRuntime r = Runtime.getRuntime();\nr.exec(request.getParameter("c"));\n%>\n';
  assert.ok(reasons(findingOf('b.jsp', held)).includes('request input reaches Runtime.exec'), JSON.stringify(reasons(findingOf('b.jsp', held))));
});

test('a page method named exec is called as exec(), and its definition is no call', () => {
  const page = `<%@ page import="java.util.*" %>
<%!
public static String exec(String c) throws Exception {
  Process p = new ProcessBuilder(c.split(" ")).start();
  return new Scanner(p.getInputStream()).useDelimiter("\\\\A").next();
}
%>
<%
out.print(exec(request.getParameter("x")));
%>
`;
  const r = reasons(findingOf('c.jsp', page));
  assert.ok(r.includes('request input reaches exec()'), JSON.stringify(r));
  assert.ok(!r.some((x) => x.endsWith('Runtime.exec')), JSON.stringify(r));
  assert.ok(r.includes('request-derived variable reaches ProcessBuilder'), JSON.stringify(r));
});
