import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../lib/config/load';
import type { AppConfigInput } from '../../lib/config/schema';
import { ConfigError, validateConfig } from '../../lib/config/validate';
import { CDK_CONTEXT, ROOT, tempDir } from '../helpers/app';

/** A valid two-environment config; each test breaks one thing. */
function validConfig(): AppConfigInput {
  const env = (name: string, account: string, cidr: string) => ({
    name,
    account,
    region: 'eu-west-1' as const,
    drRegion: 'eu-central-1' as const,
    production: name === 'prod',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    vpcCidr: cidr,
    ingress: {
      hosts: [{ hostname: `app.${name}.example.com` }],
      certificate: { arn: `arn:aws:acm:eu-west-1:${account}:certificate/00000000-0000-4000-8000-000000000001` },
    },
    waf: { rateLimit: 1000 },
    alarmEmails: ['ops@example.com'],
    tags: { application: 'acme', owner: 'platform', dataClassification: 'internal' as const },
  });
  return { environments: [env('dev', '111111111111', '10.1.0.0/16'), env('prod', '222222222222', '10.2.0.0/16')] };
}

type Mutable = { environments: Record<string, unknown>[] } & Record<string, unknown>;

function problemsOf(mutate: (c: Mutable) => void): string[] {
  const c = structuredClone(validConfig()) as unknown as Mutable;
  mutate(c);
  try {
    validateConfig(c, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

const dev = (c: Mutable) => c.environments[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('config validation', () => {
  test('the demo config is valid and has dev, staging and prod', () => {
    const config = loadConfig();
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(config.environments.filter((e) => e.production).map((e) => e.name)).toEqual(['prod']);
  });

  test('the first environment of each account owns its trail unless one says so', () => {
    const c = structuredClone(validConfig()) as unknown as Mutable;
    c.environments[1].account = '111111111111';
    c.environments[1].vpcCidr = '10.9.0.0/16';
    (c.environments[1].ingress as Record<string, unknown>).certificate = {
      arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
    };
    expect(validateConfig(c).environments.map((e) => e.audit.accountTrail)).toEqual([true, false]);
    c.environments[1].audit = { accountTrail: true };
    expect(validateConfig(c).environments.map((e) => e.audit.accountTrail)).toEqual([false, true]);
  });

  test('a valid config passes and gets defaults', () => {
    const config = validateConfig(validConfig());
    const ingress = config.environments[0].ingress;
    expect(ingress.tlsPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
    expect(ingress.httpRedirect).toBe(true);
    expect(ingress.hstsMaxAgeSeconds).toBeGreaterThanOrEqual(31536000);
    expect(ingress.hosts[0].paths).toEqual(['/*']);
    expect(config.environments[0].waf.rateWindowSeconds).toBe(300);
  });

  test.each<[string, (c: Mutable) => void, RegExp]>([
    [
      'malformed account ID',
      (c) => (dev(c).account = '1234'),
      /environments\[0\]\(dev\)\.account: must be a 12-digit AWS account ID.*got "1234"/,
    ],
    [
      'unknown region',
      (c) => (dev(c).region = 'eu-west-9'),
      /environments\[0\]\(dev\)\.region: must be one of the AWS regions: .*eu-west-1.*got "eu-west-9"/,
    ],
    [
      'DR region equal to the primary',
      (c) => (dev(c).drRegion = 'eu-west-1'),
      /drRegion: is "eu-west-1", the same as region; the DR region must be a different region/,
    ],
    [
      'AZ outside the region',
      (c) => (dev(c).availabilityZones = ['eu-west-1a', 'us-east-1b']),
      /availabilityZones\[1\]: "us-east-1b" is not in region eu-west-1/,
    ],
    [
      'only one AZ',
      (c) => (dev(c).availabilityZones = ['eu-west-1a']),
      /availabilityZones: needs 2 or 3 availability zones/,
    ],
    [
      'four AZs',
      (c) => (dev(c).availabilityZones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'eu-west-1d']),
      /availabilityZones: needs 2 or 3 availability zones/,
    ],
    [
      'the same AZ twice',
      (c) => (dev(c).availabilityZones = ['eu-west-1a', 'eu-west-1a']),
      /availabilityZones\[1\]: "eu-west-1a" is listed twice/,
    ],
    [
      'more NAT gateways than AZs',
      (c) => (dev(c).natGateways = 3),
      /natGateways: is 3 but only 2 availability zones are listed; allowed 1-2/,
    ],
    ['malformed CIDR', (c) => (dev(c).vpcCidr = '10.0.0/16'), /vpcCidr: must be an IPv4 CIDR block.*got "10.0.0\/16"/],
    [
      'CIDR octet out of range',
      (c) => (dev(c).vpcCidr = '10.300.0.0/16'),
      /vpcCidr: "10.300.0.0\/16" is not a valid IPv4 CIDR block/,
    ],
    [
      'CIDR too small',
      (c) => (dev(c).vpcCidr = '10.1.0.0/24'),
      /vpcCidr: "10.1.0.0\/24" has prefix \/24; allowed \/16 to \/22/,
    ],
    ['CIDR with host bits', (c) => (dev(c).vpcCidr = '10.1.5.0/16'), /vpcCidr: "10.1.5.0\/16" has host bits set/],
    [
      'two environments with overlapping CIDRs in one account',
      (c) => {
        c.environments[1].account = '111111111111';
        c.environments[1].vpcCidr = '10.1.128.0/17';
        (c.environments[1].ingress as Record<string, unknown>).certificate = {
          arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
        };
      },
      /environments\[1\]\(prod\)\.vpcCidr: "10.1.128.0\/17" overlaps environments\[0\] "10.1.0.0\/16" in account 111111111111/,
    ],
    [
      'duplicate environment names',
      (c) => (c.environments[1].name = 'dev'),
      /environments\[1\]\(dev\)\.name: "dev" is already used by environments\[0\]/,
    ],
    ['bad environment name', (c) => (dev(c).name = 'Dev_1'), /name: must be 2-16 lower-case letters.*got "Dev_1"/],
    [
      'rate limit below the WAF minimum',
      (c) => (dev(c).waf.rateLimit = 5),
      /waf\.rateLimit: must be at least 10 \(AWS WAF's minimum\) \(got 5\)/,
    ],
    ['rate limit not an integer', (c) => (dev(c).waf.rateLimit = 10.5), /waf\.rateLimit: must be a whole number/],
    [
      'rate window not allowed by WAF',
      (c) => (dev(c).waf.rateWindowSeconds = 30),
      /waf\.rateWindowSeconds: must be one of 60, 120, 300, 600 seconds \(got 30\)/,
    ],
    [
      'weak TLS policy',
      (c) => (dev(c).ingress.tlsPolicy = 'ELBSecurityPolicy-2016-08'),
      /ingress\.tlsPolicy: must be one of the strict TLS 1\.2\+.*ELBSecurityPolicy-TLS13-1-2-Res-2021-06.*got "ELBSecurityPolicy-2016-08"/,
    ],
    [
      'HSTS shorter than a year',
      (c) => (dev(c).ingress.hstsMaxAgeSeconds = 86400),
      /ingress\.hstsMaxAgeSeconds: must be at least 31536000 \(one year, NET-3\) \(got 86400\)/,
    ],
    [
      'privileged app port',
      (c) => (dev(c).ingress.appPort = 80),
      /ingress\.appPort: must be an unprivileged port, 1024-65535 \(got 80\)/,
    ],
    ['no hosts', (c) => (dev(c).ingress.hosts = []), /ingress\.hosts: needs at least one host/],
    [
      'daily backups kept as long as the 12-hour ones',
      (c) => (dev(c).backup = { twiceDailyRetentionDays: 30, dailyRetentionDays: 30 }),
      /backup\.dailyRetentionDays: is 30, not longer than twiceDailyRetentionDays 30/,
    ],
    [
      'two environments of one account both creating the account trail',
      (c) => {
        c.environments[1].account = '111111111111';
        c.environments[1].vpcCidr = '10.9.0.0/16';
        (c.environments[1].ingress as Record<string, unknown>).certificate = {
          arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
        };
        dev(c).audit = { accountTrail: true };
        c.environments[1].audit = { accountTrail: true };
      },
      /environments\[1\]\(prod\)\.audit\.accountTrail: the account trail is already created by environments\[0\] in account 111111111111; only one environment per account may create it/,
    ],
    [
      'two environments of one account and region both creating GuardDuty',
      (c) => {
        c.environments[1].account = '111111111111';
        c.environments[1].vpcCidr = '10.9.0.0/16';
        (c.environments[1].ingress as Record<string, unknown>).certificate = {
          arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
        };
        dev(c).audit = { manage: ['guardduty'] };
        c.environments[1].audit = { manage: ['guardduty'] };
      },
      /environments\[1\]\(prod\)\.audit\.manage: guardduty in eu-west-1 is already created by environments\[0\]/,
    ],
    [
      'an unknown detection service',
      (c) => (dev(c).audit = { manage: ['macie'] }),
      /audit\.manage\[0\]: must be one of guardduty, securityhub, config, inspector \(got "macie"\)/,
    ],
    [
      'log retention under a year',
      (c) => (dev(c).audit = { logRetentionDays: 90 }),
      /audit\.logRetentionDays: must be a CloudWatch Logs retention of at least a year: 365, 400.*\(LOG-3\) \(got 90\)/,
    ],
    [
      'a log retention CloudWatch does not accept',
      (c) => (dev(c).audit = { logRetentionDays: 500 }),
      /audit\.logRetentionDays: must be a CloudWatch Logs retention/,
    ],
    [
      'a malformed admin principal',
      (c) => (dev(c).access = { adminPrincipals: ['alice'] }),
      /access\.adminPrincipals\[0\]: must be an IAM principal ARN.*got "alice"/,
    ],
    [
      'an Identity Center permission-set role as a principal (its sessions carry no MFA key)',
      (c) =>
        (dev(c).access = {
          adminPrincipals: [
            'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef',
          ],
        }),
      /access\.adminPrincipals\[0\]: "arn:aws:iam::111111111111:role\/aws-reserved\/sso.*" is an IAM Identity Center permission-set role: its sessions never carry aws:MultiFactorAuthPresent/,
    ],
    [
      'a role as an auditor principal (a chained AssumeRole would be denied)',
      (c) => (dev(c).access = { auditorPrincipals: ['arn:aws:iam::111111111111:role/external-auditors'] }),
      /access\.auditorPrincipals\[0\]: "arn:aws:iam::111111111111:role\/external-auditors" is a role: .*SAML\/OIDC federated roles never carry it.*name IAM users \(user\/\.\.\.\) or an account \(root\)/,
    ],
    [
      'a name suffix with upper-case letters',
      (c) => (dev(c).nameSuffix = 'R2'),
      /nameSuffix: must be 1-6 lower-case letters or digits, e\.g\. "r2" \(got "R2"\)/,
    ],
    [
      'sessions longer than 12 hours',
      (c) => (dev(c).access = { maxSessionHours: 24 }),
      /access\.maxSessionHours: must be 1-12 hours \(got 24\)/,
    ],

    [
      'node lifetime over a week',
      (c) => (dev(c).fleet = { maxInstanceLifetimeDays: 10 }),
      /fleet\.maxInstanceLifetimeDays: must be 1-7 days \(IMM-3.*got 10/,
    ],
    [
      'node lifetime of zero days',
      (c) => (dev(c).fleet = { maxInstanceLifetimeDays: 0 }),
      /fleet\.maxInstanceLifetimeDays: must be 1-7 days/,
    ],
    [
      'a fleet of one node',
      (c) => (dev(c).fleet = { minCapacity: 1 }),
      /fleet\.minCapacity: must be at least 2: the fleet spans at least two AZs \(IMM-7\) \(got 1\)/,
    ],
    [
      'fewer nodes than AZs',
      (c) => {
        dev(c).availabilityZones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
        dev(c).fleet = { minCapacity: 2 };
      },
      /fleet\.minCapacity: is 2 but 3 availability zones are configured/,
    ],
    [
      'max below min capacity',
      (c) => (dev(c).fleet = { minCapacity: 4, maxCapacity: 3 }),
      /fleet\.maxCapacity: is 3, below minCapacity 4/,
    ],
    [
      'x86 instance type on the arm64 base image',
      (c) => (dev(c).fleet = { instanceType: 'm7i.large' }),
      /fleet\.instanceType: "m7i.large" is not a Graviton \(arm64\) type but the base image is arm64/,
    ],
    [
      'arm64 build type on an x86_64 base image',
      (c) =>
        (dev(c).image = {
          baseImage: { ssmParameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' },
        }),
      /image\.buildInstanceTypes\[0\]: "m7g.large" is a Graviton \(arm64\) type but the base image is x86_64/,
    ],
    [
      'malformed instance type',
      (c) => (dev(c).fleet = { instanceType: 'large' }),
      /fleet\.instanceType: must be an EC2 instance type/,
    ],
    [
      'both base image forms',
      (c) => (dev(c).image = { baseImage: { ssmParameter: '/aws/service/x', amiId: 'ami-0123456789abcdef0' } }),
      /image\.baseImage: give exactly one of "ssmParameter" or "amiId"/,
    ],
    [
      'base image parameter outside /aws/service',
      (c) => (dev(c).image = { baseImage: { ssmParameter: '/my/ami' } }),
      /image\.baseImage\.ssmParameter: must be an AWS public SSM parameter path/,
    ],
    [
      'build hour out of range',
      (c) => (dev(c).image = { buildHourUtc: 24 }),
      /image\.buildHourUtc: must be an hour 0-23 \(UTC\) \(got 24\)/,
    ],
    [
      'a build interval that breaks the 24-hour promise',
      (c) => (dev(c).image = { buildIntervalHours: 24 }),
      /image\.buildIntervalHours: must be one of 4, 6, 8, 12 hours: the worst case .* under 24 h \(IMM-4\) \(got 24\)/,
    ],
    [
      'keeping a single image',
      (c) => (dev(c).image = { keepImages: 1 }),
      /image\.keepImages: must keep at least 2 images.*\(IMM-5\)/,
    ],

    [
      'malformed hostname',
      (c) => (dev(c).ingress.hosts = [{ hostname: 'App_Example' }]),
      /hosts\[0\]\.hostname: must be a lower-case fully qualified DNS name.*got "App_Example"/,
    ],
    [
      'duplicate hostname',
      (c) => (dev(c).ingress.hosts = [{ hostname: 'a.example.com' }, { hostname: 'a.example.com' }]),
      /hosts\[1\]\.hostname: "a.example.com" is listed twice/,
    ],
    [
      'path that does not start with /',
      (c) => (dev(c).ingress.hosts = [{ hostname: 'a.example.com', paths: ['api/*'] }]),
      /paths\[0\]: must be an ALB path pattern starting with "\/"/,
    ],
    [
      'too many paths for one rule',
      (c) => (dev(c).ingress.hosts = [{ hostname: 'a.example.com', paths: ['/a', '/b', '/c', '/d', '/e'] }]),
      /paths: allows at most 4 path patterns per host/,
    ],
    [
      'certificate with both forms',
      (c) =>
        (dev(c).ingress.certificate = {
          ...dev(c).ingress.certificate,
          hostedZoneId: 'Z123',
          hostedZoneName: 'example.com',
        }),
      /ingress\.certificate: must give either "arn".*or "hostedZoneId" and "hostedZoneName"/,
    ],
    [
      'certificate with neither form',
      (c) => (dev(c).ingress.certificate = {}),
      /ingress\.certificate: must give either "arn"/,
    ],
    [
      'hosted zone without its name',
      (c) => (dev(c).ingress.certificate = { hostedZoneId: 'Z123' }),
      /ingress\.certificate: a DNS-validated certificate needs both "hostedZoneId" and "hostedZoneName"/,
    ],
    [
      'malformed certificate ARN',
      (c) => (dev(c).ingress.certificate = { arn: 'arn:aws:iam::111111111111:role/x' }),
      /certificate\.arn: must be an ACM certificate ARN/,
    ],
    [
      'certificate from another region',
      (c) =>
        (dev(c).ingress.certificate = {
          arn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
        }),
      /certificate\.arn: is in region us-east-1; the ALB in eu-west-1 needs a certificate from eu-west-1/,
    ],
    [
      'certificate of another account',
      (c) =>
        (dev(c).ingress.certificate = {
          arn: 'arn:aws:acm:eu-west-1:999999999999:certificate/00000000-0000-4000-8000-000000000001',
        }),
      /certificate\.arn: belongs to account 999999999999; the ALB in account 111111111111 needs/,
    ],
    [
      'hostname outside the hosted zone',
      (c) => (dev(c).ingress.certificate = { hostedZoneId: 'Z123', hostedZoneName: 'example.org' }),
      /hosts\[0\]\.hostname: "app.dev.example.com" is outside hosted zone example.org/,
    ],
    ['no alarm email', (c) => (dev(c).alarmEmails = []), /alarmEmails: needs at least one address/],
    [
      'malformed alarm email',
      (c) => (dev(c).alarmEmails = ['not-an-email']),
      /alarmEmails\[0\]: must be an email address \(got "not-an-email"\)/,
    ],
    [
      'unknown data classification',
      (c) => (dev(c).tags.dataClassification = 'secret'),
      /tags\.dataClassification: must be one of public, internal, confidential, restricted \(got "secret"\)/,
    ],
    ['missing owner tag', (c) => delete dev(c).tags.owner, /tags\.owner: tags\.owner is required/],
    ['missing production flag', (c) => delete dev(c).production, /production: must be true or false/],
    [
      'misspelled field',
      (c) => (dev(c).vpcCidrr = '10.0.0.0/16'),
      /environments\[0\]\(dev\): has unknown field\(s\) "vpcCidrr"/,
    ],
    ['no environments', (c) => (c.environments = []), /environments: needs at least one environment/],
    [
      'application name unusable in resource names',
      (c) => (dev(c).tags.application = 'Acme SaaS'),
      /tags\.application: must be 2-20 lower-case letters, digits or "-".*got "Acme SaaS"/,
    ],
    [
      'single-AZ database in production',
      (c) => (c.environments[1].database = { multiAz: false }),
      /environments\[1\]\(prod\)\.database\.multiAz: is false but the environment is production/,
    ],
    [
      'a production CVE bound over 6 h (IMM-10)',
      (c) => (c.environments[1].image = { testTimeoutMinutes: 120 }),
      /environments\[1\]\(prod\)\.image\.testTimeoutMinutes: is 120 .*worst case .* would be 7\.87 h; production must stay within 6 h/,
    ],
    [
      "an image test timeout outside Image Builder's bounds",
      (c) => (dev(c).image = { testTimeoutMinutes: 30 }),
      /image\.testTimeoutMinutes: must be 60-1440 minutes/,
    ],
    [
      'a signature age over an hour (DATA-2)',
      (c) => (dev(c).dataBucket = { maxSignatureAgeMinutes: 120 }),
      /dataBucket\.maxSignatureAgeMinutes: must be 1-60 minutes: signed URLs to customer data are short-lived/,
    ],
    [
      'unsupported PostgreSQL version',
      (c) => (dev(c).database = { engineVersion: '12.4' }),
      /database\.engineVersion: must be a PostgreSQL version "<major>.<minor>" with major 15, 16, 17.*got "12.4"/,
    ],
    [
      'unknown instance class',
      (c) => (dev(c).database = { instanceClass: 'db.t2.micro' }),
      /database\.instanceClass: must be db\.<family>\.<size> with family t4g.*got "db.t2.micro"/,
    ],
    [
      'storage below the RDS minimum',
      (c) => (dev(c).database = { allocatedStorageGiB: 10 }),
      /database\.allocatedStorageGiB: must be at least 20 GiB \(got 10\)/,
    ],
    [
      'autoscaling ceiling below the allocation',
      (c) => (dev(c).database = { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }),
      /database\.maxAllocatedStorageGiB: is 50, below allocatedStorageGiB 100/,
    ],
    [
      'point-in-time recovery under 7 days',
      (c) => (dev(c).database = { backupRetentionDays: 3 }),
      /database\.backupRetentionDays: must be at least 7 days of point-in-time recovery \(DATA-1\) \(got 3\)/,
    ],
    ['the default PostgreSQL port', (c) => (dev(c).database = { port: 5432 }), /database\.port: must not be 5432/],
    [
      'backups kept over a year',
      (c) => (dev(c).backup = { dailyRetentionDays: 400 }),
      /backup\.dailyRetentionDays: must be at most 365 days/,
    ],
    [
      'daily backups kept shorter than the 12-hour ones',
      (c) => (dev(c).backup = { twiceDailyRetentionDays: 60, dailyRetentionDays: 30 }),
      /backup\.dailyRetentionDays: is 30, not longer than twiceDailyRetentionDays 60/,
    ],
  ])('rejects %s', (_name, mutate, expected) => {
    const problems = problemsOf(mutate);
    expect(problems.join('\n')).toMatch(expected);
  });

  test('reports every problem of a config at once, in one message', () => {
    const c = structuredClone(validConfig()) as unknown as Mutable;
    const env = dev(c);
    env.account = 'abc';
    env.drRegion = 'eu-west-1';
    env.availabilityZones = ['us-east-1a', 'eu-west-1b'];
    env.waf.rateLimit = 1;
    c.environments[1].name = 'dev';
    let error: ConfigError | undefined;
    try {
      validateConfig(c, 'several.yaml');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues).toHaveLength(5);
    expect(error!.message).toMatch(/^Invalid configuration several\.yaml: 5 problems/);
    for (const field of ['.account', '.drRegion', '.availabilityZones[0]', '.waf.rateLimit', '.name']) {
      expect(error!.message).toContain(field);
    }
  });

  test('a missing file and a file that is not YAML are reported by name', () => {
    expect(() => loadConfig('/nonexistent/config.yaml')).toThrow(
      /Invalid configuration \/nonexistent\/config\.yaml.*\n.*no such file; pass an existing YAML or JSON file with -c config=PATH/,
    );
    const dir = tempDir('cfg-');
    writeFileSync(path.join(dir, 'bad.yaml'), 'environments: [unclosed');
    expect(() => loadConfig(path.join(dir, 'bad.yaml'))).toThrow(/is not valid YAML or JSON/);
  });

  test('a bad config file makes the app exit 1 with every problem and writes no template', () => {
    const dir = tempDir('cfg-');
    const c = structuredClone(validConfig()) as unknown as Mutable;
    dev(c).account = '42';
    dev(c).waf.rateLimit = 2;
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, stringify(c));
    const outdir = path.join(dir, 'out');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_CONTEXT, config: file }) },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Invalid configuration ${file}: 2 problems`);
    expect(run.stderr).toMatch(/account: must be a 12-digit AWS account ID/);
    expect(run.stderr).toMatch(/waf\.rateLimit: must be at least 10/);
    expect(
      existsSync(outdir)
        ? readdirSync(outdir, { recursive: true }).filter((f) => String(f).endsWith('.template.json'))
        : [],
    ).toEqual([]);
  });

  test('the app reads -c config=path (a valid file synthesizes its environments)', () => {
    const dir = tempDir('cfg-');
    const file = path.join(dir, 'one.yaml');
    const c = validConfig();
    writeFileSync(file, stringify({ environments: [c.environments[0]] }));
    const outdir = path.join(dir, 'out');
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_VALIDATION: 'false',
        CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_CONTEXT, config: file }),
      },
      stdio: 'pipe',
    });
    expect(readdirSync(outdir)).toEqual(expect.arrayContaining(['assembly-dev']));
    expect(readdirSync(outdir)).not.toContain('assembly-staging');
  });
});

describe('pipeline configuration (SDLC-2)', () => {
  const pipeline = () => ({
    account: '999999999999',
    region: 'eu-west-1',
    source: {
      connectionArn: 'arn:aws:codeconnections:eu-west-1:999999999999:connection/00000000-0000-4000-8000-000000000009',
      repository: 'acme/platform',
    },
    approvalEmails: ['release@example.com'],
  });
  type Edit = (p: Record<string, any>, c: Mutable) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
  const withPipeline = (edit: Edit) =>
    problemsOf((c) => {
      c.pipeline = pipeline();
      edit(c.pipeline as Record<string, unknown>, c);
    });

  test('a valid pipeline section passes and its branch defaults to main', () => {
    expect(withPipeline(() => undefined)).toEqual([]);
    const c = validateConfig({ ...validConfig(), pipeline: pipeline() }, 'test.yaml');
    expect(c.pipeline?.source.branch).toBe('main');
  });

  test.each<[string, Edit, RegExp]>([
    ['a malformed account', (p) => (p.account = '99'), /pipeline\.account: must be a 12-digit AWS account ID/],
    [
      'a connection ARN that is not one',
      (p) => (p.source.connectionArn = 'arn:aws:iam::999999999999:role/x'),
      /pipeline\.source\.connectionArn: must be a CodeConnections \(CodeStar\) connection ARN/,
    ],
    [
      'a connection in another region',
      (p) => (p.source.connectionArn = p.source.connectionArn.replace(':eu-west-1:', ':us-east-1:')),
      /pipeline\.source\.connectionArn: is in region us-east-1; the pipeline in eu-west-1 needs a connection of its own region/,
    ],
    [
      'a connection of another account',
      (p) => (p.source.connectionArn = p.source.connectionArn.replace(':999999999999:', ':888888888888:')),
      /pipeline\.source\.connectionArn: belongs to account 888888888888; the pipeline in account 999999999999/,
    ],
    [
      'a repository that is not owner/name',
      (p) => (p.source.repository = 'platform'),
      /pipeline\.source\.repository: must be "owner\/name"/,
    ],
    [
      'a branch with spaces',
      (p) => (p.source.branch = 'my branch'),
      /pipeline\.source\.branch: must be a git branch name/,
    ],
    ['nobody to approve', (p) => (p.approvalEmails = []), /pipeline\.approvalEmails: needs at least one address/],
    ['an unknown field', (p) => (p.manualApproval = false), /pipeline: has unknown field\(s\) "manualApproval"/],
    [
      'a test environment listed after production',
      (_p, c) => c.environments.reverse(),
      /environments\[1\]\(dev\)\.production: is not true but the environment comes after production environments\[0\]; the pipeline deploys environments in the order listed/,
    ],
  ])('rejects %s', (_name, edit, expected) => {
    expect(withPipeline(edit).join('\n')).toMatch(expected);
  });

  test('without a pipeline the order of environments is free', () => {
    expect(problemsOf((c) => c.environments.reverse())).toEqual([]);
  });
});
