/**
 * Plugin descriptors (Spring bean XML, web.xml, atlassian-plugin.xml): a bean that starts a
 * process or runs an expression when the plugin loads is a backdoor by itself.
 */
import type { AnalyzerContext } from '../context.js';

export function analyzePluginXml(ctx: AnalyzerContext): void {
  const { text, ev } = ctx;
  const pb = /<bean\b[^>]{0,300}class\s*=\s*["']java\.lang\.(?:ProcessBuilder|Runtime)["']/i.exec(text);
  if (pb) {
    const start = /<constructor-arg|<property|init-method\s*=\s*["']start|factory-method\s*=\s*["']getRuntime|<list>/i.test(text.slice(pb.index, pb.index + 4000));
    ev.add('plugin', 'Spring bean definition creates a java.lang process when the context loads', start ? 12 : 9, pb.index, pb[0].length);
  }
  const mi =
    /<bean\b[^>]{0,300}class\s*=\s*["']org\.springframework\.beans\.factory\.config\.MethodInvokingFactoryBean["'][\s\S]{0,2000}?(?:java\.lang\.Runtime|getRuntime|\bexec\b|ProcessBuilder)/i.exec(
      text,
    );
  if (mi) ev.add('plugin', 'Spring MethodInvokingFactoryBean calls Runtime/exec on load', 12, mi.index, 60);
  const spel = /#\{[^}]{0,300}(?:T\s*\(\s*java\.lang\.Runtime\s*\)|new\s+java\.lang\.ProcessBuilder|getRuntime\s*\(\s*\)\s*\.\s*exec)/i.exec(text);
  if (spel) ev.add('plugin', 'Spring expression in a descriptor runs a process', 12, spel.index, spel[0].length);
  const script = /<(?:lang:groovy|lang:jruby|lang:bsh)\b[^>]{0,300}>[\s\S]{0,2000}?(?:execute\s*\(|\.exec\s*\(|ProcessBuilder)/i.exec(text);
  if (script) ev.add('plugin', 'inline script bean in a descriptor runs a process', 10, script.index, 60);
}
