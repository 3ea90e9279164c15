import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CommandSpec, HELP_FLAG, helpText, parseFlags, USAGE_EXIT, UsageError, usageMessage } from '../cli/args';
import { configJsonSchema, renderConfigReference, undocumentedFields } from './config-reference';
import { renderControlCatalog } from './control-catalog';

/** The repository root (lib/docs/ is two levels down). */
export const REPO_ROOT = path.join(__dirname, '..', '..');

/** Every generated file, relative to the repository root, with its unformatted content. */
const GENERATED: readonly { file: string; render: () => string }[] = [
  { file: 'docs/configuration.md', render: renderConfigReference },
  { file: 'config/schema.json', render: () => JSON.stringify(configJsonSchema(), null, 2) },
  { file: 'docs/controls.md', render: renderControlCatalog },
];

const PRETTIER = path.join(REPO_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');

/**
 * The generated files as they must be on disk: rendered, then formatted by
 * the repository's prettier with its settings (`npm run lint` checks them
 * like any other file). Prettier runs as a child process: its API loads
 * plugins with dynamic imports, which jest's module loader refuses.
 */
export async function generatedFiles(root: string = REPO_ROOT): Promise<{ file: string; content: string }[]> {
  // One prettier process for all files: render into a scratch copy with the root's settings, format, read back.
  const scratch = mkdtempSync(path.join(tmpdir(), 'docs-config-'));
  try {
    for (const name of readdirSync(root).filter((f) => /^\.prettierrc/.test(f))) {
      copyFileSync(path.join(root, name), path.join(scratch, name));
    }
    for (const g of GENERATED) {
      mkdirSync(path.dirname(path.join(scratch, g.file)), { recursive: true });
      writeFileSync(path.join(scratch, g.file), g.render());
    }
    execFileSync(process.execPath, [PRETTIER, '--log-level', 'warn', '--write', ...GENERATED.map((g) => g.file)], {
      cwd: scratch,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return GENERATED.map((g) => ({ file: g.file, content: readFileSync(path.join(scratch, g.file), 'utf8') }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Files that differ from what the generator writes (missing ones included). */
export async function staleFiles(root: string = REPO_ROOT): Promise<string[]> {
  const stale: string[] = [];
  for (const g of await generatedFiles(root)) {
    const target = path.join(root, g.file);
    if (!existsSync(target) || readFileSync(target, 'utf8') !== g.content) stale.push(g.file);
  }
  return stale;
}

interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The command line: the single source for parsing, the usage errors and the help. */
export const DOCS_COMMAND: CommandSpec = {
  name: 'docs:config',
  summary: 'write the generated documentation: configuration reference, configuration schema, control catalog',
  flags: [
    {
      name: 'check',
      type: 'boolean',
      help: 'write nothing; exit 1 if a file is stale or a schema field has no .describe()',
    },
    HELP_FLAG,
  ],
};

const USAGE = helpText(DOCS_COMMAND, {
  usage: 'npm run docs:config [-- --check]',
  description: [
    'Writes docs/configuration.md and config/schema.json from lib/config/schema.ts,',
    'and docs/controls.md from lib/compliance/controls.ts.',
  ],
  footer: ['Exit codes: 0 written (or up to date), 1 stale or undocumented (--check), 2 usage.'],
});

/** Exit codes: 0 written (or up to date), 1 stale or undocumented (--check), 2 usage. */
export async function runDocsCli(argv: readonly string[], io: Io, root: string = REPO_ROOT): Promise<number> {
  let flags;
  try {
    flags = parseFlags(DOCS_COMMAND, argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(usageMessage('docs:config', e, 'Run "npm run docs:config -- --help" for its flags.'));
    return USAGE_EXIT;
  }
  if (flags.help) {
    io.stdout(USAGE);
    return 0;
  }
  const undocumented = undocumentedFields();
  if (undocumented.length > 0) {
    io.stderr(
      `docs:config: ${undocumented.length} configuration field(s) without a description; add .describe('...') in lib/config/schema.ts: ${undocumented.join(', ')}\n`,
    );
    return 1;
  }
  if (flags.check) {
    const stale = await staleFiles(root);
    if (stale.length > 0) {
      io.stderr(`docs:config: stale: ${stale.join(', ')}; run npm run docs:config and commit the result\n`);
      return 1;
    }
    io.stdout('docs:config: generated files are up to date\n');
    return 0;
  }
  for (const g of await generatedFiles(root)) {
    writeFileSync(path.join(root, g.file), g.content);
    io.stdout(`docs:config: wrote ${g.file}\n`);
  }
  return 0;
}
