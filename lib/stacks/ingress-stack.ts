import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { type Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/schema';
import { PublicEntry } from '../constructs/public-entry';
import { WebAcl } from '../constructs/web-acl';

export interface IngressStackProps extends StackProps {
  readonly vpc: ec2.IVpc;
  readonly ingress: EnvironmentConfig['ingress'];
  readonly waf: EnvironmentConfig['waf'];
  readonly requestLogBucket: s3.IBucket;
  readonly wafLogGroup: logs.ILogGroup;
}

/** The only way in from the internet: WAF, then the ALB (NET-2 to NET-5, LOG-2). */
export class IngressStack extends Stack {
  readonly entry: PublicEntry;
  readonly webAcl: WebAcl;

  constructor(scope: Construct, id: string, props: IngressStackProps) {
    super(scope, id, props);
    const { ingress, waf } = props;

    this.entry = new PublicEntry(this, 'PublicEntry', {
      vpc: props.vpc,
      routes: ingress.hosts,
      certificate: ingress.certificate.arn
        ? { arn: ingress.certificate.arn }
        : { hostedZoneId: ingress.certificate.hostedZoneId!, hostedZoneName: ingress.certificate.hostedZoneName! },
      sslPolicy: ingress.tlsPolicy,
      hstsMaxAgeSeconds: ingress.hstsMaxAgeSeconds,
      httpRedirect: ingress.httpRedirect,
      appPort: ingress.appPort,
      healthCheckPath: ingress.healthCheckPath,
      accessLogsBucket: props.requestLogBucket,
    });

    this.webAcl = new WebAcl(this, 'WebAcl', {
      resourceArn: this.entry.loadBalancer.loadBalancerArn,
      allowedHosts: ingress.hosts.map((h) => h.hostname),
      rateLimit: waf.rateLimit,
      rateWindowSeconds: waf.rateWindowSeconds,
      logGroup: props.wafLogGroup,
    });
  }
}
