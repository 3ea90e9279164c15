import type { z } from 'zod';
import { CVE_BOUND_HOURS, cveBound } from '../images/cve-bound';
import { AWS_REGIONS } from './regions';
import { ACCESS_PRINCIPAL_FIELDS, accessPrincipalProblem } from './access-principals';
import {
  type AppConfig,
  ConfigSchema,
  DEFAULT_BASE_IMAGE_PARAMETER,
  EnvironmentSchema,
  IMAGE_TEST_TIMEOUT_MINUTES,
  PATTERNS,
} from './schema';

/** The parts of a zod schema's definition that hold a default (zod 4 keeps them in `_zod.def`). */
interface SchemaNode {
  readonly _zod: {
    readonly def: {
      readonly shape?: Record<string, SchemaNode>;
      readonly innerType?: SchemaNode;
      readonly defaultValue?: unknown;
    };
  };
}

/**
 * The default the environment schema gives a field, e.g. `schemaDefault('fleet', 'maxCapacity')`:
 * the cross-field rules below read the schema's defaults instead of restating them.
 */
function schemaDefault<T>(...path: string[]): T {
  let node = EnvironmentSchema as unknown as SchemaNode | undefined;
  for (const key of path) {
    while (node && !node._zod.def.shape && node._zod.def.innerType) node = node._zod.def.innerType;
    node = node?._zod.def.shape?.[key];
  }
  if (node?._zod.def.defaultValue === undefined) throw new Error(`the schema has no default for ${path.join('.')}`);
  return node._zod.def.defaultValue as T;
}

/**
 * A number field of a raw config section as the schema will see it: the value
 * given when it is a number, else the schema's default for `section.field`.
 */
function numberOr(section: Raw, path: readonly [string, string]): number {
  const value = section[path[1]];
  return typeof value === 'number' ? value : schemaDefault<number>(...path);
}

/** One problem found in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `environments[1](staging).vpcCidr`. */
  readonly path: string;
  /** What is wrong, the value given and what is allowed. */
  readonly message: string;
}

/** Thrown when a configuration has one or more problems; lists every one of them. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `Invalid configuration ${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
        issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Renders a path with the environment's name beside its index, so the reader finds it. */
function renderPath(path: readonly PropertyKey[], raw: unknown): string {
  let out = '';
  let node: unknown = raw;
  path.forEach((key, i) => {
    if (typeof key === 'number') {
      out += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      if (i === 1 && path[0] === 'environments' && isObject(node) && typeof node.name === 'string') {
        out += `(${node.name})`;
      }
    } else {
      out += out ? `.${String(key)}` : String(key);
      node = isObject(node) ? node[String(key)] : undefined;
    }
  });
  return out || '(root)';
}

