import { FakeHetzner, type ServerStarter } from '../../fakes/fake-hetzner.js';
import { FakeOvh } from '../../fakes/fake-ovh.js';

/**
 * The fake Hetzner API (each server it makes started by `starter`) and the fake OVH API with the
 * example.com zone and one consumer key: the providers of a profile whose hosts are provisioned.
 */
export class FakeClouds {
  readonly hetzner: FakeHetzner;
  readonly ovh = new FakeOvh();
  private consumerKey = '';

  constructor(starter: ServerStarter) {
    this.hetzner = new FakeHetzner({ starter, actionMs: 300 });
  }

  async start(): Promise<void> {
    await this.hetzner.start();
    await this.ovh.start();
    this.consumerKey = this.ovh.addConsumer();
    this.ovh.addZone('example.com');
  }

  async stop(): Promise<void> {
    await this.hetzner.stop();
    await this.ovh.stop();
  }

  /** A profile's `providers`: both APIs at their local endpoints. */
  providers(): Record<string, { endpoint: string }> {
    return { hetzner: { endpoint: this.hetzner.url }, ovh: { endpoint: this.ovh.endpoint } };
  }

  /** The credentials of both APIs, under the vault keys the CLI reads them from. */
  secrets(): Record<string, string> {
    return {
      'hetzner.token': this.hetzner.token,
      'ovh.applicationKey': this.ovh.appKey,
      'ovh.applicationSecret': this.ovh.appSecret,
      'ovh.consumerKey': this.consumerKey,
    };
  }
}
