/**
 * Reflection over the page's own class (Struts-style `do<Action>` dispatch) beside the shell
 * forms that look up a class or method the request names. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const CHOOSES = 'request chooses the class or method run through reflection';

function dispatchPage(cls: string, declared: string): string {
  return `<%@ page import="java.lang.reflect.Method" %>
<%!
public static class Actions${declared} {
    public String doList() { return "list"; }
    public String doView() { return "view"; }
}
%>
<%
String a = request.getParameter("a");
Method m = ${cls}.class.getMethod("do" + a);
out.print(m.invoke(new Actions()));
%>
`;
}

test("a method of the page's own class, looked up by a request name, is the page's dispatch", () => {
  assert.equal(findingOf('d.jsp', dispatchPage('Actions', '')), undefined);
  assert.equal(findingOf('d.jsp', dispatchPage('Actions', ' implements java.io.Serializable')), undefined);
  assert.equal(findingOf('d.jsp', dispatchPage('Actions', ' extends Object')), undefined);
});

test('a class the page does not declare, or one extending another, is still request-chosen reflection', () => {
  assert.ok(reasons(findingOf('d.jsp', dispatchPage('Runtime', ''))).includes(CHOOSES));
  assert.ok(reasons(findingOf('d.jsp', dispatchPage('Actions', ' extends ClassLoader'))).includes(CHOOSES));
  const byName = `<% Class<?> c = Class.forName(request.getParameter("c")); out.print(c.getMethod(request.getParameter("m")).invoke(null)); %>`;
  assert.ok(reasons(findingOf('d.jsp', byName)).includes(CHOOSES));
});

test("the page's own class that runs commands is still read as a shell", () => {
  const own = `<%!
public static class Ops {
    public String doRun(String c) throws Exception {
        java.util.Scanner s = new java.util.Scanner(Runtime.getRuntime().exec(c).getInputStream()).useDelimiter("\\\\A");
        return s.hasNext() ? s.next() : "";
    }
}
%>
<%
java.lang.reflect.Method mm = Ops.class.getMethod(request.getParameter("m"), String.class);
out.print(mm.invoke(new Ops(), request.getParameter("c")));
%>
`;
  assert.equal(findingOf('o.jsp', own)?.verdict, 'malicious');
});
