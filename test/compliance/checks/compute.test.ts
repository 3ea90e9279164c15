import { failsExactly, type Json } from './harness';

/** The checks of lib/compliance/checks/compute.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'images are not scanned',
    { 'IMM-1': 'FAIL', 'LOG-5': 'FAIL' },
    (e) => (e.find('Image', 'Pipeline').Properties.ImageScanningConfiguration = { ImageScanningEnabled: false }),
  ],
  [
    'no component tests the image',
    { 'IMM-1': 'FAIL' },
    (e) => (e.find('Image', 'Test').Properties.Data = 'phases:\n  - name: build\n    steps: []\n'),
  ],
  [
    'the fleet follows $Latest',
    { 'IMM-2': 'FAIL' },
    (e) => ((e.find('App', 'Asg').Properties.LaunchTemplate as Json).Version = '$Latest'),
  ],
  [
    'a refresh terminates before launching',
    { 'IMM-2': 'FAIL' },
    (e) =>
      Object.assign(e.find('App', 'Asg'), {
        UpdatePolicy: {
          AutoScalingInstanceRefresh: { Preferences: { MinHealthyPercentage: 90, MaxHealthyPercentage: 100 } },
        },
      }),
  ],
  [
    'a patch baseline exists',
    { 'IMM-2': 'FAIL' },
    (e) => e.add('App', 'Patches', { Type: 'AWS::SSM::PatchBaseline', Properties: {} }),
  ],
  ['no automatic rollout', { 'IMM-2': 'FAIL', 'IMM-4': 'FAIL' }, (e) => e.remove('App', 'OnNewImage')],
  [
    'nodes live 30 days',
    { 'IMM-3': 'FAIL' },
    (e) => (e.find('App', 'Asg').Properties.MaxInstanceLifetime = 30 * 86_400),
  ],
  [
    'images build weekly',
    { 'IMM-4': 'FAIL' },
    (e) => ((e.find('Image', 'Pipeline').Properties.Schedule as Json).ScheduleExpression = 'cron(0 2 ? * MON *)'),
  ],
  [
    'images build only when the base changes',
    { 'IMM-4': 'FAIL' },
    (e) =>
      ((e.find('Image', 'Pipeline').Properties.Schedule as Json).PipelineExecutionStartCondition =
        'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE'),
  ],
  [
    'only the newest image is kept',
    { 'IMM-5': 'FAIL' },
    (e) =>
      (e.find('Image', 'Lifecycle').Properties.PolicyDetails = [
        {
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'COUNT', Value: 1 },
        },
      ]),
  ],
  [
    'IMDSv1 allowed',
    { 'IMM-6': 'FAIL' },
    (e) =>
      (((e.find('App', 'Lt').Properties.LaunchTemplateData as Json).MetadataOptions as Json).HttpTokens = 'optional'),
  ],
  [
    'an unencrypted root volume',
    { 'IMM-6': 'FAIL' },
    (e) =>
      ((e.find('App', 'Lt').Properties.LaunchTemplateData as Json).BlockDeviceMappings = [
        { Ebs: { Encrypted: false } },
      ]),
  ],
  ['EC2 health checks only', { 'IMM-7': 'FAIL' }, (e) => (e.find('App', 'Asg').Properties.HealthCheckType = 'EC2')],
  [
    'one AZ',
    { 'IMM-7': 'FAIL' },
    (e) => (e.find('App', 'Asg').Properties.VPCZoneIdentifier = [{ 'Fn::ImportValue': 'prod-Network:Priva' }]),
  ],
  [
    'images stay in one region',
    { 'IMM-8': 'FAIL' },
    (e) =>
      (e.find('Image', 'Dist').Properties.Distributions = [
        (e.find('Image', 'Dist').Properties.Distributions as Json[])[0],
      ]),
  ],
]);
