/** The guard against an unpatched kafkajs. Stubbed seam: the reader of kafkajs' source file (second case). */
import {ProduceError} from '../../../src/errors';
import {assertKafkajsPatched} from '../../../src/kafka/kafkajs-patch';

describe('assertKafkajsPatched', () => {
  it('accepts the kafkajs installed by npm ci (postinstall applied patches/kafkajs+2.2.4.patch)', () => {
    expect(() => assertKafkajsPatched()).not.toThrow();
  });

  it('refuses kafkajs without the patch, naming the patch and how to apply it', () => {
    let thrown: unknown;
    try {
      assertKafkajsPatched(() => 'module.exports = () => {}');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProduceError);
    expect((thrown as ProduceError).retriable).toBe(false);
    expect((thrown as ProduceError).message).toMatch(/patches\/kafkajs\+2\.2\.4\.patch.*npx patch-package/s);
  });
});
