import { loadConfig } from '../../lib/config/load';
import { props, synthTemplates, type SynthesizedTemplates } from '../helpers/app';

const config = loadConfig();
let synth: SynthesizedTemplates;
beforeAll(() => {
  synth = synthTemplates(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name] as const))('monitoring of %s', (name) => {
  test('LOG-4: operational alarms for ALB 5xx, unhealthy targets and the database notify the topic', () => {
    const alarms = props(synth.template(name, 'Monitoring'), 'AWS::CloudWatch::Alarm');
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
