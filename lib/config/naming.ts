/**
 * Names and tags shared by the CDK program and the operations CLI. The CLI
 * finds deployed resources through these, so both sides must agree: change
 * them here only.
 */

/** Tag key that says which part of the environment a resource is. */
export const COMPONENT_TAG = 'saas:component';

/** Tag values of {@link COMPONENT_TAG}. */
export const COMPONENTS = {
  /** The Auto Scaling group (and its launch template) serving the app behind the ALB. */
  fleet: 'app-fleet',
  /** The public ALB. */
  entry: 'public-entry',
} as const;

/** SSM parameter (String) that holds the newest golden AMI ID of an environment, one per region. */
export function goldenAmiParameterName(application: string, environment: string): string {
  return `/${application}/${environment}/golden-ami/latest`;
}

/** WAF requires log group names to start with `aws-waf-logs-`. */
export function wafLogGroupName(application: string, environment: string): string {
  return `aws-waf-logs-${application}-${environment}`;
}
