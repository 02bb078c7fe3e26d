/** The local stack's Kafka cluster id must never start with "-": kafka-storage would read it as an option. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const {newClusterId} = require('../../../scripts/stack') as {newClusterId: () => string};

describe('newClusterId', () => {
  it("gives 22-character base64url ids (16 bytes), none starting with '-' in 20,000 draws", () => {
    const ids = Array.from({length: 20_000}, () => newClusterId());
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
