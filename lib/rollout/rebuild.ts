import {
  type ImageSummary,
  type ImagebuilderClient,
  ListImagePipelineImagesCommand,
  StartImagePipelineExecutionCommand,
} from '@aws-sdk/client-imagebuilder';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';

/**
 * CVE-driven rebuilds (IMM-10): a critical or high Inspector finding with a
 * fix available, on a fleet node or on a golden image's test instance, starts
 * the image pipeline; the new image then rolls out the existing way (IMM-4).
 * One build at a time: a finding during a build leaves one pending rebuild,
 * started when the running build ends, however many findings arrive.
 */

/** Severities that start a rebuild. */
export const REBUILD_SEVERITIES = ['CRITICAL', 'HIGH'] as const;
/** Image states in which a build of the pipeline is still running. */
export const BUILDING_STATES: readonly string[] = [
  'PENDING',
  'CREATING',
  'BUILDING',
  'TESTING',
  'DISTRIBUTING',
  'INTEGRATING',
];

export interface RebuildClients {
  readonly imagebuilder: Pick<ImagebuilderClient, 'send'>;
  readonly ssm: Pick<SSMClient, 'send'>;
}

export interface RebuildSettings {
  readonly pipelineArn: string;
  /** SSM parameter that marks one rebuild pending while a build runs. */
  readonly pendingParameterName: string;
}

/** The parts of an `Inspector2 Finding` event the rebuild reads. */
export interface FindingDetail {
  readonly findingArn?: string;
  readonly severity?: string;
  readonly fixAvailable?: string;
  readonly status?: string;
  readonly updatedAt?: string;
  readonly title?: string;
}

export type RebuildResult =
  | { readonly action: 'started'; readonly imageArn: string; readonly reason: string }
  | { readonly action: 'coalesced'; readonly reason: string }
  | { readonly action: 'none'; readonly reason: string };

async function images(c: RebuildClients, s: RebuildSettings): Promise<ImageSummary[]> {
  const all: ImageSummary[] = [];
  let nextToken: string | undefined;
  do {
    const out = await c.imagebuilder.send(
      new ListImagePipelineImagesCommand({ imagePipelineArn: s.pipelineArn, nextToken }),
    );
    all.push(...(out.imageSummaryList ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return all;
}

async function start(c: RebuildClients, s: RebuildSettings, reason: string): Promise<RebuildResult> {
  const out = await c.imagebuilder.send(new StartImagePipelineExecutionCommand({ imagePipelineArn: s.pipelineArn }));
  return { action: 'started', imageArn: out.imageBuildVersionArn ?? '(unknown)', reason };
}

/** A qualifying finding: rebuild now, or leave one rebuild pending behind the running build. */
export async function onFinding(c: RebuildClients, s: RebuildSettings, f: FindingDetail): Promise<RebuildResult> {
  const what = `${f.severity ?? '?'} finding ${f.findingArn ?? '(no ARN)'}${f.title ? ` (${f.title})` : ''}`;
  if (!REBUILD_SEVERITIES.includes(f.severity as (typeof REBUILD_SEVERITIES)[number]))
    return { action: 'none', reason: `${what}: severity below HIGH` };
  if (f.fixAvailable !== 'YES') return { action: 'none', reason: `${what}: no fix available yet` };
  if (f.status !== undefined && f.status !== 'ACTIVE') return { action: 'none', reason: `${what}: ${f.status}` };

  const list = await images(c, s);
  if (list.some((i) => BUILDING_STATES.includes(i.state?.status ?? ''))) {
    // The running build may have installed its packages before the fix: one more build follows it.
    await c.ssm.send(
      new PutParameterCommand({
        Name: s.pendingParameterName,
        Value: `${f.findingArn ?? 'finding'} ${new Date().toISOString()}`,
        Type: 'String',
        Overwrite: true,
      }),
    );
    return { action: 'coalesced', reason: `${what}: a build is running; one rebuild follows it` };
  }
  // A build that started after the fix was known already carries it; its rollout replaces the node.
  const updated = f.updatedAt ? Date.parse(f.updatedAt) : NaN;
  const covering = list.find(
    (i) => i.state?.status === 'AVAILABLE' && i.dateCreated && Date.parse(i.dateCreated) > updated,
  );
  if (covering) return { action: 'none', reason: `${what}: image ${covering.arn} was built after it` };
  return start(c, s, what);
}

/** A build of the pipeline ended: start the pending rebuild, if any. */
export async function onBuildEnded(c: RebuildClients, s: RebuildSettings): Promise<RebuildResult> {
  let pending: string | undefined;
  try {
    pending = (await c.ssm.send(new GetParameterCommand({ Name: s.pendingParameterName }))).Parameter?.Value;
  } catch (e) {
    if (e instanceof ParameterNotFound || (e as { name?: string }).name === 'ParameterNotFound')
      return { action: 'none', reason: 'no rebuild pending' };
    throw e;
  }
  if ((await images(c, s)).some((i) => BUILDING_STATES.includes(i.state?.status ?? '')))
    return { action: 'none', reason: 'another build is still running; the pending rebuild waits for it' };
  await c.ssm.send(new DeleteParameterCommand({ Name: s.pendingParameterName }));
  return start(c, s, `pending since ${pending ?? '?'}`);
}
