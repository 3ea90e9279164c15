import { ListImagePipelineImagesCommand, StartImagePipelineExecutionCommand } from '@aws-sdk/client-imagebuilder';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { onBuildEnded, onFinding, type RebuildClients } from '../../lib/rollout/rebuild';

/** In-memory Image Builder and SSM: images of one pipeline and the pending marker. */
function fakes(images: { arn: string; status: string; dateCreated?: string }[]) {
  const params = new Map<string, string>();
  const started: string[] = [];
  const clients: RebuildClients = {
    imagebuilder: {
      send: (async (cmd: unknown) => {
        if (cmd instanceof ListImagePipelineImagesCommand)
          return {
            imageSummaryList: images.map((i) => ({
              arn: i.arn,
              state: { status: i.status },
              dateCreated: i.dateCreated,
            })),
          };
        if (cmd instanceof StartImagePipelineExecutionCommand) {
          const arn = `arn:image/${images.length + 1}`;
          images.push({ arn, status: 'PENDING' });
          started.push(arn);
          return { imageBuildVersionArn: arn };
        }
        throw new Error(`unexpected ${String(cmd)}`);
      }) as RebuildClients['imagebuilder']['send'],
    },
    ssm: {
      send: (async (cmd: unknown) => {
        if (cmd instanceof PutParameterCommand) return void params.set(cmd.input.Name!, cmd.input.Value!);
        if (cmd instanceof GetParameterCommand) {
          const v = params.get(cmd.input.Name!);
          if (v === undefined) throw new ParameterNotFound({ message: 'not found', $metadata: {} });
          return { Parameter: { Value: v } };
        }
        if (cmd instanceof DeleteParameterCommand) return void params.delete(cmd.input.Name!);
        throw new Error(`unexpected ${String(cmd)}`);
      }) as RebuildClients['ssm']['send'],
    },
  };
  return { clients, params, started, images };
}

const settings = { pipelineArn: 'arn:pipeline', pendingParameterName: '/app/prod/golden-ami/rebuild-pending' };
const finding = {
  findingArn: 'arn:finding/1',
  severity: 'CRITICAL',
  fixAvailable: 'YES',
  status: 'ACTIVE',
  updatedAt: '2026-12-01T10:00:00Z',
};

describe('CVE-driven rebuilds (IMM-10)', () => {
  test('a critical finding with a fix starts the pipeline when no build runs', async () => {
    const f = fakes([{ arn: 'arn:image/1', status: 'AVAILABLE', dateCreated: '2026-12-01T08:00:00Z' }]);
    expect(await onFinding(f.clients, settings, finding)).toMatchObject({ action: 'started' });
    expect(f.started).toHaveLength(1);
  });

  test.each([
    ['MEDIUM severity', { severity: 'MEDIUM' }],
    ['no fix yet', { fixAvailable: 'NO' }],
    ['a closed finding', { status: 'CLOSED' }],
  ])('%s starts nothing', async (_what, change) => {
    const f = fakes([]);
    expect(await onFinding(f.clients, settings, { ...finding, ...change })).toMatchObject({ action: 'none' });
    expect(f.started).toEqual([]);
  });

  test('findings during a build coalesce into one rebuild that starts when the build ends', async () => {
    const f = fakes([{ arn: 'arn:image/1', status: 'BUILDING' }]);
    for (let i = 0; i < 5; i++)
      expect(await onFinding(f.clients, settings, { ...finding, findingArn: `arn:finding/${i}` })).toMatchObject({
        action: 'coalesced',
      });
    expect(f.started).toEqual([]);
    expect(f.params.has(settings.pendingParameterName)).toBe(true);
    f.images[0]!.status = 'AVAILABLE';
    expect(await onBuildEnded(f.clients, settings)).toMatchObject({ action: 'started' });
    expect(f.started).toHaveLength(1);
    expect(f.params.has(settings.pendingParameterName)).toBe(false);
    // The rebuild's own end finds nothing pending.
    f.images[1]!.status = 'AVAILABLE';
    expect(await onBuildEnded(f.clients, settings)).toMatchObject({ action: 'none', reason: 'no rebuild pending' });
    expect(f.started).toHaveLength(1);
  });

  test('an image built after the finding was updated already carries the fix: no rebuild', async () => {
    const f = fakes([{ arn: 'arn:image/2', status: 'AVAILABLE', dateCreated: '2026-12-01T11:00:00Z' }]);
    expect(await onFinding(f.clients, settings, finding)).toMatchObject({ action: 'none' });
    expect(f.started).toEqual([]);
  });
});
