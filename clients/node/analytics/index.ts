// Trace analytics: typed queries over logged conversations (see trace-analytics.ts).
export { BtqlClient } from './btql-client.js';
export type { BtqlExpr, BtqlJsonQuery } from './btql-ast.js';
export { analyzeConversation, analyzeSpans, type ConversationAnalysis, type SpanFailure, type TokenTotals, type ToolUsage, type TurnAnalysis } from './conversation-analysis.js';
export { conversationsSince, countConversationsFrom, EVAL_SOURCE, listConversations, recentConversations, searchConversations, traceIdsFromSources, type ConversationFilter, type ConversationSummary, type ListOptions } from './conversations.js';
export { knownScores, lowScores, UnknownScoreError, type LowScore, type LowScoreOptions } from './low-scores.js';
export { TraceAnalytics } from './trace-analytics.js';
export { toolStatistics, type ToolSpanSource, type ToolStatistics, type ToolStatisticsOptions } from './tool-statistics.js';
