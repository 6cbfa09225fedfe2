// The Routing view's engine side: the prompt map, experts' architectures, expensive prompts; and
// the routing summary the command line prints.
export { expertArchitecture } from './architecture';
export { expensivePromptsOf, routingMapOf, type MapColumns } from './routing-map';
export { separatingWords, wordsOf, type WordScore } from './separating-words';
export { routingSummary, type RoutedExpertSummary, type RoutingSummary } from './routing-summary';
