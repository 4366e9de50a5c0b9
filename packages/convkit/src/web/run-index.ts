import { EventEmitter } from 'node:events';
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { AUDIT_FILE_NAMES } from '../audit/options.js';
import { looksLikeRun, RUN_SUBDIRS as SUBDIRS_OF_A_RUN, RUN_SUMMARY_FILES, runFiles } from '../run/layout.js';
import { brokenRun, summariseRun, type RunSummary } from './run-summary.js';

/** A `convkit analyse gtsrb` output found under the runs directory (report.html + summary.json). */
export interface DatasetReport {
  id: string;
  root: string;
  counts?: { train: number; test: number; classes: number };
}

/** A `convkit audit --out` folder found under the runs directory (audit.json, and audit.html when written). */
export interface DatasetAudit {
  id: string;
  /** The audited data: a GTSRB folder, a .h5 file, or where a set came from. */
  source: string;
  kind: string;
  created: string;
  counts: { train: number; test: number; leaks: number; labelSuspects: number | null };
  html: boolean;
}

/** audit.json files larger than this are not read by the index (a 40,000-image audit is about 0.3 MB). */
const MAX_AUDIT_BYTES = 64 << 20;

const MAX_DEPTH = 8;
/** Folders never searched for runs: those of a run, and node_modules. */
const RUN_SUBDIRS = new Set([...SUBDIRS_OF_A_RUN, 'node_modules']);
/** Files whose change alters a run's summary. */
const RUN_FILES = new Set(RUN_SUMMARY_FILES);
/** Errors that pass (too many open files, a busy or flaky network file system): the folder is read again later. */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO', 'ETIMEDOUT', 'ESTALE', 'EINTR']);
const RETRY_MS = 2000;
const isTransient = (e: unknown) => TRANSIENT.has((e as NodeJS.ErrnoException)?.code ?? '');

// Hand-written: a watcher that knows what a run folder is (chokidar and the like watch files, not runs; fs.watch does the work).
/**
 * Every run under a directory (nested batch folders too), kept current by watching the folders themselves:
 * one inotify watch per run folder and per folder above runs; nothing is polled. Emits `run` (RunSummary) and
 * `removed` (id) after a change settles (`settleMs`).
 */
