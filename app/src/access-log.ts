import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

/** One line per request (DATA-9, LOG-3): who (tenant, principal) did what (route, resource) with which result. */
export interface AccessLogEntry {
  readonly time: string;
  readonly tenant: string | null;
  readonly principal: string | null;
  readonly method: string;
  readonly route: string;
  readonly resource: string | null;
  readonly status: number;
  readonly latencyMs: number;
}

export type AccessLog = (entry: AccessLogEntry) => void;

/** Appends JSON lines to `<dir>/access.log`, which the CloudWatch agent ships (`/var/log/app/*.log`). */
export function fileAccessLog(dir: string): AccessLog {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'access.log');
  return (entry) => appendFileSync(file, `${JSON.stringify(entry)}\n`);
}
