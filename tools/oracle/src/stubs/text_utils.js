// heapscope: adapted from the team's reference oracle (shared/oracle/src/stubs/text_utils.js); unchanged.
// Stub for front_end/core/text_utils/text_utils.js: the loader only needs BalancedJSONTokenizer.
import * as TextUtils from 'DTFE/core/text_utils/TextUtils.ts';
export {TextUtils};
