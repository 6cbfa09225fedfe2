// The Routing view's engine side: the prompt map, experts' architectures, expensive prompts.
export { expertArchitecture } from './architecture';
export { expensivePromptsOf, routingMapOf, type MapColumns } from './routing-map';
export { separatingWords, wordsOf, type WordScore } from './separating-words';
