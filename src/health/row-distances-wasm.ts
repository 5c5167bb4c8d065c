// Generated from row-distances.wat by `npm run build:wasm` (scripts/build-wasm.ts); do not edit.
// test/health/row-distances.test.ts checks that compiling row-distances.wat again gives these bytes.

/** The compiled row-distance kernel, base64. */
export const ROW_DISTANCES_WASM_BASE64 =
  'AGFzbQEAAAABEgJgBH9/f38BfGAGf39/f39/AAISAQNlbnYGbWVtb3J5AgEBgIAEAwMCAAEHDQEJZGlzdGFuY2VzAAEKsgIC' +
  'zwEDAn8DewN8IABBfnFBAnQhBf0MAAAAAAAAAAAAAAAAAAAAACEGAkADQCAEIAVPDQEgAiAEav1dAwD9XyEHIAMgBGr9XQMA' +
  '/V8hCCABBEAgBiAHIAj98gH98AEhBgUgByAI/fEBIQcgBiAHIAf98gH98AEhBgsgBEEIaiEEDAALCyAG/SEAIAb9IQGgIQkg' +
  'AEEBcQRAIAIgBWoqAgC7IQogAyAFaioCALshCyABBEAgCSAKIAuioCEJBSAKIAuhIQogCSAKIAqioCEJCwsgCQtfAgJ/AXwg' +
  'AEECdCEHAkADQCAGIARPDQEgACABIAIgAyAGIAdsahAAIQggBSAGQQN0aiABBHxEAAAAAAAAAABEAAAAAAAA8D8gCKGlBSAI' +
  'nws5AwAgBkEBaiEGDAALCws=';