function fromZod(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue {
  const path = renderPath(issue.path, raw);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the documented fields`;
  } else if ('input' in issue) {
    message = `${message} (got ${show(issue.input)})`;
  }
  return { path, message };
}

/** Parses `a.b.c.d/n` into its first and last address; undefined when malformed. */
export function cidrRange(cidr: string): { first: number; last: number; prefix: number } | undefined {
  const m = PATTERNS.CIDR.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { first: ip, last: ip + size - 1, prefix };
}

/**
 * Checks that span fields or environments. They run on the raw input so that
 * they report alongside field errors instead of waiting for those to be fixed;
 * each check only looks at values that have the right shape.
 */
function crossChecks(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isObject(raw) || !Array.isArray(raw.environments)) return issues;
  const envs = raw.environments as unknown[];
  const add = (path: PropertyKey[], message: string) => issues.push({ path: renderPath(path, raw), message });

  const seenNames = new Map<string, number>();
  const cidrs: { i: number; account: string; cidr: string; first: number; last: number }[] = [];

  envs.forEach((env, i) => {
    if (!isObject(env)) return;
    const at = (...rest: PropertyKey[]) => ['environments', i, ...rest];
    const name = str(env.name);
    // Cross-checks compare only well-formed values; malformed ones already have a field error.
    const region = AWS_REGIONS.find((r) => r === env.region);
    const account = /^\d{12}$/.test(str(env.account) ?? '') ? str(env.account) : undefined;

    if (name !== undefined) {
      const prev = seenNames.get(name);
      if (prev !== undefined) {
        add(at('name'), `"${name}" is already used by environments[${prev}]; environment names must be unique`);
      } else seenNames.set(name, i);
    }

    if (region && str(env.drRegion) === region) {
      add(
        at('drRegion'),
        `is "${region}", the same as region; the DR region must be a different region (DATA-3, DATA-4)`,
      );
    }

    const azs = Array.isArray(env.availabilityZones) ? env.availabilityZones : [];
    const seenAz = new Set<string>();
    azs.forEach((az, j) => {
      if (typeof az !== 'string') return;
      if (region && !new RegExp(`^${region}[a-z]$`).test(az)) {
        add(at('availabilityZones', j), `"${az}" is not in region ${region}; use ${region}a, ${region}b, ...`);
      }
      if (seenAz.has(az)) add(at('availabilityZones', j), `"${az}" is listed twice; the AZs must be distinct`);
      seenAz.add(az);
    });

    if (typeof env.natGateways === 'number' && azs.length >= 2 && env.natGateways > azs.length) {
      add(
        at('natGateways'),
        `is ${env.natGateways} but only ${azs.length} availability zones are listed; allowed 1-${azs.length}`,
      );
    }

    if (typeof env.vpcCidr === 'string' && PATTERNS.CIDR.test(env.vpcCidr)) {
      const r = cidrRange(env.vpcCidr);
      if (!r) {
        add(at('vpcCidr'), `"${env.vpcCidr}" is not a valid IPv4 CIDR block (octets 0-255, prefix 0-32)`);
      } else if (r.prefix < 16 || r.prefix > 22) {
        add(
          at('vpcCidr'),
          `"${env.vpcCidr}" has prefix /${r.prefix}; allowed /16 to /22 (room for public, private and isolated subnets in 3 AZs)`,
        );
      } else if (r.first % 2 ** (32 - r.prefix) !== 0) {
        add(at('vpcCidr'), `"${env.vpcCidr}" has host bits set; use the network address of the block`);
      } else if (account) {
        cidrs.push({ i, account, cidr: env.vpcCidr, ...r });
      }
    }

    const db = isObject(env.database) ? env.database : {};
    if (env.production === true && db.multiAz === false) {
      add(
        at('database', 'multiAz'),
        'is false but the environment is production; production databases must be Multi-AZ (DATA-1)',
      );
    }
    const alloc = numberOr(db, ['database', 'allocatedStorageGiB']);
    const maxAlloc = numberOr(db, ['database', 'maxAllocatedStorageGiB']);
    if (maxAlloc < alloc) {
      add(
        at('database', 'maxAllocatedStorageGiB'),
        `is ${maxAlloc}, below allocatedStorageGiB ${alloc}; it must be at least the allocated storage`,
      );
    }
    const backup = isObject(env.backup) ? env.backup : {};
    const twice = numberOr(backup, ['backup', 'twiceDailyRetentionDays']);
    const daily = numberOr(backup, ['backup', 'dailyRetentionDays']);
    if (daily <= twice) {
      add(
        at('backup', 'dailyRetentionDays'),
        `is ${daily}, not longer than twiceDailyRetentionDays ${twice}; daily backups must be kept longer (the vault lock needs a maximum above its minimum)`,
      );
    }

    const fleet = isObject(env.fleet) ? env.fleet : {};
    const azCount = azs.length >= 2 && azs.length <= 3 ? azs.length : 2;
    const minCap = numberOr(fleet, ['fleet', 'minCapacity']);
    const maxCap = numberOr(fleet, ['fleet', 'maxCapacity']);
    if (maxCap < minCap) {
      add(at('fleet', 'maxCapacity'), `is ${maxCap}, below minCapacity ${minCap}; it must be at least minCapacity`);
    }
    if (minCap < azCount && typeof fleet.minCapacity === 'number') {
      add(
        at('fleet', 'minCapacity'),
        `is ${minCap} but ${azCount} availability zones are configured; keep at least one node per AZ (IMM-7)`,
      );
    }
    const image = isObject(env.image) ? env.image : {};
    if (env.production === true) {
      const testTimeoutMinutes = numberOr(image, ['image', 'testTimeoutMinutes']);
      const instanceWarmupSeconds = numberOr(fleet, ['fleet', 'instanceWarmupSeconds']);
      const bound = cveBound({ image: { testTimeoutMinutes }, fleet: { instanceWarmupSeconds } });
      if (!bound.withinPromise) {
        add(
          at('image', 'testTimeoutMinutes'),
          `is ${testTimeoutMinutes} with fleet.instanceWarmupSeconds ${instanceWarmupSeconds}: the worst case from a critical finding to a replaced production fleet would be ${bound.totalHours} h; production must stay within ${CVE_BOUND_HOURS} h (IMM-10), e.g. testTimeoutMinutes ${IMAGE_TEST_TIMEOUT_MINUTES.min} (Image Builder's minimum)`,
        );
      }
    }
    const base = isObject(image.baseImage) ? image.baseImage : { ssmParameter: DEFAULT_BASE_IMAGE_PARAMETER };
    const arm = typeof base.ssmParameter === 'string' && /arm64/.test(base.ssmParameter);
    const x86 = typeof base.ssmParameter === 'string' && /x86_64/.test(base.ssmParameter);
    const types: [PropertyKey[], unknown][] = [
      [['fleet', 'instanceType'], fleet.instanceType ?? schemaDefault<string>('fleet', 'instanceType')],
      ...(Array.isArray(image.buildInstanceTypes)
        ? image.buildInstanceTypes
        : schemaDefault<string[]>('image', 'buildInstanceTypes')
      ).map((t, j): [PropertyKey[], unknown] => [['image', 'buildInstanceTypes', j], t]),
    ];
    for (const [where, type] of types) {
      if (typeof type !== 'string') continue;
      const graviton = /^[a-z]+\d+[a-z]*g[a-z]*\./.test(type);
      if (arm && !graviton)
        add(
          at(...where),
          `"${type}" is not a Graviton (arm64) type but the base image is arm64; use e.g. t4g, m7g, c7g`,
        );
      if (x86 && graviton)
        add(at(...where), `"${type}" is a Graviton (arm64) type but the base image is x86_64; use e.g. t3, m7i`);
    }

    const ingress = isObject(env.ingress) ? env.ingress : undefined;
    const cert = ingress && isObject(ingress.certificate) ? ingress.certificate : undefined;
    if (cert) {
      const arn = str(cert.arn);
      const zoneId = str(cert.hostedZoneId);
      const zoneName = str(cert.hostedZoneName);
      const forms = [arn !== undefined, zoneId !== undefined || zoneName !== undefined].filter(Boolean).length;
      if (forms !== 1) {
        add(
          at('ingress', 'certificate'),
          'must give either "arn" (an existing ACM certificate) or "hostedZoneId" and "hostedZoneName" (a DNS-validated certificate is created), not both or neither',
        );
      } else if (!arn && (!zoneId || !zoneName)) {
        add(at('ingress', 'certificate'), 'a DNS-validated certificate needs both "hostedZoneId" and "hostedZoneName"');
      }
      const m = arn ? PATTERNS.ACM_ARN.exec(arn) : null;
      if (m && region && m[1] !== region) {
        add(
          at('ingress', 'certificate', 'arn'),
          `is in region ${m[1]}; the ALB in ${region} needs a certificate from ${region}`,
        );
      }
      if (m && account && m[2] !== account) {
        add(
          at('ingress', 'certificate', 'arn'),
          `belongs to account ${m[2]}; the ALB in account ${account} needs a certificate of that account`,
        );
      }
      const hosts = Array.isArray(ingress?.hosts) ? ingress.hosts : [];
      const seenHosts = new Set<string>();
      hosts.forEach((h, j) => {
        const hostname = isObject(h) ? str(h.hostname) : undefined;
        if (!hostname) return;
        if (seenHosts.has(hostname))
          add(at('ingress', 'hosts', j, 'hostname'), `"${hostname}" is listed twice; each host appears once`);
        seenHosts.add(hostname);
        if (zoneName && !arn && hostname !== zoneName && !hostname.endsWith(`.${zoneName}`)) {
          add(
            at('ingress', 'hosts', j, 'hostname'),
            `"${hostname}" is outside hosted zone ${zoneName}; the DNS-validated certificate can only cover names in that zone`,
          );
        }
      });
    }
  });

  // One trail and one of each detection service per account (and region): say which environment creates it.
  const owners = new Map<string, number>();
  envs.forEach((env, i) => {
    if (!isObject(env) || typeof env.account !== 'string') return;
    const audit = isObject(env.audit) ? env.audit : {};
    const claim = (key: string, what: string, path: PropertyKey[]) => {
      const prev = owners.get(key);
      if (prev !== undefined) {
        add(
          ['environments', i, ...path],
          `${what} is already created by environments[${prev}] in account ${env.account}; only one environment per account may create it`,
        );
      } else owners.set(key, i);
    };
    if (audit.accountTrail === true) claim(`trail:${env.account}`, 'the account trail', ['audit', 'accountTrail']);
    if (Array.isArray(audit.manage)) {
      for (const svc of audit.manage)
        claim(`${svc}:${env.account}:${String(env.region)}`, `${String(svc)} in ${String(env.region)}`, [
          'audit',
          'manage',
        ]);
    }
  });

  for (let a = 0; a < cidrs.length; a++) {
    for (let b = a + 1; b < cidrs.length; b++) {
      const x = cidrs[a];
      const y = cidrs[b];
      if (x.account === y.account && x.first <= y.last && y.first <= x.last) {
        add(
          ['environments', y.i, 'vpcCidr'],
          `"${y.cidr}" overlaps environments[${x.i}] "${x.cidr}" in account ${x.account}; environments in one account need distinct, non-overlapping ranges`,
        );
      }
    }
  }
  envs.forEach((env, i) => {
    const access = isObject(env) && isObject(env.access) ? env.access : {};
    for (const field of ACCESS_PRINCIPAL_FIELDS) {
      const list = access[field];
      if (!Array.isArray(list)) continue;
      list.forEach((arn, j) => {
        const problem = typeof arn === 'string' ? accessPrincipalProblem(arn) : undefined;
        if (problem) add(['environments', i, 'access', field, j], `"${arn}" ${problem}`);
      });
    }
  });
  issues.push(...pipelineChecks(raw, envs));
  return issues;
}

