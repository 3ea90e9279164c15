import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The AWS managed rule groups every web ACL carries (NET-5), in evaluation order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesCommonRuleSet',
] as const;

/** Name of the rule that blocks requests for hosts we do not serve (NET-4). */
export const UNKNOWN_HOST_RULE = 'BlockUnknownHost';
/** Label added to requests blocked for an unknown host; the review query filters on it. */
export const UNKNOWN_HOST_LABEL = 'saas:unknown-host';
export const RATE_LIMIT_RULE = 'RateLimitPerIp';

export interface WebAclProps {
  /** The ARN of the load balancer to protect. */
  readonly resourceArn: string;
  /** The only Host header values that are let through. */
  readonly allowedHosts: readonly string[];
  /** Requests per IP per window above which the IP is blocked. */
  readonly rateLimit: number;
  /** The rate-based rule's window in seconds (60, 120, 300 or 600). */
  readonly rateWindowSeconds: number;
  /** The log group WAF logs to; its name must start with `aws-waf-logs-`. */
  readonly logGroup: logs.ILogGroup;
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

function hostIs(host: string): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { singleHeader: { Name: 'host' } },
      positionalConstraint: 'EXACTLY',
      searchString: host,
      textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
    },
  };
}

/**
 * The WAF web ACL in front of the ALB (NET-4, NET-5, LOG-2).
 *
 * First it blocks and labels requests whose Host is not a configured hostname
 * (the seeds' "unknown URLs are dropped and logged"), then applies the AWS
 * managed IP-reputation, known-bad-inputs and common rule groups and a
 * per-IP rate limit. Every request is logged to a KMS-encrypted log group, and
 * a saved Logs Insights query lists the unknown-host blocks for review.
 */
export class WebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly reviewQuery: logs.QueryDefinition;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    if (props.allowedHosts.length === 0)
      throw new Error(`WebAcl ${this.node.path}: allowedHosts must list at least one hostname`);
    if (!Token.isUnresolved(props.logGroup.logGroupName) && !props.logGroup.logGroupName.startsWith('aws-waf-logs-')) {
      throw new Error(
        `WebAcl ${this.node.path}: logGroup name must start with "aws-waf-logs-" (got "${props.logGroup.logGroupName}")`,
      );
    }

    const knownHost: wafv2.CfnWebACL.StatementProperty =
      props.allowedHosts.length === 1
        ? hostIs(props.allowedHosts[0])
        : { orStatement: { statements: props.allowedHosts.map(hostIs) } };

    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: UNKNOWN_HOST_RULE,
        priority: 0,
        statement: { notStatement: { statement: knownHost } },
        action: { block: {} },
        ruleLabels: [{ name: UNKNOWN_HOST_LABEL }],
        visibilityConfig: visibility(UNKNOWN_HOST_RULE),
      },
      ...MANAGED_RULE_GROUPS.map((name, i) => ({
        name,
        priority: 10 + i,
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
        overrideAction: { none: {} },
        visibilityConfig: visibility(name),
      })),
      {
        name: RATE_LIMIT_RULE,
        priority: 20,
        statement: {
          rateBasedStatement: {
            aggregateKeyType: 'IP',
            limit: props.rateLimit,
            evaluationWindowSec: props.rateWindowSeconds,
          },
        },
        action: { block: {} },
        visibilityConfig: visibility(RATE_LIMIT_RULE),
      },
    ];

    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'Front door: unknown hosts, managed rule groups, rate limit',
      visibilityConfig: visibility('WebAcl'),
      rules,
    });

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });

    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ":*" suffix that LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: props.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });

    this.reviewQuery = new logs.QueryDefinition(this, 'UnknownHostReview', {
      queryDefinitionName: `${this.node.path.replace(/\//g, '-')}-unknown-host-review`,
      logGroups: [props.logGroup],
      queryString: new logs.QueryString({
        fields: [
          '@timestamp',
          'httpRequest.clientIp',
          'httpRequest.country',
          'httpRequest.httpMethod',
          'httpRequest.uri',
        ],
        filterStatements: [`terminatingRuleId = '${UNKNOWN_HOST_RULE}'`],
        sort: '@timestamp desc',
        limit: 1000,
      }),
    });
  }
}
