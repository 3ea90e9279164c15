import { type Stack, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { IConstruct } from 'constructs';
import { CONTROL_IDS, type ControlId } from './controls';

/** The compliance packs that share rule names (`<pack>-<Rule>`). */
const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

/**
 * A cdk-nag rule to acknowledge: an AwsSolutions rule (`AwsSolutions-EC23`),
 * or a rule name shared by the NIST, HIPAA and PCI packs (`S3DefaultEncryptionKMS`),
 * which is acknowledged in all three.
 */
export type NagRule = `AwsSolutions-${string}` | `compliance:${string}`;

/** Expands a rule to the fully qualified IDs the validation report uses (`Pack::Pack-Rule`). */
export function qualifiedRuleIds(rule: NagRule): string[] {
  if (rule.startsWith('compliance:')) {
    const name = rule.slice('compliance:'.length);
    return COMPLIANCE_PACKS.map((pack) => `${pack}::${pack}-${name}`);
  }
  return [`AwsSolutions::${rule}`];
}

/**
 * Acknowledges cdk-nag findings on one construct (SDLC-1). The reason must
 * name the control in CONTROLS.md it relates to and say why the risk is
 * accepted; it is recorded in `validation-report.json` for the auditor.
 */
export function acknowledge(construct: IConstruct, control: ControlId, reason: string, ...rules: NagRule[]): void {
  if (!CONTROL_IDS.has(control)) throw new Error(`acknowledge: "${control}" is not a control ID of the catalog`);
  for (const rule of rules) {
    for (const id of qualifiedRuleIds(rule)) {
      Validations.of(construct).acknowledge({ id, reason: `${control}: ${reason}` });
    }
  }
}

/**
 * The partition as cdk-nag sees it in a finding ID: for a stack in a known
 * region CDK writes the partition as a literal (`aws`, `aws-cn`, ...).
 */
export function literalPartition(stack: Stack): string {
  return RegionInfo.get(stack.region).partition ?? 'aws';
}

/**
 * The AwsSolutions-IAM5 finding IDs of one wildcard resource, in both forms
 * cdk-nag may report its partition: `<AWS::Partition>` (a reference) and the
 * literal CDK writes for a stack in a known region. `arnTail` is the ARN after
 * `arn:<partition>:`, e.g. `s3:::my-bucket/*`; spread the result into
 * {@link acknowledge}.
 */
export function wildcardResource(stack: Stack, arnTail: string): NagRule[] {
  return [
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${arnTail}]`,
    `AwsSolutions-IAM5[Resource::arn:${literalPartition(stack)}:${arnTail}]`,
  ];
}
