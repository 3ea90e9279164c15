import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './app';

/** The Microsoft SARIF multitool's native binary for this platform (the package's bin.js goes through a shell). */
export function multitoolBinary(): string {
  return require('@microsoft/sarif-multitool') as string; // eslint-disable-line @typescript-eslint/no-require-imports
}

export interface ValidationMessage {
  readonly ruleId: string;
  readonly level: string;
  readonly text: string;
}
export interface Validation {
  readonly errors: ValidationMessage[];
  readonly warnings: ValidationMessage[];
}

// SARIF 2.1.0's enumerations of the properties the writer sets.
const ENUMS: Readonly<Record<string, readonly string[]>> = {
  level: ['none', 'note', 'warning', 'error'],
  kind: ['inSource', 'external', 'notApplicable', 'pass', 'fail', 'review', 'open', 'informational', 'resource'],
  status: ['accepted', 'underReview', 'rejected'],
  columnKind: ['utf16CodeUnits', 'unicodeCodePoints'],
};

/**
 * The multitool cannot deserialize a file with a value outside an enumeration
 * (e.g. `"level": "fatal"`) and then reports nothing at all, as if the file
 * were valid. This finds those values first, by walking the JSON.
 */
export function enumErrors(json: unknown, at = ''): ValidationMessage[] {
  if (Array.isArray(json)) return json.flatMap((v, i) => enumErrors(v, `${at}[${i}]`));
  if (json === null || typeof json !== 'object') return [];
  return Object.entries(json).flatMap(([k, v]) => {
    const here = at ? `${at}.${k}` : k;
    const allowed = ENUMS[k];
    // `properties` bags are free-form.
    if (k === 'properties') return [];
    if (allowed && typeof v === 'string' && !allowed.includes(v))
      return [{ ruleId: 'ENUM', level: 'error', text: `${here}: "${v}" is not one of ${allowed.join(', ')}` }];
    return enumErrors(v, here);
  });
}

/**
 * Runs `Sarif.Multitool validate` once over several files (offline; the .NET
 * start-up costs most of its 5-25 s) and returns, per file, the errors and
 * warnings it reported in its own SARIF output, plus {@link enumErrors}.
 */
export function validateSarif(...files: string[]): Validation[] {
  const out = path.join(tempDir('sarif-validate-'), 'validation.sarif');
  const run = spawnSync(multitoolBinary(), ['validate', ...files, '--output', out, '--quiet'], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`Sarif.Multitool validate exited ${run.status}: ${run.stdout}${run.stderr}`);
  const log = JSON.parse(readFileSync(out, 'utf8')) as {
    runs: {
      results?: {
        ruleId: string;
        level?: string;
        message: { text?: string; id?: string; arguments?: string[] };
        locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
      }[];
      invocations?: { toolExecutionNotifications?: { level?: string; message: { text: string } }[] }[];
    }[];
  };
  const notifications = log.runs
    .flatMap((r) => r.invocations ?? [])
    .flatMap((i) => i.toolExecutionNotifications ?? [])
    .filter((n) => n.level === 'error');
  if (notifications.length > 0)
    throw new Error(`Sarif.Multitool failed: ${notifications.map((n) => n.message.text).join('; ')}`);
  const results = log.runs.flatMap((r) => r.results ?? []);
  return files.map((file) => {
    const mine = results.filter((r) => {
      const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
      return (
        uri !== undefined && path.resolve(uri.startsWith('file:') ? fileURLToPath(uri) : uri) === path.resolve(file)
      );
    });
    const messages = mine.map((r) => ({
      ruleId: r.ruleId,
      // SARIF's default level is warning.
      level: r.level ?? 'warning',
      text: r.message.text ?? [r.message.id, ...(r.message.arguments ?? [])].join(' '),
    }));
    return {
      errors: [...enumErrors(JSON.parse(readFileSync(file, 'utf8'))), ...messages.filter((m) => m.level === 'error')],
      warnings: messages.filter((m) => m.level === 'warning'),
    };
  });
}
