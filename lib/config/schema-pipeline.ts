import { z } from 'zod';
import { regionEnum } from './regions';

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f-]{36}$/;

/** The delivery pipeline (SDLC-2): where it runs and where it reads the repository from. */
export const PipelineSchema = z.strictObject({
  /** The tooling account the pipeline runs in; every environment account trusts it (`cdk bootstrap --trust`). */
  account: z
    .string({ error: 'is required' })
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account ID (quoted)')
    .describe('The tooling account the pipeline runs in; every environment account trusts it (cdk bootstrap --trust).'),
  region: regionEnum.describe('Region the pipeline runs in.'),
  source: z
    .strictObject({
      connectionArn: z
        .string({ error: 'is required' })
        .regex(
          CONNECTION_ARN,
          'must be a CodeConnections (CodeStar) connection ARN: arn:<partition>:codeconnections:<region>:<account>:connection/<uuid>',
        )
        .describe("CodeConnections (or CodeStar Connections) connection of the pipeline's account and region."),
      repository: z
        .string({ error: 'is required' })
        .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name" of the repository the connection can read')
        .describe('The repository, "owner/name".'),
      branch: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/, 'must be a git branch name such as main')
        .default('main')
        .describe('The branch every push to which runs the pipeline.'),
    })
    .describe('Where the pipeline reads the repository from.'),
  /** Who is asked to approve a production deployment and told when the pipeline fails. */
  approvalEmails: z
    .array(z.email({ error: 'must be an email address' }))
    .min(1, 'needs at least one address to ask for production approvals')
    .describe('Asked to approve production deployments and told of failed runs.'),
});

export const PIPELINE_PATTERNS = { CONNECTION_ARN } as const;
