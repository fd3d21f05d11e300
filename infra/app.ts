// The CDK entry point named in cdk.json.
import { SettingsError } from './config.ts';
import { buildApp } from './build-app.ts';

try {
  buildApp().app.synth();
} catch (err) {
  if (err instanceof SettingsError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
