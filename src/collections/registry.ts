import {adAccountAnalytics} from './ad-account-analytics';
import {adAccounts} from './ad-accounts';
import {adAnalytics} from './ad-analytics';
import {adGroupAnalytics} from './ad-group-analytics';
import {adGroups} from './ad-groups';
import {ads} from './ads';
import {boards} from './boards';
import {campaignAnalytics} from './campaign-analytics';
import {campaigns} from './campaigns';
import {pins} from './pins';
import type {CollectionDeclaration} from './types';

/** Every collection the service knows. Adding one = a declaration file, its .avsc files and a line here. */
export const COLLECTIONS: readonly CollectionDeclaration[] = [
  adAccounts,
  campaigns,
  adGroups,
  ads,
  boards,
  pins,
  adAnalytics,
  campaignAnalytics,
  adGroupAnalytics,
  adAccountAnalytics,
];

/** A lookup over a list of declarations (the full list by default; tests may pass their own). */
export class CollectionRegistry {
  private readonly byName: ReadonlyMap<string, CollectionDeclaration>;

  constructor(readonly all: readonly CollectionDeclaration[] = COLLECTIONS) {
    const byName = new Map<string, CollectionDeclaration>();
    for (const declaration of all) {
      if (!/^[a-z][a-z0-9_]*$/.test(declaration.name)) {
        throw new Error(`Collection name ${JSON.stringify(declaration.name)} is not snake_case`);
      }
      if (byName.has(declaration.name)) throw new Error(`Collection ${declaration.name} is declared twice`);
      if ((declaration.kind === 'analytics') !== (declaration.analytics !== undefined)) {
        throw new Error(
          `Collection ${declaration.name}: an analytics declaration goes with kind 'analytics'`
        );
      }
      byName.set(declaration.name, declaration);
    }
    this.byName = byName;
  }

  get(name: string): CollectionDeclaration {
    const declaration = this.byName.get(name);
    if (!declaration) throw new Error(`Unknown collection ${JSON.stringify(name)}`);
    return declaration;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entities(): CollectionDeclaration[] {
    return this.all.filter((c) => c.kind === 'entity');
  }

  analytics(): CollectionDeclaration[] {
    return this.all.filter((c) => c.kind === 'analytics');
  }
}

/** The Kafka topic of a collection. */
export function topicOf(prefix: string, declaration: Pick<CollectionDeclaration, 'name'>): string {
  return `${prefix}.${declaration.name}`;
}
