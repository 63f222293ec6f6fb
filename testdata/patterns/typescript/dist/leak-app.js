"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.QuoteService = void 0;
exports.step = step;
exports.setup = setup;
const config_1 = require("./config");
const quote_1 = require("./quote");
/** Creates quotes that stay current when the pricing settings change. */
class QuoteService {
    createQuote(id, items) {
        const quote = new quote_1.Quote(id, items, config_1.config.current);
        config_1.config.on('change', (settings) => {
            quote.reprice(settings);
        });
        return quote;
    }
}
exports.QuoteService = QuoteService;
const service = new QuoteService();
/** Handles one request: quote the basket and answer with the total. */
function step(i) {
    const quote = service.createQuote(i, (0, quote_1.basketFor)(i));
    return { id: quote.id, total: quote.total };
}
function setup() {
    config_1.config.setMaxListeners(0);
}
//# sourceMappingURL=leak-app.js.map