export class RunIndex extends EventEmitter {
  readonly runs = new Map<string, RunSummary>();
  readonly datasets = new Map<string, DatasetReport>();
  readonly audits = new Map<string, DatasetAudit>();
  private readonly dirs = new Map<string, string>(); // run id → absolute folder
  private readonly watchers = new Map<string, FSWatcher>(); // absolute folder → watcher
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    readonly root: string,
    private readonly settleMs = 100,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.scan(this.root, 0);
  }

  dirOf(id: string): string | undefined {
    return this.dirs.get(id);
  }

  list(): RunSummary[] {
    return [...this.runs.values()];
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private async scan(dir: string, depth: number): Promise<void> {
    if (this.closed || depth > MAX_DEPTH) return;
    let entries;
    try {
      // symlinked folders are never followed, in the first scan (Dirent.isDirectory) as in the live one (here)
      if (dir !== this.root && (await fs.lstat(dir)).isSymbolicLink()) return;
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isTransient(e)) this.retry(`dir:${dir}`, () => this.scan(dir, depth));
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    if (looksLikeRun(names)) {
      await this.addRun(dir);
      return;
    }
    if (names.has('summary.json') && names.has('report.html')) await this.addDataset(dir);
    if (names.has(AUDIT_FILE_NAMES.json)) await this.addAudit(dir);
    this.watchContainer(dir, depth);
    await Promise.all(entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !RUN_SUBDIRS.has(e.name)).map((e) => this.scan(path.join(dir, e.name), depth + 1)));
  }

  private idOf(dir: string): string {
    return path.relative(this.root, dir).split(path.sep).join('/');
  }

  private async addRun(dir: string): Promise<void> {
    const id = this.idOf(dir);
    if (!id) return;
    // seen again (its parent changed): the folder may be a new one under the same name (train --force moves the old
    // run aside), and a watch follows the old inode, so watch it afresh
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
    this.dirs.set(id, dir);
    this.watchDir(dir, (file) => {
      if (file === null || RUN_FILES.has(file)) this.schedule(id, () => this.refreshRun(id));
    });
    await this.refreshRun(id);
  }

  /** Registers an analysis folder now (the watcher would too, a moment later). */
  addDatasetDir(dir: string): Promise<void> {
    return this.addDataset(dir);
  }

  private async addDataset(dir: string): Promise<void> {
    try {
      await fs.access(path.join(dir, 'report.html'));
      const s = JSON.parse(await fs.readFile(path.join(dir, 'summary.json'), 'utf8'));
      if (s?.dataset !== 'gtsrb') return;
      const id = this.idOf(dir);
      this.datasets.set(id, { id, root: String(s.root ?? ''), counts: s.counts });
    } catch {
      // not an analysis summary
    }
  }

  /** Registers a `convkit audit --out` folder now (the watcher would too, a moment later). */
  addAuditDir(dir: string): Promise<void> {
    return this.addAudit(dir);
  }

  /** Reads what the datasets page shows of an audit; the file is another user's: every field is checked or coerced. */
  private async addAudit(dir: string): Promise<void> {
    const id = this.idOf(dir);
    try {
      const file = path.join(dir, AUDIT_FILE_NAMES.json);
      const st = await fs.lstat(file);
      if (!st.isFile() || st.size > MAX_AUDIT_BYTES) return void this.audits.delete(id);
      const a = JSON.parse(await fs.readFile(file, 'utf8'));
      if (typeof a?.format !== 'string' || !a.format.startsWith('convkit-audit/') || typeof a.data !== 'object' || !a.data) return void this.audits.delete(id);
      const html = await fs.lstat(path.join(dir, AUDIT_FILE_NAMES.html)).then((s) => s.isFile(), () => false);
      const count = (v: unknown) => (Number.isFinite(Number(v)) ? Number(v) : 0);
      this.audits.set(id, {
        id,
        source: String(a.data.source ?? ''),
        kind: String(a.data.kind ?? ''),
        created: String(a.created ?? ''),
        counts: { train: count(a.data.train), test: count(a.data.test), leaks: count(a.duplicate_search?.counts?.leak), labelSuspects: a.label_search ? (Array.isArray(a.label_suspects) ? a.label_suspects.length : 0) : null },
        html,
      });
    } catch {
      this.audits.delete(id); // gone, or not an audit
    }
  }

  private async refreshRun(id: string): Promise<void> {
    const dir = this.dirs.get(id);
    if (!dir || this.closed) return;
    try {
      await fs.access(runFiles(dir).config);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (isTransient(e)) return this.retry(`run:${id}`, () => this.refreshRun(id)); // keep what is shown until then
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return this.setRun(id, brokenRun(this.root, dir, code ?? String(e)));
      this.runs.delete(id);
      this.dirs.delete(id);
      this.watchers.get(dir)?.close();
      this.watchers.delete(dir);
      this.emit('removed', id);
      return;
    }
    let s: RunSummary;
    try {
      s = await summariseRun(this.root, dir);
    } catch (e) {
      if (isTransient(e)) return this.retry(`run:${id}`, () => this.refreshRun(id));
      // one run's bad files (a value where an object belongs, a config nested too deep) must not stop the index
      s = brokenRun(this.root, dir, (e as Error)?.message ?? String(e));
    }
    this.setRun(id, s);
  }

  private setRun(id: string, s: RunSummary): void {
    this.runs.set(id, s);
    this.emit('run', s);
  }

  /** Tries again after RETRY_MS (one pending retry per key). */
  private retry(key: string, fn: () => Promise<void>): void {
    if (this.closed || this.pending.has(key)) return;
    const t = setTimeout(() => {
      this.pending.delete(key);
      fn().catch((e) => this.emit('warning', e));
    }, RETRY_MS);
    t.unref();
    this.pending.set(key, t);
  }

  private watchContainer(dir: string, depth: number): void {
    this.watchDir(dir, (file) => {
      if (file === null || file.startsWith('.')) return;
      if (file === 'summary.json' || file === 'report.html') {
        this.schedule(`dataset:${dir}`, () => this.addDataset(dir));
        return;
      }
      if (file === AUDIT_FILE_NAMES.json || file === AUDIT_FILE_NAMES.html) {
        this.schedule(`audit:${dir}`, () => this.addAudit(dir));
        return;
      }
      if (RUN_FILES.has(file)) {
        // a folder that was empty when scanned is becoming a run: watch it as one from now on
        this.schedule(`dir:${dir}`, async () => {
          this.watchers.get(dir)?.close();
          this.watchers.delete(dir);
          await this.scan(dir, depth);
        });
        return;
      }
      const child = path.join(dir, file);
      this.schedule(`dir:${child}`, () => this.scan(child, depth + 1));
    });
  }

  private watchDir(dir: string, onChange: (file: string | null) => void): void {
    if (this.watchers.has(dir) || this.closed) return;
    try {
      const w = watch(dir, { persistent: false }, (_event, file) => onChange(file ? String(file) : null));
      w.on('error', () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch {
      // folder vanished between readdir and watch
    }
  }

  /** Coalesces the burst of events one atomic write makes (temp file, rename) into one refresh. */
  private schedule(key: string, fn: () => Promise<void>): void {
    if (this.closed || this.pending.has(key)) return;
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        fn().catch((e) => this.emit('warning', e));
      }, this.settleMs),
    );
  }
}
