import { type CommandSpec, findCommand, type FlagSpec, HELP_FLAG, helpText as commandHelp } from '../cli/args';

export { type CommandSpec, type FlagSpec, type FlagValues, parseFlags } from '../cli/args';

/** Flags several commands share. */
export const ENV_FLAG: FlagSpec = {
  name: 'env',
  type: 'string',
  value: 'NAME',
  help: 'environment name from the configuration (required)',
};
export const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  type: 'string',
  value: 'PATH',
  help: 'YAML or JSON configuration file (default: config/demo.yaml)',
};
const ENV = ENV_FLAG;
const CONFIG = CONFIG_FLAG;
const HELP = HELP_FLAG;
const JSON_FLAG: FlagSpec = {
  name: 'json',
  type: 'boolean',
  help: 'print a machine-readable JSON result on stdout (progress goes to stderr)',
};
const WAIT_FLAGS: readonly FlagSpec[] = [
  { name: 'no-wait', type: 'boolean', help: 'return once the instance refresh has started' },
  {
    name: 'poll-seconds',
    type: 'number',
    value: 'N',
    min: 1,
    max: 3600,
    help: 'seconds between progress checks while following the refresh (default 15)',
  },
  { name: 'dry-run', type: 'boolean', help: 'print what would be done and change nothing' },
];
const REFRESH_FLAGS: readonly FlagSpec[] = [ENV, CONFIG, ...WAIT_FLAGS, HELP];

/** The commands and their flags: the single source for parsing, errors and help. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'verify',
    summary: 'check a deployed environment against its promises (OPS-1)',
    flags: [
      ENV,
      CONFIG,
      { name: 'json', type: 'boolean', help: 'print a machine-readable JSON report instead of the table' },
      {
        name: 'max-delivery-age-hours',
        type: 'number',
        value: 'N',
        min: 1,
        max: 24 * 90,
        help: 'latest CloudTrail delivery must be younger than this (default 24)',
      },
      { name: 'trail', type: 'string', value: 'NAME', help: 'check this trail (name or ARN) instead of finding one' },
      {
        name: 'assembly',
        type: 'string',
        value: 'DIR',
        help: 'cloud assembly to compare the deployed stacks with (OPS-3 drift; default: cdk.out)',
      },
      {
        name: 'report',
        type: 'string',
        value: 'DIR',
        help: 'also write the live evidence report DIR/<env>.live.md and DIR/<env>.live.json (OPS-3)',
      },
      HELP,
    ],
  },
  {
    name: 'rotate',
    summary: 'replace every fleet node on the current launch template version (OPS-2)',
    flags: REFRESH_FLAGS,
  },
  {
    name: 'rollback',
    summary:
      'point the fleet at the previous image (OPS-2), or with --to-release at an earlier application release (IMM-9), and replace every node',
    flags: [
      ENV,
      CONFIG,
      {
        name: 'to-release',
        type: 'string',
        value: 'V|previous',
        help: 'return to release V, or to the release before the current one; keeps the current image (without it: the previous image)',
      },
      ...WAIT_FLAGS,
      {
        ...JSON_FLAG,
        help: 'with --to-release: print a machine-readable JSON result on stdout (progress goes to stderr)',
      },
      HELP,
    ],
  },
  {
    name: 'release',
    summary:
      'upload an application release, name it in a new launch template version and roll it out with an alarm-gated instance refresh (IMM-9)',
    flags: [
      ENV,
      CONFIG,
      {
        name: 'artifact',
        type: 'string',
        value: 'FILE',
        required: true,
        help: 'the gzip tarball to ship, as npm run app:pack writes it (required; at most 256 MiB)',
      },
      {
        name: 'version',
        type: 'string',
        value: 'V',
        required: true,
        help: 'release version: a letter or digit, then up to 63 of letters, digits and ._+- (required)',
      },
      {
        name: 'checksum-file',
        type: 'string',
        value: 'FILE',
        help: 'SHA-256 file the artifact must match (default: FILE.sha256 beside the artifact, when it exists)',
      },
      ...WAIT_FLAGS,
      JSON_FLAG,
      HELP,
    ],
  },
];

/** Finds a command by name; unknown names are a usage error listing the commands. */
export const commandSpec = (name: string | undefined): CommandSpec => findCommand(COMMANDS, name);

/** Help text of one command, or of all of them. */
export function helpText(spec?: CommandSpec): string {
  if (!spec) {
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    return [
      'usage: ops <command> --env NAME [flags]',
      '',
      'commands:',
      ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      'Run "ops <command> --help" for its flags. Exit codes: 0 success, 1 violation or operation failed, 2 could not run.',
      '',
    ].join('\n');
  }
  return commandHelp(spec, { usage: `ops ${spec.name} --env NAME [flags]` });
}
