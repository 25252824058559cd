/**
 * The counts every fault and fuzz file reports (issue 12's table): each file adds its own row
 * under its name; `run.js` sums the rows, prints the table and fails the run when any 5xx, halted
 * projector, double or lost effect was seen. A file writes its row even when its assertions
 * fail, so the table always shows what happened.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FaultCounts {
  /** HTTP requests sent (every kind: valid, hostile, replayed). */
  requests: number;
  /** Processes killed with SIGKILL (API, projector worker) or servers stopped (PostgreSQL). */
  kills: number;
  /** Generated hostile inputs tried (fuzz cases, matrix cells). */
  inputs: number;
  /** Answers with a 5xx status other than the 503s a test expects while the database is down. */
  serverErrors: number;
  /** Projectors found halted (a money-guarding halt counts too). */
  haltedProjectors: number;
  /** Requests whose effect was applied more than once. */
  doubleEffects: number;
  /** Requests answered 2xx whose effect is missing. */
  lostEffects: number;
}

export const REPORT_DIR_ENV = 'KOBATELA_FAULTS_REPORT_DIR';

export function emptyCounts(): FaultCounts {
  return {
    requests: 0,
    kills: 0,
    inputs: 0,
    serverErrors: 0,
    haltedProjectors: 0,
    doubleEffects: 0,
    lostEffects: 0,
  };
}

/** Writes (replaces) this suite's row; call it in afterAll. Outside run.js it writes nothing. */
export function reportCounts(suite: string, counts: FaultCounts): void {
  const dir = process.env[REPORT_DIR_ENV];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${suite.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  writeFileSync(file, JSON.stringify({ suite, ...counts }));
}