/** The pipeline's connection lives where the pipeline runs; it deploys in file order, so production comes last. */
function pipelineChecks(raw: Raw, envs: unknown[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isObject(raw.pipeline)) return issues;
  const add = (path: PropertyKey[], message: string) => issues.push({ path: renderPath(path, raw), message });
  const pipeline = raw.pipeline;
  const source = isObject(pipeline.source) ? pipeline.source : {};
  const m = PATTERNS.CONNECTION_ARN.exec(str(source.connectionArn) ?? '');
  if (m && typeof pipeline.region === 'string' && m[2] !== pipeline.region) {
    add(
      ['pipeline', 'source', 'connectionArn'],
      `is in region ${m[2]}; the pipeline in ${pipeline.region} needs a connection of its own region`,
    );
  }
  if (m && typeof pipeline.account === 'string' && m[3] !== pipeline.account) {
    add(
      ['pipeline', 'source', 'connectionArn'],
      `belongs to account ${m[3]}; the pipeline in account ${pipeline.account} needs a connection of that account`,
    );
  }
  const firstProduction = envs.findIndex((e) => isObject(e) && e.production === true);
  if (firstProduction >= 0) {
    envs.forEach((env, i) => {
      if (i > firstProduction && isObject(env) && env.production !== true) {
        add(
          ['environments', i, 'production'],
          `is not true but the environment comes after production environments[${firstProduction}]; the pipeline deploys environments in the order listed, so list test environments before production (SDLC-2)`,
        );
      }
    });
  }
  return issues;
}

/** Where no environment of an account says it creates the account trail, the first one does. */
function withAccountTrailOwners(config: AppConfig): AppConfig {
  const claimed = new Set(config.environments.filter((e) => e.audit.accountTrail === true).map((e) => e.account));
  const seen = new Set<string>();
  return {
    ...config,
    environments: config.environments.map((e) => {
      const owns = e.audit.accountTrail ?? (!claimed.has(e.account) && !seen.has(e.account));
      seen.add(e.account);
      return { ...e, audit: { ...e.audit, accountTrail: owns } };
    }),
  };
}

/**
 * Validates a parsed configuration document and returns it with defaults applied.
 *
 * Every problem is collected, field errors and cross-field errors alike, and
 * thrown together as one {@link ConfigError}; nothing partial is returned.
 */
export function validateConfig(raw: unknown, source = '(inline)'): AppConfig {
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  const issues = [...(parsed.success ? [] : parsed.error.issues.map((i) => fromZod(i, raw))), ...crossChecks(raw)];
  if (issues.length > 0 || !parsed.success) throw new ConfigError(source, issues);
  return withAccountTrailOwners(parsed.data);
}
