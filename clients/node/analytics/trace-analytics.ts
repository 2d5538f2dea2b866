// The query library in one object: every query over the configured project's logs, on the local
// trace store by default or on Braintrust with BRAINTRUST_API_KEY (lib/config.ts tracingConfig()).
import { BtqlClient } from './btql-client.js';
import { analyzeConversation, type ConversationAnalysis } from './conversation-analysis.js';
import {
  conversationsSince,
  countConversationsFrom,
  listConversations,
  recentConversations,
  searchConversations,
  traceIdsFromSources,
  type ConversationFilter,
  type ConversationSummary,
  type ListOptions,
} from './conversations.js';
import { lowScores, type LowScore, type LowScoreOptions } from './low-scores.js';
import { toolStatistics, type ToolStatistics, type ToolStatisticsOptions } from './tool-statistics.js';

export class TraceAnalytics {
  constructor(readonly client: BtqlClient = new BtqlClient()) {}

  recentConversations(options?: ListOptions): Promise<ConversationSummary[]> {
    return recentConversations(this.client, options);
  }

  searchConversations(text: string, options?: ListOptions): Promise<ConversationSummary[]> {
    return searchConversations(this.client, text, options);
  }

  conversationsSince(hours: number, options?: ListOptions & { now?: Date }): Promise<ConversationSummary[]> {
    return conversationsSince(this.client, hours, options);
  }

  listConversations(filter: ConversationFilter, options?: ListOptions): Promise<ConversationSummary[]> {
    return listConversations(this.client, filter, options);
  }

  /** How many conversations tagged with one of `sources` (root metadata.source) match the filter. */
  countConversationsFrom(sources: string[], filter: ConversationFilter, options?: { errorsOnly?: boolean; notBefore?: string }): Promise<number> {
    return countConversationsFrom(this.client, sources, filter, options);
  }

  /** The trace ids of the conversations tagged with one of `sources`. */
  traceIdsFromSources(sources: string[]): Promise<string[]> {
    return traceIdsFromSources(this.client, sources);
  }

  toolStatistics(options?: ToolStatisticsOptions): Promise<ToolStatistics[]> {
    return toolStatistics(this.client, options);
  }

  lowScores(scoreName: string, options?: LowScoreOptions): Promise<LowScore[]> {
    return lowScores(this.client, scoreName, options);
  }

  analyzeConversation(id: string): Promise<ConversationAnalysis | undefined> {
    return analyzeConversation(this.client, id);
  }
}
