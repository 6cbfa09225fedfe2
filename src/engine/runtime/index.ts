// The runtime's public surface: the only module in src/ that touches onnxruntime-node.
export { detectProviders, providerReport, onnxruntimeVersion, probeProvider, type ProviderReport, type ProbeEnvironment } from './providers';
export { OPTIMIZED_CACHE_ENTRIES, optimizedCacheKey, type CacheOutcome } from './optimized-cache';
export { RuntimeSession, loadSession, type ModelSource, type SessionConfig, type ProviderName, type Feeds, type Outputs } from './session';
export { SessionCache, openSession, defaultSessionCache, sessionKey } from './session-cache';
export { hostTensor, type HostTensor, type RuntimeDType, type RuntimeDataMap } from './tensor';
