/**
 * The component view's model. A collector knows one server's extension points and names the
 * components found there (`Candidate`); the inventory adds what the file system says about
 * each (hash, size, owner, mode) and its signature, giving an `Item`.
 */
import type { Dirent } from 'node:fs';

export type SignatureStatus = 'signed' | 'signed-modified' | 'unsigned' | 'n/a';

export interface Signature {
  status: SignatureStatus;
  /** Signer certificate subject (`CN=..., O=...`), when signed. */
  signer?: string;
  /** Why a signature is not intact (first reason), or the acceptance level for VIBs. */
  detail?: string;
}

/** How a component's file is checked for a signature. */
export type SignatureKind = 'pe' | 'jar' | 'none';

export interface Candidate {
  /** What the component is to its server, e.g. `iis-global-module`, `jenkins-plugin`. */
  kind: string;
  server: string;
  /**
   * The component's file (absolute, under the root). Components that are not files (a managed
   * IIS module type, a SQL Server setting) use the file that declares them.
   */
  path: string;
  /** The name the server knows it by (module name, plugin id), when it differs from the file. */
  name?: string;
  /** The configuration file that declared it, when it came from one. */
  source?: string;
  /** Server-specific facts (type name, precondition, permission set, ...), all strings. */
  detail?: Record<string, string>;
  /** Whether `path` is the component itself (hashed, signature checked) or only its declaration. */
  file: boolean;
  signature: SignatureKind;
  /** Run the content scanner over the file (scripts a server executes). */
  scan?: boolean;
  /**
   * A signature status the collector knows without reading a file (a VIB's acceptance level and
   * `esxcli software vib signature verify` result); it replaces the file check.
   */
  presetSignature?: Signature;
}

/** The content scanner's verdict on a script component (`warden scan`'s scoring). */
export interface ScanVerdict {
  verdict: 'malicious' | 'suspicious' | 'clean';
  /** Present when the verdict is not clean. */
  score?: number;
  family?: string;
}

export interface Item {
  kind: string;
  server: string;
  path: string;
  name?: string;
  source?: string;
  detail?: Record<string, string>;
  /** sha256 hex of the file; '' when the file is missing or not a file. */
  sha256: string;
  size: number;
  mtime: number;
  /** Permission bits, octal text like `644`. */
  mode: string;
  owner: string;
  signature: Signature;
  /** The content scanner's verdict, for scripts (collectors mark which candidates are scanned). */
  scan?: ScanVerdict;
  /** Set when a declared file does not exist. */
  missing?: boolean;
}

/** The stable identity of an item across runs: what it is and where. */
export function itemId(i: Pick<Item, 'kind' | 'path' | 'name'>): string {
  return i.name === undefined ? `${i.kind}|${i.path}` : `${i.kind}|${i.path}|${i.name}`;
}

/** What a collector found under a root: its components and the folders a watcher should follow. */
export interface Collected {
  candidates: Candidate[];
  /** Folders whose changes can change this collector's inventory (config folders, plugin folders). */
  watch: string[];
}

export interface CollectContext {
  /** The root everything is resolved under (`/` for the live system). */
  root: string;
  problems: { report(p: { kind: 'input'; file: string; line?: number; message: string }): void };
  /**
   * Files a walk has just listed that will be candidates without a signature to check or a
   * scan (every file of a deployed webapp): a baseline hashes them on its worker threads
   * while the collectors go on walking. A hint only; the candidates decide what is described.
   */
  hashSoon?: (files: readonly string[]) => void;
  /**
   * Lists a folder for a walk (sorted, as `listDir`). A watcher's lister answers from memory
   * for a folder it has watched since it last listed it and that had no event since.
   */
  list?: (dir: string) => Dirent[];
}

export interface Collector {
  server: string;
  collect(ctx: CollectContext): Promise<Collected>;
}
