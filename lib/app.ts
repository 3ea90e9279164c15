import type { App } from 'aws-cdk-lib';
import { applyNagPacks } from './compliance/nag-packs';
import type { AppConfig } from './config/schema';
import { loadComponents } from './images/components';
import { EnvironmentStage } from './stage';

export interface AddEnvironmentsOptions {
  /**
   * Run the four cdk-nag packs at synth.
   * @default true
   */
  readonly nag?: boolean;
}

/** Adds the whole program to an app: one stage per configured environment, nag-checked. */
export function addEnvironments(app: App, config: AppConfig, options: AddEnvironmentsOptions = {}): EnvironmentStage[] {
  const components = loadComponents();
  const stages = config.environments.map((env) => new EnvironmentStage(app, env.name, { config: env, components }));
  if (options.nag ?? true) applyNagPacks(app);
  return stages;
}
