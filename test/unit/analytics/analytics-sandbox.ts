import {startSandbox, type RunningSandbox} from '../../../src/sandbox';

/**
 * The sandbox account the analytics tests read: 4 campaigns x 2 ad groups x 40 ads (320 ads, paused, archived
 * and drafts among them), with reports that finish at the first poll.
 */
export async function startAnalyticsSandbox(
  seed: number
): Promise<{sandbox: RunningSandbox; adAccountId: string}> {
  const sandbox = await startSandbox({
    seed,
    scale: {
      adAccounts: 1,
      campaignsPerAccount: 4,
      adGroupsPerCampaign: 2,
      adsPerAdGroup: 40,
      boards: 1,
      pins: 1,
    },
    reportPollsUntilFinished: 1,
  });
  return {sandbox, adAccountId: sandbox.control.truth('ad_accounts').items[0]!.id as string};
}
