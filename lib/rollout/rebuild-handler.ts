import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type FindingDetail, onBuildEnded, onFinding, type RebuildResult } from './rebuild';

/** The Lambda entry of CVE-driven rebuilds: Inspector findings and Image Builder state changes (IMM-10). */

interface RebuildEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: FindingDetail & { readonly state?: { readonly status?: string } };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const retry = { maxAttempts: 5, retryMode: 'adaptive' as const };
const clients = { imagebuilder: new ImagebuilderClient(retry), ssm: new SSMClient(retry) };

export async function handler(event: RebuildEvent): Promise<RebuildResult> {
  const settings = { pipelineArn: required('PIPELINE_ARN'), pendingParameterName: required('PENDING_PARAMETER') };
  if (event.source === 'aws.inspector2') return onFinding(clients, settings, event.detail ?? {});
  if (event.source === 'aws.imagebuilder') return onBuildEnded(clients, settings);
  return { action: 'none', reason: `ignored event ${event.source}/${event['detail-type']}` };
}
