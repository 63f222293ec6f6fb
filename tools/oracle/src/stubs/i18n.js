// heapscope: adapted from the team's reference oracle (shared/oracle/src/stubs/i18n.js); unchanged.
// Stub for front_end/core/i18n/i18n.js. The heap snapshot worker only uses
// i18n.i18n.serializeUIString (progress messages); modules pulled in through
// core/text_utils (needed for BalancedJSONTokenizer) register UI strings at
// load time, so those entry points return the English string unchanged.
function format(string, values = {}) {
  return String(string).replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}
export const i18n = {
  serializeUIString(string, values = {}) {
    return JSON.stringify({string, values});
  },
  registerUIStrings(path, strings) {
    return {path, strings};
  },
  getLocalizedString(_registered, string, values) {
    return format(string, values);
  },
  getLazilyComputedLocalizedString(_registered, string, values) {
    return () => format(string, values);
  },
  lockedString(string) {
    return string;
  },
  lockedLazyString(string) {
    return () => string;
  },
};
