import { loadConfig } from '../../lib/config/load';
import { props, synthConfig, type Synthesized } from '../helpers/app';

const config = loadConfig();
let synth: Synthesized;
beforeAll(() => {
  synth = synthConfig(config, { nag: false });
});

const stageOf = (name: string) => synth.stages.find((s) => s.stageName === name)!;

describe.each(config.environments.map((e) => [e.name] as const))('monitoring of %s', (name) => {
  test('LOG-4: operational alarms for ALB 5xx, unhealthy targets and the database notify the topic', () => {
    const alarms = props(synth.template(stageOf(name).monitoring), 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(
      [
        'CPUUtilization',
        'DatabaseConnections',
        'FreeStorageSpace',
        'HTTPCode_ELB_5XX_Count',
        'HTTPCode_Target_5XX_Count',
        'UnHealthyHostCount',
      ].sort(),
    );
    for (const a of alarms) expect(JSON.stringify(a.AlarmActions)).toMatch(/AlarmTopic/);
  });
});
