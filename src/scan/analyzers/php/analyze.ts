/**
 * PHP: request input reaching code/command execution, variable functions, callbacks,
 * includes, writers and sockets, plus the ways shells assemble function names. The passes
 * run in a fixed order (evidence keeps the first location of each reason).
 */
import type { AnalyzerContext } from '../../context.js';
import { analyzeWriters } from '../writers.js';
import { fileManager, sqlClient } from '../admin-tools.js';
import { analyzeEncoderTraces } from './encoders.js';
import { analyzeGates, passwordGate } from './gates.js';
import { analyzeRelay, browsingProxy } from './relay.js';
import { evalLiterals, gotoScramble, hiddenCodeChannels, methodCallbacks, nonAlphanumericCode, sessionStash, writeThenInclude } from './mechanisms.js';
import { analyzeHackTools } from './hacktools.js';
import { analyzePlanted } from './planted.js';
import { evaluatedPayloads } from './interp.js';
import { analyzePhpDataflow } from './dataflow.js';
import { analyzeStealth, xslPhpCalls } from './stealth.js';
import { nearRequestVars, requestTaint, taintParameters } from './sources.js';
import { callbackTakers, directSinks, filterCallbacks, pregReplaceE, yamlCallbacks } from './sinks.js';
import { computedCallees, dangerousNameVars, reflection, requestImports, tableRunners, variableFunctions } from './dynamic.js';
import { fileWriters, includes, remoteCode, sockets, urlScriptDropper, webRootDropper } from './files.js';
import { bypassTechniques } from './bypass.js';
import { magicCallForwarding } from './magic-call.js';
import { propertyFlows, registerGlobals, unserializeGadgets, wrapperFlows } from './interproc.js';
import { bitwiseStrings, builtNames, customDecoders, decodedCallees, deobfuscate, loaderShapes } from './obfuscation.js';
import { adminKit, authBypass, listMailer, mailerAndProxy, persistence, shellUiHints, xsltAndCom } from './kits.js';

export function analyzePhp(ctx: AnalyzerContext): void {
  const s = requestTaint(ctx);
  const { consts, resolve, taint, hasRequest, calls } = s;
  analyzeWriters(ctx, taint, s.scopes);
  if (hasRequest) {
    if (ctx.size < 16384) taintParameters(ctx, taint);
    fileManager(ctx, taint, s.scopes);
    sqlClient(ctx, taint);
    mailerAndProxy(ctx, taint);
    passwordGate(ctx);
  }
  const names = dangerousNameVars(ctx, consts);
  deobfuscate(ctx, resolve);
  const cmdCalls = directSinks(s);
  pregReplaceE(s);
  callbackTakers(s, names);
  filterCallbacks(s);
  const near = nearRequestVars(taint, ctx.size);
  variableFunctions(s, names, near);
  tableRunners(s);
  computedCallees(ctx, calls, taint);
  if (hasRequest && ctx.size < 65536) propertyFlows(ctx, calls, taint);
  includes(s, near);
  bypassTechniques(s);
  magicCallForwarding(s);
  fileWriters(s);
  sockets(s, cmdCalls);
  requestImports(s);
  reflection(s);
  const xorAt = bitwiseStrings(ctx);
  wrapperFlows(ctx, taint);
  unserializeGadgets(s);
  loaderShapes(ctx, hasRequest);
  yamlCallbacks(s);
  xsltAndCom(s);
  remoteCode(ctx, consts);
  hiddenCodeChannels(ctx);
  sessionStash(ctx);
  methodCallbacks(ctx, taint, resolve, names);
  evalLiterals(ctx);
  writeThenInclude(ctx, taint);
  nonAlphanumericCode(ctx);
  gotoScramble(ctx);
  analyzeEncoderTraces(ctx);
  analyzeGates(ctx);
  analyzeRelay(ctx);
  if (hasRequest) browsingProxy(ctx, taint);
  analyzeHackTools(ctx, taint, hasRequest);
  analyzePlanted(ctx, hasRequest);
  analyzeStealth(ctx);
  xslPhpCalls(ctx);
  customDecoders(ctx, resolve);
  decodedCallees(ctx);
  webRootDropper(ctx);
  urlScriptDropper(ctx, s.consts);
  authBypass(ctx);
  listMailer(ctx);
  registerGlobals(ctx, calls, taint);
  persistence(ctx);
  if (hasRequest || cmdCalls.length > 0) shellUiHints(ctx);
  if (hasRequest && cmdCalls.length > 0) adminKit(ctx, taint, s.scopes);
  builtNames(ctx, xorAt);
  // token-level data flow across scopes, calls and constant folding (dataflow.ts)
  analyzePhpDataflow(ctx);
  // last: running an encoder can take its whole time cap, which must not starve the passes above
  evaluatedPayloads(ctx);
}
